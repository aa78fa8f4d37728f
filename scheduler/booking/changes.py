"""A live booking changed: cancelled, rescheduled (a new booking in the same series) or marked a no-show."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any, Literal
from uuid import UUID, uuid4

from sqlalchemy import (
    Row,
    select,
    update,
)
from sqlalchemy.ext.asyncio import AsyncSession

from availability import supported_instant
from availability.intervals import as_utc
from scheduler.booking.book import (
    _ensure_available,
    _fresh_busy,
    _lock_mentor,
    _revalidate,
)
from scheduler.booking.insert import insert_booking
from scheduler.booking.models import BookingRow
from scheduler.booking.ports import BusyCheck
from scheduler.booking.reads import _BOOKING_COLUMNS, _record, get_booking
from scheduler.booking.records import BookingRecord, BookResult
from scheduler.booking.tokens import _check_token, _use_tokens
from scheduler.booking.visitors import Visitor, _reason
from scheduler.platform import (
    Actor,
    BookingNotLive,
    NotFound,
    ValidationFailed,
    driver_connection,
    outbox,
    record,
    unit_of_work,
)
from scheduler.schedules import LIVE_STATUS, BookingStatus

CancelledBy = Literal["visitor", "mentor", "staff"]


async def cancel_by_token(
    session: AsyncSession, booking_id: UUID, token: str, now: datetime, reason: str | None = None
) -> BookingRecord:
    """The visitor cancels through the manage link."""

    async def check() -> None:
        await _check_token(session, booking_id, token, now)

    return await _cancel(session, booking_id, now, reason, "visitor", Actor("visitor"), check)


async def cancel_by_mentor(
    session: AsyncSession,
    booking_id: UUID,
    mentor_id: UUID,
    now: datetime,
    reason: str | None = None,
) -> BookingRecord:
    return await _cancel(
        session, booking_id, now, reason, "mentor", Actor.mentor(mentor_id), None, mentor_id
    )


async def cancel_by_staff(
    session: AsyncSession,
    booking_id: UUID,
    now: datetime,
    reason: str | None = None,
    actor: Actor | None = None,
) -> BookingRecord:
    return await _cancel(session, booking_id, now, reason, "staff", actor or Actor.staff(), None)


async def _lock_live(
    session: AsyncSession, booking_id: UUID, mentor_id: UUID | None
) -> Row[*tuple[Any, ...]]:
    """The live booking, locked (``mentor_id``: only if it is that mentor's)."""
    row = (
        await session.execute(
            select(*_BOOKING_COLUMNS).where(BookingRow.id == booking_id).with_for_update()
        )
    ).first()
    if row is None or (mentor_id is not None and row.mentor_id != mentor_id):
        raise NotFound("no such booking")
    if row.status != LIVE_STATUS:
        raise BookingNotLive(f"this booking is {row.status}")
    return row


async def _lock_booking(
    session: AsyncSession, booking_id: UUID, now: datetime, mentor_id: UUID | None
) -> Row[*tuple[Any, ...]]:
    """The live booking, locked, that has not started yet (it may still change)."""
    row = await _lock_live(session, booking_id, mentor_id)
    if row.start_at <= now:
        raise BookingNotLive("this booking has already started")
    return row


async def _cancel(
    session: AsyncSession,
    booking_id: UUID,
    now: datetime,
    reason: str | None,
    by: CancelledBy,
    actor: Actor,
    check: Callable[[], Awaitable[None]] | None,
    mentor_id: UUID | None = None,
) -> BookingRecord:
    now = as_utc(now, "now")
    reason = _reason(reason)
    async with unit_of_work(session):
        if check is not None:
            await check()
        await _lock_booking(session, booking_id, now, mentor_id)
        row = (
            await session.execute(
                update(BookingRow)
                .where(BookingRow.id == booking_id)
                # A cancellation is a change the attendees' calendars must see: the CANCEL invite
                # needs a SEQUENCE above the last REQUEST's (RFC 5546 2.1.4).
                .values(
                    status=BookingStatus.CANCELLED,
                    cancelled_by=by,
                    cancel_reason=reason,
                    cancelled_at=now,
                    sequence=BookingRow.sequence + 1,
                )
                .returning(*_BOOKING_COLUMNS)
            )
        ).one()
        await _use_tokens(session, booking_id, now)
        await outbox.drop_timed(session, booking_id)
        await outbox.enqueue(session, outbox.after_cancel(booking_id, now))
        await outbox.enqueue(session, [outbox.webhook_event("booking.cancelled", booking_id, now)])
        await record(session, actor, "cancel", "booking", booking_id, {"by": by})
        return _record(row)


async def reschedule_by_token(
    session: AsyncSession,
    booking_id: UUID,
    token: str,
    new_start: datetime,
    now: datetime,
    busy_check: BusyCheck | None = None,
) -> BookResult:
    """The visitor moves the booking through the manage link: the old booking becomes
    ``rescheduled`` and a new one (same series, sequence + 1, new manage token) exists — both or
    neither."""

    async def check() -> None:
        await _check_token(session, booking_id, token, now)

    return await _reschedule(
        session, booking_id, new_start, now, Actor("visitor"), check, None, busy_check
    )


async def reschedule_by_mentor(
    session: AsyncSession,
    booking_id: UUID,
    mentor_id: UUID,
    new_start: datetime,
    now: datetime,
    busy_check: BusyCheck | None = None,
) -> BookResult:
    return await _reschedule(
        session, booking_id, new_start, now, Actor.mentor(mentor_id), None, mentor_id, busy_check
    )


async def _reschedule(
    session: AsyncSession,
    booking_id: UUID,
    new_start: datetime,
    now: datetime,
    actor: Actor,
    check: Callable[[], Awaitable[None]] | None,
    mentor_id: UUID | None,
    busy_check: BusyCheck | None,
) -> BookResult:
    new_start = supported_instant(new_start, "new_start")
    now = as_utc(now, "now")
    async with unit_of_work(session):
        if check is not None:
            await check()
        current = await get_booking(session, booking_id)
        if mentor_id is not None and current.mentor_id != mentor_id:
            raise NotFound("no such booking")
        if new_start == current.start:
            raise ValidationFailed("the booking is already at this time")
        fresh = await _fresh_busy(session, busy_check, current.mentor_id, new_start)
        connection = await driver_connection(session)
        mentor = await _lock_mentor(
            connection, current.mentor_id, current.visitor_email or "", None
        )
        _ensure_available(mentor)
        old = await _lock_booking(session, booking_id, now, mentor_id)
        state = await _revalidate(
            session, connection, mentor, new_start, now, fresh, exclude_booking=old.id
        )
        await session.execute(
            update(BookingRow)
            .where(BookingRow.id == old.id)
            .values(status=BookingStatus.RESCHEDULED)
        )
        new_id = uuid4()
        result = await insert_booking(
            connection,
            booking_id=new_id,
            series_id=old.series_id,
            sequence=old.sequence + 1,
            mentor_id=old.mentor_id,
            filiere_id=old.filiere_id,
            slot_start=new_start,
            state=state,
            visitor=Visitor(
                old.visitor_first_name,
                old.visitor_email,
                old.visitor_question,
                old.visitor_timezone,
                old.language,
                old.consent_basis,
            ),
            consent_at=old.consent_at,
            now=now,
            actor=actor,
            action="reschedule",
            audit_details={"from": str(old.id), "start": new_start.isoformat()},
            rescheduled_from=old.id,
        )
        await session.execute(
            update(BookingRow).where(BookingRow.id == old.id).values(rescheduled_to=new_id)
        )
        await _use_tokens(session, old.id, now)
        await outbox.drop_timed(session, old.id)
        return result


async def mark_no_show(
    session: AsyncSession,
    booking_id: UUID,
    now: datetime,
    actor: Actor,
    mentor_id: UUID | None = None,
) -> BookingRecord:
    """The visitor did not come (after the start only). ``mentor_id``: only that mentor's."""
    now = as_utc(now, "now")
    async with unit_of_work(session):
        row = await _lock_live(session, booking_id, mentor_id)
        if row.start_at > now:
            raise BookingNotLive("a booking can be marked as a no-show once it has started")
        updated = (
            await session.execute(
                update(BookingRow)
                .where(BookingRow.id == booking_id)
                .values(status=BookingStatus.NO_SHOW)
                .returning(*_BOOKING_COLUMNS)
            )
        ).one()
        await outbox.drop_timed(session, booking_id)
        await record(session, actor, "no_show", "booking", booking_id)
        await outbox.enqueue(session, [outbox.webhook_event("booking.no_show", booking_id, now)])
        return _record(updated)
