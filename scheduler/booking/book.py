"""Booking one slot: one transaction locks the mentor, re-runs the engine for the slot, inserts the booking with its token, outbox rows and audit entry."""

from __future__ import annotations

import hashlib
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID, uuid4

from psycopg import AsyncConnection
from sqlalchemy import (
    LargeBinary,
    Text,
    Uuid,
    and_,
    bindparam,
    cast,
    func,
    literal_column,
    or_,
    select,
)
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from availability import SLOT_LENGTH, Interval, is_bookable, supported_instant
from availability.intervals import as_utc
from scheduler.booking.insert import insert_booking
from scheduler.booking.models import EmailBlock, IdempotencyKey
from scheduler.booking.ports import BusyCheck
from scheduler.booking.precheck import pass_gate, taken_after_holder
from scheduler.booking.reads import get_booking
from scheduler.booking.records import BookResult
from scheduler.booking.tokens import _issue_token
from scheduler.booking.visitors import Visitor, _request_hash, checked
from scheduler.catalog import Filiere, Mentor, MentorFiliere, PolicyRow
from scheduler.platform import (
    IDEMPOTENCY_KEY_CONSTRAINT,
    INTEGRITY_ERRORS,
    Actor,
    BookingGone,
    EmailBlocked,
    IdempotencyConflict,
    MentorUnavailable,
    NotFound,
    OutsideAvailability,
    SlotTaken,
    ValidationFailed,
    compiled,
    constraint_name,
    driver_connection,
    fetch_all,
    unit_of_work,
)
from scheduler.schedules import (
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
    request_secret: str | None = None,
) -> BookResult:
    """Book the slot starting at ``slot_start`` with a mentor, in one transaction.

    ``filiere``: slug of the page the visitor came from (one of the mentor's). With an
    ``idempotency_key``, a retry with the same body returns the same booking (and a fresh manage
    token) and a different body raises IdempotencyConflict; ``request_secret`` (the service's
    ``SECRET_KEY``) keys the hash of the body kept with the key, and is required with it. A key
    whose booking's personal data was erased raises BookingGone.

    Raises ValidationFailed / AvailabilityError (bad input), NotFound, MentorUnavailable,
    EmailBlocked, OutsideAvailability (not offered), SlotTaken (taken by someone else, or the
    day/week cap is reached), IdempotencyConflict.
    """
    slot_start = supported_instant(slot_start, "slot_start")
    now = as_utc(now, "now")
    if idempotency_key is not None and not 1 <= len(idempotency_key) <= 200:
        raise ValidationFailed("an Idempotency-Key has 1 to 200 characters")
    if idempotency_key is not None and not request_secret:
        raise ValueError("an Idempotency-Key needs the request secret to key its hash")
    secret = request_secret or ""
    # A caller already in a transaction may hold the mentor's lock (confirm_verification): it
    # must not wait for the slot's holder, which may be waiting for that lock.
    gated = not session.in_transaction()
    fresh = await _fresh_busy(session, busy_check, mentor_id, slot_start)
    try:
        for round_ in range(_GATE_ROUNDS):
            try:
                async with unit_of_work(session):
                    return await _book_in_transaction(
                        session,
                        mentor_id=mentor_id,
                        slot_start=slot_start,
                        visitor=visitor,
                        now=now,
                        idempotency_key=idempotency_key,
                        request_secret=secret,
                        filiere=filiere,
                        fresh=fresh,
                        # The last round goes without the key: it queues on the mentor's lock
                        # as every attempt once did, so a run of failing holders ends.
                        hold=gated and round_ < _GATE_ROUNDS - 1,
                    )
            except _HolderFailed:
                continue
        raise AssertionError("the last round holds no key, so it never asks for another")
    except ValidationFailed as error:
        if idempotency_key is None or not _idempotency_race(error):
            raise
        race = error
    # The same key committed concurrently for another mentor's booking: answer as its replay.
    request_hash = _request_hash(secret, mentor_id, slot_start, checked(visitor), filiere)
    async with unit_of_work(session):
        replay = await _replay(session, idempotency_key, request_hash, now)
    if replay is None:
        raise race
    return replay


# Rounds of the slot's gate before an attempt queues on the mentor's lock without it (a new
# round only when the holder it waited for failed and the slot is still free).
_GATE_ROUNDS = 3


class _HolderFailed(Exception):
    """The slot's holder ended without taking it: compete again in a new transaction (the one
    that waited holds the key shared until it ends)."""


async def _book_in_transaction(
    session: AsyncSession,
    *,
    mentor_id: UUID,
    slot_start: datetime,
    visitor: Visitor,
    now: datetime,
    idempotency_key: str | None,
    request_secret: str,
    filiere: str | None,
    fresh: tuple[Interval, list[Interval]] | None,
    hold: bool,
) -> BookResult:
    """One round of ``book``: the gate, then (for the attempt that can still win) the booking.
    The visitor is checked after the gate's refusal, which needs none of it (the API passes a
    visitor it checked already, which costs nothing here): a lost race costs one statement and
    little else."""
    connection = await driver_connection(session)
    gate = await pass_gate(connection, mentor_id, slot_start, hold=hold)
    if gate is None:
        raise NotFound("no such mentor")
    _ensure_available(gate)
    taken = gate.taken
    if not taken and hold and not gate.holder:
        taken = await taken_after_holder(connection, mentor_id, slot_start)
        if not taken:
            raise _HolderFailed
    if taken:
        # A lost race, answered before the mentor's lock, unless the booking is this request's
        # own (a retry: the key commits with it, and this later statement sees it).
        if idempotency_key is not None:
            visitor = checked(visitor)
            request_hash = _request_hash(request_secret, mentor_id, slot_start, visitor, filiere)
            replay = await _replay(session, idempotency_key, request_hash, now)
            if replay is not None:
                return replace(replay, mentor_name=gate.display_name)
        raise SlotTaken("this slot has just been taken")
    visitor = checked(visitor)
    request_hash = _request_hash(request_secret, mentor_id, slot_start, visitor, filiere)
    # Round trip 1: lock the mentor (bookings of one mentor are made one after another).
    mentor = await _lock_mentor(connection, mentor_id, visitor.email, filiere)
    if idempotency_key is not None:
        # After the lock: a retry that waited behind its first attempt finds it here.
        replay = await _replay(session, idempotency_key, request_hash, now)
        if replay is not None:
            return replace(replay, mentor_name=gate.display_name)
    _ensure_available(mentor)
    if mentor.blocked:
        raise EmailBlocked("this email address cannot book")
    if filiere is not None and mentor.filiere_id is None:
        raise ValidationFailed(f"the mentor is not in the filière {filiere!r}")
    # Round trip 2 (a fresh snapshot, taken after the lock): rules, bookings, busy.
    state = await _revalidate(session, connection, mentor, slot_start, now, fresh)
    # Round trip 3: the booking, its token, outbox rows, audit and idempotency key.
    booking_id = uuid4()
    result = await insert_booking(
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
    return replace(result, mentor_name=gate.display_name)


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
    slug = bindparam("slug", type_=Text)
    # Without a page to name (a bare "book this mentor" button), a mentor of one filière is
    # booked in it: the statistics and frequent questions then still know where it belongs.
    # Its own alias, correlated to the mentor only (not to the membership row beside it).
    membership = aliased(MentorFiliere)
    sole_filiere = (
        select(func.count())
        .select_from(membership)
        .where(membership.mentor_id == Mentor.id)
        .correlate(Mentor)
        .scalar_subquery()
        # A literal, not a parameter: the driver path passes only the named parameters.
        == literal_column("1")
    )
    filiere = (
        select(Filiere.id)
        .join(MentorFiliere, MentorFiliere.filiere_id == Filiere.id)
        .where(
            MentorFiliere.mentor_id == Mentor.id,
            or_(Filiere.slug == slug, and_(cast(slug, Text).is_(None), sole_filiere)),
        )
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
    if found.booking_id is None:
        # A tombstone: the booking's data was erased; nothing is issued for it again.
        raise BookingGone("the booking made with this Idempotency-Key has been erased")
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
