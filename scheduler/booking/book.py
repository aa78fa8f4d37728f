"""Booking one slot: one transaction locks the mentor, re-runs the engine for the slot, inserts the booking with its token, outbox rows and audit entry."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID, uuid4

from psycopg import AsyncConnection
from sqlalchemy import (
    LargeBinary,
    Text,
    Uuid,
    bindparam,
    insert,
    select,
)
from sqlalchemy.ext.asyncio import AsyncSession

from availability import SLOT_LENGTH, Interval, is_bookable
from availability.intervals import as_utc
from scheduler.booking.models import EmailBlock, IdempotencyKey
from scheduler.booking.ports import BusyCheck
from scheduler.booking.reads import get_booking
from scheduler.booking.records import BookingRecord, BookResult
from scheduler.booking.tokens import TOKEN_GRACE, _issue_token
from scheduler.booking.visitors import Visitor, _request_hash, _validated
from scheduler.catalog import Filiere, Mentor, MentorFiliere, PolicyRow
from scheduler.platform import (
    IDEMPOTENCY_KEY_CONSTRAINT,
    INTEGRITY_ERRORS,
    Actor,
    AuditEntry,
    EmailBlocked,
    IdempotencyConflict,
    MentorUnavailable,
    NotFound,
    OutsideAvailability,
    SlotTaken,
    ValidationFailed,
    compiled,
    constraint_name,
    digest,
    driver_connection,
    fetch_all,
    new_secret,
    outbox,
    sql_literal,
    unit_of_work,
)
from scheduler.schedules import (
    LIVE_STATUS,
    MentorState,
    load_states,
    mentor_policy_query,
)


async def book(
    session: AsyncSession,
    *,
    mentor_id: UUID,
    slot_start: datetime,
    visitor: Visitor,
    now: datetime,
    idempotency_key: str | None = None,
    filiere: str | None = None,
    busy_check: BusyCheck | None = None,
) -> BookResult:
    """Book the slot starting at ``slot_start`` with a mentor, in one transaction.

    ``filiere``: slug of the page the visitor came from (one of the mentor's). With an
    ``idempotency_key``, a retry with the same body returns the same booking (and a fresh manage
    token) and a different body raises IdempotencyConflict.

    Raises ValidationFailed / AvailabilityError (bad input), NotFound, MentorUnavailable,
    EmailBlocked, OutsideAvailability (not offered), SlotTaken (taken by someone else, or the
    day/week cap is reached), IdempotencyConflict.
    """
    slot_start = as_utc(slot_start, "slot_start")
    now = as_utc(now, "now")
    visitor = _validated(visitor)
    if idempotency_key is not None and not 1 <= len(idempotency_key) <= 200:
        raise ValidationFailed("an Idempotency-Key has 1 to 200 characters")
    request_hash = _request_hash(mentor_id, slot_start, visitor, filiere)
    try:
        async with unit_of_work(session):
            fresh = await _fresh_busy(session, busy_check, mentor_id, slot_start)
            # Round trip 1: lock the mentor (bookings of one mentor are made one after another).
            connection = await driver_connection(session)
            mentor = await _lock_mentor(connection, mentor_id, visitor.email, filiere)
            if idempotency_key is not None:
                # After the lock: a retry that waited behind its first attempt finds it here.
                replay = await _replay(session, idempotency_key, request_hash, now)
                if replay is not None:
                    return replay
            _ensure_available(mentor)
            if mentor.blocked:
                raise EmailBlocked("this email address cannot book")
            if filiere is not None and mentor.filiere_id is None:
                raise ValidationFailed(f"the mentor is not in the filière {filiere!r}")
            # Round trip 2 (a fresh snapshot, taken after the lock): rules, bookings, busy.
            state = await _revalidate(session, connection, mentor, slot_start, now, fresh)
            # Round trip 3: the booking, its token, outbox rows, audit and idempotency key.
            booking_id = uuid4()
            result = await _insert_booking(
                connection,
                booking_id=booking_id,
                series_id=booking_id,
                sequence=0,
                mentor_id=mentor_id,
                filiere_id=mentor.filiere_id,
                slot_start=slot_start,
                state=state,
                visitor=visitor,
                consent_at=now,
                now=now,
                actor=Actor("visitor"),
                action="book",
                audit_details={"mentor_id": str(mentor_id), "start": slot_start.isoformat()},
                idempotency=(idempotency_key, request_hash) if idempotency_key else None,
            )
            return result
    except ValidationFailed as error:
        if idempotency_key is None or not _idempotency_race(error):
            raise
        race = error
    # The same key committed concurrently for another mentor's booking: answer as its replay.
    async with unit_of_work(session):
        replay = await _replay(session, idempotency_key, request_hash, now)
    if replay is None:
        raise race
    return replay


def _idempotency_race(error: ValidationFailed) -> bool:
    cause = error.__cause__
    return (
        isinstance(cause, INTEGRITY_ERRORS) and constraint_name(cause) == IDEMPOTENCY_KEY_CONSTRAINT
    )


def _lock_mentor_query() -> str:
    """The mentor's loader columns (``loading.mentor_policy_query``), locked, with whether the
    visitor's email is blocked and the id of the filière booked from (when the mentor is in it):
    round trip 1 of a booking."""
    blocked = (
        select(EmailBlock.email_hash)
        .where(EmailBlock.email_hash == bindparam("email_hash", type_=LargeBinary))
        .exists()
        .label("blocked")
    )
    filiere = (
        select(Filiere.id)
        .join(MentorFiliere, MentorFiliere.filiere_id == Filiere.id)
        .where(Filiere.slug == bindparam("slug", type_=Text), MentorFiliere.mentor_id == Mentor.id)
        .scalar_subquery()
        .label("filiere_id")
    )
    return compiled(
        mentor_policy_query()
        .add_columns(blocked, filiere)
        .where(Mentor.id == bindparam("id", type_=Uuid))
        .with_for_update(of=Mentor)
    )


_LOCK_MENTOR = _lock_mentor_query()


def _with_fresh_busy(
    state: MentorState, fresh: tuple[Interval, list[Interval]] | None
) -> MentorState:
    if fresh is None:
        return state
    span, busy = fresh
    # Fresh busy time replaces the cache where it was fetched, and only there.
    return state.with_busy([b for b in state.busy if not b.overlaps(span)] + busy)


async def _replay(
    session: AsyncSession, key: str, request_hash: str, now: datetime
) -> BookResult | None:
    found = (
        await session.execute(
            select(IdempotencyKey.request_hash, IdempotencyKey.booking_id).where(
                IdempotencyKey.key == key
            )
        )
    ).first()
    if found is None:
        return None
    if found.request_hash != request_hash:
        raise IdempotencyConflict("this Idempotency-Key was used for a different request")
    booking = await get_booking(session, found.booking_id)
    # The first answer carried the only copy of the raw token; a retry gets a new one.
    token = await _issue_token(session, booking.id, booking.end)
    return BookResult(booking, token, replayed=True)


async def _fresh_busy(
    session: AsyncSession, busy_check: BusyCheck | None, mentor_id: UUID, slot_start: datetime
) -> tuple[Interval, list[Interval]] | None:
    """Fresh busy time over the slot's occupied range (with today's buffers), fetched before
    any lock; the read transaction is closed first so nothing waits on the network."""
    if busy_check is None:
        return None
    buffers = (
        await session.execute(
            select(PolicyRow.buffer_before_minutes, PolicyRow.buffer_after_minutes).where(
                PolicyRow.mentor_id == mentor_id
            )
        )
    ).first()
    await session.commit()
    before, after = (
        (buffers.buffer_before_minutes, buffers.buffer_after_minutes) if buffers else (0, 0)
    )
    span = Interval(
        slot_start - timedelta(minutes=before), slot_start + SLOT_LENGTH + timedelta(minutes=after)
    )
    busy = await busy_check.fresh_busy(mentor_id, span.start, span.end)
    return None if busy is None else (span, list(busy))


# A named tuple of _LOCK_MENTOR's columns (the driver path builds no ORM row).
LockedMentor = Any


async def _lock_mentor(
    connection: AsyncConnection[Any], mentor_id: UUID, email: str, filiere: str | None
) -> LockedMentor:
    """Lock the mentor's row (one booking of a mentor at a time, book and reschedule alike)
    and read what the engine and the checks need: the policy columns, whether ``email`` is
    blocked, the id of ``filiere`` when the mentor is in it."""
    found = await fetch_all(
        connection,
        _LOCK_MENTOR,
        {"id": mentor_id, "email_hash": hashlib.sha256(email.encode()).digest(), "slug": filiere},
    )
    if not found:
        raise NotFound("no such mentor")
    return found[0]


def _ensure_available(mentor: LockedMentor) -> None:
    if not mentor.active or mentor.paused:
        raise MentorUnavailable("this mentor is not taking bookings")


async def _revalidate(
    session: AsyncSession,
    connection: AsyncConnection[Any],
    mentor: LockedMentor,
    slot_start: datetime,
    now: datetime,
    fresh: tuple[Interval, list[Interval]] | None,
    exclude_booking: UUID | None = None,
) -> MentorState:
    """The engine again, on a snapshot taken under the lock: the slot must still be offered
    (``exclude_booking``: the booking being moved, which no longer counts)."""
    states = await load_states(
        session,
        [mentor],
        now,
        slot_start,
        slot_start + SLOT_LENGTH,
        connection=connection,
        exclude_booking=exclude_booking,
    )
    state = _with_fresh_busy(states[mentor.id], fresh)
    _ensure_bookable(state, slot_start, now)
    return state


def _ensure_bookable(state: MentorState, slot_start: datetime, now: datetime) -> None:
    args = (state.schedule, state.policy, state.busy)
    if is_bookable(*args, state.bookings, now, slot_start):
        return
    if state.bookings and is_bookable(*args, (), now, slot_start):
        # Offered but for other live bookings: taken (overlap through buffers, or a full day or
        # week).
        raise SlotTaken("this slot has just been taken")
    raise OutsideAvailability("this time is not offered by the mentor")


_INSERT_BOOKING = f"""
    WITH b AS (
      INSERT INTO bookings (id, series_id, sequence, mentor_id, filiere_id, start_at, end_at,
                            buffer_before_minutes, buffer_after_minutes, status,
                            visitor_first_name, visitor_email, visitor_question,
                            visitor_timezone, language, consent_at, created_at)
      VALUES (%(id)s, %(series_id)s, %(sequence)s, %(mentor_id)s, %(filiere_id)s::uuid,
              %(start_at)s, %(end_at)s, %(buffer_before)s, %(buffer_after)s, {sql_literal(LIVE_STATUS)},
              %(first_name)s, %(email)s, %(question)s::text, %(timezone)s, %(language)s,
              %(consent_at)s, %(now)s)
      RETURNING id
    ), token AS (
      INSERT INTO manage_tokens (token_hash, booking_id, purpose, expires_at)
      SELECT %(token_hash)s, b.id, 'manage', %(token_expires)s FROM b
    ), messages AS (
      INSERT INTO outbox (kind, payload, available_at)
      SELECT m.kind, m.payload, m.available_at
        FROM b, jsonb_to_recordset(%(outbox)s::jsonb)
                AS m(kind text, payload jsonb, available_at timestamptz)
    ), audit AS (
      INSERT INTO audit_log (actor_kind, actor_id, action, entity, entity_id, details)
      SELECT %(actor_kind)s, %(actor_id)s::text, %(action)s, 'booking', b.id::text,
             %(details)s::jsonb
        FROM b
    )
    INSERT INTO idempotency_keys (key, request_hash, booking_id)
    SELECT %(idempotency_key)s::text, %(request_hash)s::text, b.id
      FROM b WHERE %(idempotency_key)s::text IS NOT NULL
"""


async def _insert_booking(
    connection: AsyncConnection[Any],
    *,
    booking_id: UUID,
    series_id: UUID,
    sequence: int,
    mentor_id: UUID,
    filiere_id: UUID | None,
    slot_start: datetime,
    state: MentorState,
    visitor: Visitor,
    consent_at: datetime,
    now: datetime,
    actor: Actor,
    action: str,
    audit_details: dict[str, Any],
    idempotency: tuple[str, str] | None = None,
    rescheduled_from: UUID | None = None,
) -> BookResult:
    """One statement: the booking, its manage token, its outbox rows, the audit entry and the
    idempotency key. The exclusion constraint is checked here."""
    slot_end = slot_start + state.policy.slot_length
    token = new_secret()
    messages = outbox.after_booking(
        booking_id, slot_start, slot_end, now, rescheduled_from=rescheduled_from
    )
    buffer_before = state.settings.buffer_before_minutes
    buffer_after = state.settings.buffer_after_minutes
    await connection.execute(
        _INSERT_BOOKING,
        {
            "id": booking_id,
            "series_id": series_id,
            "sequence": sequence,
            "mentor_id": mentor_id,
            "filiere_id": filiere_id,
            "start_at": slot_start,
            "end_at": slot_end,
            "buffer_before": buffer_before,
            "buffer_after": buffer_after,
            "first_name": visitor.first_name,
            "email": visitor.email,
            "question": visitor.question,
            "timezone": visitor.timezone,
            "language": visitor.language,
            "consent_at": consent_at,
            "now": now,
            "token_hash": digest(token),
            "token_expires": slot_end + TOKEN_GRACE,
            "outbox": json.dumps(
                [
                    {
                        "kind": m["kind"],
                        "payload": m["payload"],
                        "available_at": m["available_at"].isoformat(),
                    }
                    for m in messages
                ]
            ),
            "actor_kind": actor.kind,
            "actor_id": actor.id,
            "action": action,
            "details": json.dumps(audit_details),
            "idempotency_key": idempotency[0] if idempotency else None,
            "request_hash": idempotency[1] if idempotency else None,
        },
    )
    # Every column is known here (``occupied`` is the database's own), so no RETURNING.
    record = BookingRecord(
        id=booking_id,
        series_id=series_id,
        sequence=sequence,
        mentor_id=mentor_id,
        filiere_id=filiere_id,
        start=slot_start,
        end=slot_end,
        buffer_before_minutes=buffer_before,
        buffer_after_minutes=buffer_after,
        status=LIVE_STATUS,
        visitor_first_name=visitor.first_name,
        visitor_email=visitor.email,
        visitor_question=visitor.question,
        visitor_timezone=visitor.timezone,
        language=visitor.language,
        consent_at=consent_at,
        cancel_reason=None,
        cancelled_by=None,
        cancelled_at=None,
        rescheduled_to=None,
        meet_url=None,
        created_at=now,
    )
    return BookResult(record, token)


async def _finish(
    session: AsyncSession,
    statements: Sequence[Any],
    outbox_rows: list[dict[str, Any]],
    audit: dict[str, Any],
) -> None:
    for statement in statements:
        await session.execute(statement)
    await outbox.enqueue(session, outbox_rows)
    await session.execute(insert(AuditEntry).values(**audit))
