"""Privacy requests (GDPR arts. 15–17): everything held for one visitor's email address, found,
exported as JSON, or erased in one transaction.

Where an address can be held, and what an erasure does there:

=====================  =================================================================
bookings               emptied of name, email, question, cancel reason (kept as anonymous
                       rows: the counts of the statistics stay right); future live ones are
                       cancelled first
feedback               counted per mentor and month, then deleted
idempotency_keys       hash and booking removed (the key answers ``booking_gone``)
outbox, sent_messages  the bookings' rows deleted
booking_reports        the visitor's own reports deleted (a mentor's stays, about an
                       anonymous booking)
rate_limits            the address's counters (under its SHA-256) deleted
privacy_requests       the address's requests deleted
email_blocklist        kept: a block must outlive the erasure, or erasing would unblock
=====================  =================================================================

The trail names no address: its entries say how much was found or erased. A visitor's own
request, confirmed by a mailed link, is ``scheduler.staff.privacy_requests``.
"""

from __future__ import annotations

import hashlib
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy import delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from availability.intervals import as_utc
from scheduler.booking import (
    LIVE_STATUS,
    BookingRow,
    BookingStatus,
    EmailBlock,
    Feedback,
    IdempotencyKey,
    erase_bookings,
)
from scheduler.catalog import Filiere, Mentor, normalize_email
from scheduler.messaging import SentMessage
from scheduler.platform import (
    Actor,
    OutboxRow,
    outbox,
    rate_limits,
    record,
    unit_of_work,
)
from scheduler.staff.models import BookingReport, PrivacyRequest

RateLimitRow = rate_limits.RateLimitRow

__all__ = ["Erasure", "Holdings", "erase", "export", "find"]


@dataclass(frozen=True, slots=True)
class Holdings:
    """How much is held for an address (the console's summary before an export or erasure)."""

    bookings: int
    future_bookings: int
    with_personal_data: int  # bookings whose name and email are still there
    feedback: int
    reports: int
    outbox_rows: int
    sent_messages: int
    idempotency_keys: int
    rate_limit_windows: int
    privacy_requests: int
    blocked: bool

    @property
    def anything(self) -> bool:
        return any(v for k, v in asdict(self).items() if k != "blocked") or self.blocked


@dataclass(frozen=True, slots=True)
class Erasure:
    """What one erasure changed (counts only: the trail and the CLI show these)."""

    bookings: int
    cancelled: int
    feedback: int
    reports: int
    outbox_rows: int
    sent_messages: int
    idempotency_keys: int
    rate_limit_windows: int
    privacy_requests: int
    block_kept: bool


def _email(email: str) -> str:
    return normalize_email(email)


def _hash(email: str) -> bytes:
    return hashlib.sha256(email.encode()).digest()


async def _booking_ids(session: AsyncSession, email: str, *, lock: bool = False) -> list[UUID]:
    query = select(BookingRow.id).where(BookingRow.visitor_email == email)
    if lock:
        query = query.with_for_update()
    return list((await session.execute(query)).scalars())


def _outbox_of(ids: list[UUID]) -> Any:
    return OutboxRow.payload["booking_id"].astext.in_([str(i) for i in ids])


async def find(session: AsyncSession, email: str, now: datetime) -> Holdings:
    """What is held for ``email`` (ValidationFailed when it is no address)."""
    email = _email(email)
    now = as_utc(now, "now")
    ids = await _booking_ids(session, email)

    async def counted(model: Any, *where: Any) -> int:
        query = select(func.count()).select_from(model).where(*where)
        return int((await session.execute(query)).scalar_one())

    bookings = (
        await session.execute(
            select(
                func.count(),
                func.count().filter(BookingRow.status == LIVE_STATUS, BookingRow.start_at > now),
                func.count().filter(BookingRow.personal_data_purged_at.is_(None)),
            ).where(BookingRow.id.in_(ids))
        )
    ).one()
    outbox_ids = select(OutboxRow.id).where(_outbox_of(ids)).scalar_subquery()
    return Holdings(
        bookings=int(bookings[0]),
        future_bookings=int(bookings[1]),
        with_personal_data=int(bookings[2]),
        feedback=await counted(Feedback, Feedback.booking_id.in_(ids)),
        reports=await counted(BookingReport, BookingReport.booking_id.in_(ids)),
        outbox_rows=await counted(OutboxRow, _outbox_of(ids)) if ids else 0,
        sent_messages=await counted(SentMessage, SentMessage.outbox_id.in_(outbox_ids))
        if ids
        else 0,
        idempotency_keys=await counted(IdempotencyKey, IdempotencyKey.booking_id.in_(ids)),
        rate_limit_windows=await counted(
            RateLimitRow, RateLimitRow.key == rate_limits.email_key(email)
        ),
        privacy_requests=await counted(PrivacyRequest, PrivacyRequest.email == email),
        blocked=await counted(EmailBlock, EmailBlock.email_hash == _hash(email)) > 0,
    )


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


async def export(session: AsyncSession, email: str, now: datetime, actor: Actor) -> dict[str, Any]:
    """Everything held for ``email``, as a JSON-ready object (art. 15); the export is in the
    trail, with its counts."""
    email = _email(email)
    now = as_utc(now, "now")
    async with unit_of_work(session):
        ids = await _booking_ids(session, email)
        rows = await session.execute(
            select(
                BookingRow,
                Mentor.display_name,
                Filiere.name_fr,
            )
            .join(Mentor, Mentor.id == BookingRow.mentor_id)
            .outerjoin(Filiere, Filiere.id == BookingRow.filiere_id)
            .where(BookingRow.id.in_(ids))
            .order_by(BookingRow.start_at)
        )
        bookings = [
            {
                "id": str(b.id),
                "mentor": mentor_name,
                "filiere": filiere,
                "start": _iso(b.start_at),
                "end": _iso(b.end_at),
                "status": b.status,
                "first_name": b.visitor_first_name,
                "email": b.visitor_email,
                "question": b.visitor_question,
                "timezone": b.visitor_timezone,
                "language": b.language,
                "consent_at": _iso(b.consent_at),
                "consent_basis": b.consent_basis,
                "cancelled_by": b.cancelled_by,
                "cancel_reason": b.cancel_reason,
                "cancelled_at": _iso(b.cancelled_at),
                "created_at": _iso(b.created_at),
            }
            for b, mentor_name, filiere in rows
        ]
        feedback = [
            {"booking_id": str(f.booking_id), "helpful": f.helpful, "at": _iso(f.at)}
            for f in (
                await session.execute(select(Feedback).where(Feedback.booking_id.in_(ids)))
            ).scalars()
        ]
        reports = [
            {
                "booking_id": str(r.booking_id),
                "by": r.reporter,
                "reason": r.reason if r.reporter == "visitor" else None,
                "created_at": _iso(r.created_at),
                "resolution": r.resolution,
            }
            for r in (
                await session.execute(
                    select(BookingReport).where(BookingReport.booking_id.in_(ids))
                )
            ).scalars()
        ]
        messages = [
            {
                "kind": o.kind,
                "status": o.status,
                "created_at": _iso(o.created_at),
                "delivered_at": _iso(o.delivered_at),
            }
            for o in (
                await session.execute(
                    select(OutboxRow).where(_outbox_of(ids)).order_by(OutboxRow.id)
                )
            ).scalars()
        ]
        held = await find(session, email, now)
        await record(session, actor, "export_personal_data", "visitor", "-", _counts(held))
    return {
        "email": email,
        "exported_at": now.isoformat(),
        "bookings": bookings,
        "feedback": feedback,
        "reports": reports,
        "messages": messages,
        "sent_messages": held.sent_messages,
        "idempotency_keys": held.idempotency_keys,
        "rate_limit_windows": held.rate_limit_windows,
        "privacy_requests": held.privacy_requests,
        "blocked": held.blocked,
    }


def _counts(held: Holdings) -> dict[str, Any]:
    return asdict(held)


async def erase(session: AsyncSession, email: str, now: datetime, actor: Actor) -> Erasure:
    """Erase what is held for ``email`` in one transaction (art. 17), leaving anonymous
    bookings (counted in the statistics) and a block if there is one. Idempotent."""
    email = _email(email)
    now = as_utc(now, "now")
    async with unit_of_work(session):
        ids = await _booking_ids(session, email, lock=True)
        # A call that will not happen any more: its slot is freed for someone else.
        cancelled = (
            await session.execute(
                update(BookingRow)
                .where(
                    BookingRow.id.in_(ids),
                    BookingRow.status == LIVE_STATUS,
                    BookingRow.start_at > now,
                )
                .values(status=BookingStatus.CANCELLED, cancelled_by="visitor", cancelled_at=now)
                .returning(BookingRow.id)
            )
        ).all()
        reports = await _changed(
            session,
            delete(BookingReport).where(
                BookingReport.booking_id.in_(ids), BookingReport.reporter == "visitor"
            ),
        )
        feedback = await _count(session, Feedback, Feedback.booking_id.in_(ids))
        counts = await erase_bookings(session, ids, now, keep_questions=False)
        windows = await _changed(
            session, delete(RateLimitRow).where(RateLimitRow.key == rate_limits.email_key(email))
        )
        requests = await _changed(
            session, delete(PrivacyRequest).where(PrivacyRequest.email == email)
        )
        # The mentor's calendar event names the visitor and their question: it goes too.
        await outbox.enqueue(
            session,
            [
                outbox.message(outbox.CALENDAR_CANCEL_EVENT, now, booking_id=str(row.id))
                for row in cancelled
            ],
        )
        blocked = await _count(session, EmailBlock, EmailBlock.email_hash == _hash(email)) > 0
        erasure = Erasure(
            bookings=len(ids),
            cancelled=len(cancelled),
            feedback=feedback,
            reports=int(reports),
            outbox_rows=counts.outbox_rows,
            sent_messages=counts.sent_messages,
            idempotency_keys=counts.idempotency_keys,
            rate_limit_windows=int(windows),
            privacy_requests=int(requests),
            block_kept=blocked,
        )
        await record(session, actor, "erase_personal_data", "visitor", "-", asdict(erasure))
    return erasure


async def _changed(session: AsyncSession, statement: Any) -> int:
    return int(getattr(await session.execute(statement), "rowcount", 0) or 0)


async def _count(session: AsyncSession, model: Any, *where: Any) -> int:
    query = select(func.count()).select_from(model).where(*where)
    return int((await session.execute(query)).scalar_one())
