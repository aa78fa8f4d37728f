"""A visitor's own privacy requests (GDPR arts. 15 and 17), confirmed by a link mailed to the
address: the manage page asks for the booking's address, the mailed link's page peeks at the
request, then spends it once, and the caller runs ``scheduler.staff.privacy``'s export or
erasure for that address. Requests are rows of ``privacy_requests`` (the token only as its
hash); the worker deletes those whose link expired unused, since each holds an address.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from availability.intervals import as_utc
from scheduler.booking import BookingRow
from scheduler.platform import (
    Actor,
    Clock,
    Database,
    InvalidToken,
    PeriodicJob,
    TokenExpired,
    ValidationFailed,
    digest,
    new_secret,
    record,
    unit_of_work,
)
from scheduler.staff.models import PrivacyRequest

log = logging.getLogger("thotis.privacy")

__all__ = [
    "REQUEST_LINK_TTL",
    "ConfirmedRequest",
    "VisitorRequest",
    "peek_request",
    "purge_expired_requests",
    "purge_requests_job",
    "request_by_visitor",
    "use_request",
]

# How long the link mailed to a visitor who asked for their data (or its erasure) works.
REQUEST_LINK_TTL = timedelta(hours=24)
# Requests a visitor may make per address and hour (each sends a mail to the address).
REQUESTS_PER_HOUR = 3


@dataclass(frozen=True, slots=True)
class VisitorRequest:
    """A request to mail: the address, the visitor's language and the link's raw token."""

    email: str
    language: str
    token: str


async def request_by_visitor(
    session: AsyncSession, booking_id: UUID, kind: str, now: datetime
) -> VisitorRequest | None:
    """A request for the address of ``booking_id`` (found through its manage link), to be
    confirmed by the link mailed to it; None when nothing is to be mailed (the booking holds
    no address any more, or the address asked too often this hour)."""
    if kind not in ("export", "erase"):
        raise ValidationFailed("kind must be 'export' or 'erase'")
    now = as_utc(now, "now")
    async with unit_of_work(session):
        found = (
            await session.execute(
                select(BookingRow.visitor_email, BookingRow.language).where(
                    BookingRow.id == booking_id
                )
            )
        ).first()
        if found is None or not found.visitor_email:
            return None
        email = found.visitor_email
        await session.execute(
            delete(PrivacyRequest).where(
                PrivacyRequest.email == email, PrivacyRequest.expires_at <= now
            )
        )
        recent = (
            await session.execute(
                select(func.count())
                .select_from(PrivacyRequest)
                .where(
                    PrivacyRequest.email == email,
                    PrivacyRequest.created_at > now - timedelta(hours=1),
                )
            )
        ).scalar_one()
        if recent >= REQUESTS_PER_HOUR:
            return None
        raw = new_secret()
        session.add(
            PrivacyRequest(
                token_hash=digest(raw),
                email=email,
                kind=kind,
                language=found.language,
                created_at=now,
                expires_at=now + REQUEST_LINK_TTL,
            )
        )
        await record(session, Actor("visitor"), "request_privacy", "visitor", "-", {"kind": kind})
    return VisitorRequest(email, found.language, raw)


@dataclass(frozen=True, slots=True)
class ConfirmedRequest:
    kind: str
    email: str
    language: str


async def peek_request(session: AsyncSession, token: str, now: datetime) -> ConfirmedRequest:
    """The request behind a mailed link, unused (for its confirmation page)."""
    found = await _request(session, token, now)
    return ConfirmedRequest(found.kind, found.email, found.language)


async def use_request(session: AsyncSession, token: str, now: datetime) -> ConfirmedRequest:
    """Spend the mailed link (once): the caller then exports or erases for its address."""
    async with unit_of_work(session):
        found = await _request(session, token, now)
        await session.execute(delete(PrivacyRequest).where(PrivacyRequest.id == found.id))
    return ConfirmedRequest(found.kind, found.email, found.language)


async def purge_expired_requests(session: AsyncSession, now: datetime) -> int:
    """Delete the requests whose link expired unused (each holds an address)."""
    async with unit_of_work(session):
        done: Any = await session.execute(
            delete(PrivacyRequest).where(PrivacyRequest.expires_at <= as_utc(now, "now"))
        )
        return int(done.rowcount or 0)


def purge_requests_job(db: Database, clock: Clock) -> PeriodicJob:
    """The worker's hourly clean-up of expired requests (counts only in its log line)."""

    async def run() -> None:
        async with db.sessions() as session:
            count = await purge_expired_requests(session, clock())
        if count:
            log.info("deleted %d expired privacy requests", count)

    return PeriodicJob("privacy-request-purge", run, timedelta(hours=1))


async def _request(session: AsyncSession, token: str, now: datetime) -> PrivacyRequest:
    if not isinstance(token, str) or not token or len(token) > 200:
        raise InvalidToken("this link is not valid")
    found = (
        await session.execute(
            select(PrivacyRequest).where(PrivacyRequest.token_hash == digest(token))
        )
    ).scalar()
    if found is None:
        raise InvalidToken("this link is not valid")
    if found.expires_at <= as_utc(now, "now"):
        raise TokenExpired("this link has expired")
    return found
