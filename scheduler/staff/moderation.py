"""Moderation: bookings a mentor reports to the team, visitor emails blocked from booking, and
the audit trail staff read. Each reader is one query whatever the number of rows.

A blocked address is kept as the SHA-256 of its normalised form (``EmailBlock``), which is what
``scheduler.booking.book`` checks; the audit trail names the block by a prefix of that hash,
never by the address.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal
from uuid import UUID

from sqlalchemy import func, insert, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession

from scheduler.booking import BookingRow, BookingStatus, EmailBlock, booking_id_for_token
from scheduler.catalog import Mentor, normalize_email
from scheduler.platform import (
    Actor,
    AuditEntry,
    BookingGone,
    NotFound,
    ValidationFailed,
    record,
    unit_of_work,
)
from scheduler.staff.models import BookingReport

MAX_REASON = 500
Resolution = Literal["blocked", "dismissed", "handled"]

__all__ = [
    "AuditLine",
    "ReportLine",
    "audit_count",
    "block_email",
    "email_hash",
    "open_report_count",
    "open_reports",
    "recent_audit",
    "report_booking",
    "report_series",
    "report_visitor",
    "reported_booking_ids",
    "reported_future_bookings",
    "resolve_report",
]


def email_hash(email: str) -> bytes:
    return hashlib.sha256(normalize_email(email).encode()).digest()


def _reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not 1 <= len(reason) <= MAX_REASON:
        raise ValidationFailed(f"reason must have 1 to {MAX_REASON} characters")
    return reason


async def report_booking(
    session: AsyncSession, booking_id: UUID, mentor_id: UUID, reason: str, now: datetime
) -> int:
    """The mentor reports one of their bookings (another mentor's is 'not found')."""
    reason = _reason(reason)
    async with unit_of_work(session):
        owner = (
            await session.execute(select(BookingRow.mentor_id).where(BookingRow.id == booking_id))
        ).scalar()
        if owner is None or owner != mentor_id:
            raise NotFound("no such booking")
        report_id = (
            await session.execute(
                insert(BookingReport)
                .values(booking_id=booking_id, mentor_id=mentor_id, reason=reason, created_at=now)
                .returning(BookingReport.id)
            )
        ).scalar_one()
        await record(
            session, Actor.mentor(mentor_id), "report", "booking", booking_id, {"report": report_id}
        )
    return int(report_id)


# A visitor's reports of one booking (a form anyone holding the manage link can send).
VISITOR_REPORTS_PER_BOOKING = 3


async def report_visitor(
    session: AsyncSession, booking_id: UUID, manage_token: str, reason: str, now: datetime
) -> int | None:
    """The visitor reports a problem with their booking, through its manage link (or the join
    page's, which names the booking); None past ``VISITOR_REPORTS_PER_BOOKING`` open ones."""
    reason = _reason(reason)
    async with unit_of_work(session):
        if await booking_id_for_token(session, manage_token) != booking_id:
            raise NotFound("no such booking")
        return await _visitor_report(session, booking_id, reason, now)


async def report_series(
    session: AsyncSession, series_id: UUID, reason: str, now: datetime
) -> int | None:
    """``report_visitor`` from the join page, whose link names the series: the report is of
    the series' current booking."""
    reason = _reason(reason)
    async with unit_of_work(session):
        found = (
            await session.execute(
                select(BookingRow.id, BookingRow.personal_data_purged_at)
                .where(BookingRow.series_id == series_id)
                .order_by(BookingRow.sequence.desc(), BookingRow.created_at.desc())
                .limit(1)
            )
        ).first()
        if found is None:
            raise NotFound("no such booking")
        if found.personal_data_purged_at is not None:
            raise BookingGone("this booking's data has been erased")
        return await _visitor_report(session, found.id, reason, now)


async def _visitor_report(
    session: AsyncSession, booking_id: UUID, reason: str, now: datetime
) -> int | None:
    mentor_id = (
        await session.execute(select(BookingRow.mentor_id).where(BookingRow.id == booking_id))
    ).scalar()
    if mentor_id is None:
        raise NotFound("no such booking")
    open_ones = (
        await session.execute(
            select(func.count()).where(
                BookingReport.booking_id == booking_id,
                BookingReport.reporter == "visitor",
                BookingReport.resolved_at.is_(None),
            )
        )
    ).scalar_one()
    if open_ones >= VISITOR_REPORTS_PER_BOOKING:
        return None
    report_id = (
        await session.execute(
            insert(BookingReport)
            .values(
                booking_id=booking_id,
                mentor_id=mentor_id,
                reason=reason,
                reporter="visitor",
                created_at=now,
            )
            .returning(BookingReport.id)
        )
    ).scalar_one()
    await record(session, Actor("visitor"), "report", "booking", booking_id, {"report": report_id})
    return int(report_id)


async def reported_booking_ids(session: AsyncSession, mentor_id: UUID) -> set[UUID]:
    rows = await session.execute(
        select(BookingReport.booking_id).where(BookingReport.mentor_id == mentor_id)
    )
    return set(rows.scalars())


@dataclass(frozen=True, slots=True)
class ReportLine:
    id: int
    booking_id: UUID
    mentor_id: UUID
    mentor_name: str
    start: datetime
    status: str
    visitor_first_name: str | None
    visitor_email: str | None
    visitor_question: str | None
    reason: str
    created_at: datetime
    blocked: bool  # the visitor's address is already blocked
    reporter: str = "mentor"  # or "visitor"
    mentor_email: str | None = None  # to contact them


async def open_report_count(session: AsyncSession) -> int:
    query = select(func.count(BookingReport.id)).where(BookingReport.resolved_at.is_(None))
    return int((await session.execute(query)).scalar_one())


async def open_reports(
    session: AsyncSession, limit: int = 100, *, offset: int = 0, oldest_first: bool = False
) -> list[ReportLine]:
    blocked = (
        select(EmailBlock.email_hash)
        .where(
            EmailBlock.email_hash
            == func.sha256(func.convert_to(func.lower(BookingRow.visitor_email), "UTF8"))
        )
        .exists()
    )
    rows = await session.execute(
        select(
            BookingReport.id,
            BookingReport.booking_id,
            BookingReport.mentor_id,
            Mentor.display_name,
            BookingRow.start_at,
            BookingRow.status,
            BookingRow.visitor_first_name,
            BookingRow.visitor_email,
            BookingRow.visitor_question,
            BookingReport.reason,
            BookingReport.created_at,
            blocked.label("blocked"),
            BookingReport.reporter,
            Mentor.email.label("mentor_email"),
        )
        .join(BookingRow, BookingRow.id == BookingReport.booking_id)
        .join(Mentor, Mentor.id == BookingReport.mentor_id)
        .where(BookingReport.resolved_at.is_(None))
        .order_by(
            *(
                (BookingReport.created_at.asc(), BookingReport.id.asc())
                if oldest_first
                else (BookingReport.created_at.desc(), BookingReport.id.desc())
            )
        )
        .limit(limit)
        .offset(offset)
    )
    return [
        ReportLine(
            id=row.id,
            booking_id=row.booking_id,
            mentor_id=row.mentor_id,
            mentor_name=row.display_name,
            start=row.start_at,
            status=row.status,
            visitor_first_name=row.visitor_first_name,
            visitor_email=row.visitor_email,
            visitor_question=row.visitor_question,
            reason=row.reason,
            created_at=row.created_at,
            blocked=bool(row.blocked),
            reporter=row.reporter,
            mentor_email=row.mentor_email,
        )
        for row in rows
    ]


async def _block(
    session: AsyncSession, hashed: bytes, reason: str | None, actor: Actor, details: dict[str, Any]
) -> None:
    await session.execute(
        pg_insert(EmailBlock)
        .values(email_hash=hashed, reason=reason)
        .on_conflict_do_nothing(index_elements=[EmailBlock.email_hash])
    )
    await record(session, actor, "block", "email", hashed.hex()[:16], details)


async def block_email(session: AsyncSession, email: str, reason: str | None, actor: Actor) -> None:
    """Refuse bookings from this address from now on (existing bookings stay)."""
    reason = (reason or "").strip()[:MAX_REASON] or None
    async with unit_of_work(session):
        await _block(session, email_hash(email), reason, actor, {"source": "form"})


async def resolve_report(
    session: AsyncSession, report_id: int, resolution: Resolution, actor: Actor, now: datetime
) -> None:
    """Close a report; ``blocked`` also blocks the reported visitor's address; ``handled``: the
    team acted otherwise (contacted someone, cancelled bookings, deactivated the mentor)."""
    if resolution not in ("blocked", "dismissed", "handled"):
        raise ValidationFailed("resolution must be 'blocked', 'dismissed' or 'handled'")
    async with unit_of_work(session):
        found = (
            await session.execute(
                update(BookingReport)
                .where(BookingReport.id == report_id, BookingReport.resolved_at.is_(None))
                .values(resolved_at=now, resolved_by=actor.id, resolution=resolution)
                .returning(BookingReport.booking_id, BookingReport.reason)
            )
        ).first()
        if found is None:
            raise NotFound("no such open report")
        if resolution == "blocked":
            email = (
                await session.execute(
                    select(BookingRow.visitor_email).where(BookingRow.id == found.booking_id)
                )
            ).scalar()
            if not email:
                raise ValidationFailed("the visitor's address was already purged")
            await _block(session, email_hash(email), found.reason, actor, {"report": report_id})
        await record(session, actor, resolution, "booking_report", report_id)


async def reported_future_bookings(
    session: AsyncSession, report_id: int, now: datetime
) -> list[UUID]:
    """The live bookings to come of whoever a report is about: the mentor's when the visitor
    reported, the visitor's (same address) when the mentor did."""
    found = (
        await session.execute(
            select(BookingReport.reporter, BookingRow.mentor_id, BookingRow.visitor_email)
            .join(BookingRow, BookingRow.id == BookingReport.booking_id)
            .where(BookingReport.id == report_id)
        )
    ).first()
    if found is None:
        raise NotFound("no such report")
    query = select(BookingRow.id).where(
        BookingRow.status == BookingStatus.CONFIRMED, BookingRow.start_at > now
    )
    if found.reporter == "visitor":
        query = query.where(BookingRow.mentor_id == found.mentor_id)
    elif found.visitor_email:
        query = query.where(BookingRow.visitor_email == found.visitor_email)
    else:
        return []
    return list((await session.execute(query.order_by(BookingRow.start_at))).scalars())


@dataclass(frozen=True, slots=True)
class AuditLine:
    at: datetime
    actor_kind: str
    actor_id: str | None
    action: str
    entity: str
    entity_id: str
    details: dict[str, Any]


async def audit_count(session: AsyncSession) -> int:
    return int((await session.execute(select(func.count(AuditEntry.id)))).scalar_one())


async def recent_audit(
    session: AsyncSession,
    limit: int = 50,
    actions: tuple[str, ...] | None = None,
    *,
    offset: int = 0,
    oldest_first: bool = False,
) -> list[AuditLine]:
    query = select(
        AuditEntry.at,
        AuditEntry.actor_kind,
        AuditEntry.actor_id,
        AuditEntry.action,
        AuditEntry.entity,
        AuditEntry.entity_id,
        AuditEntry.details,
    )
    if actions:
        query = query.where(AuditEntry.action.in_(actions))
    order = AuditEntry.id.asc() if oldest_first else AuditEntry.id.desc()
    rows = await session.execute(query.order_by(order).limit(limit).offset(offset))
    return [
        AuditLine(r.at, r.actor_kind, r.actor_id, r.action, r.entity, r.entity_id, r.details)
        for r in rows
    ]
