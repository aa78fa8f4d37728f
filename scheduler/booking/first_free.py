""" "Le premier étudiant disponible": one calendar for a whole filière, and a booking that goes to
a free mentor of it instead of a chosen one.

The calendar is the union of the filière's mentors' slots (each from the engine, as for one
mentor). The booking is the per-mentor booking (``book.py``'s lock, re-validation and insert)
tried on the free mentors in the order of a fairness rule, stopping at the first that succeeds:

- candidates are the filière's active, unpaused mentors for whom the engine offers the time,
  on one snapshot taken before any lock;
- they are ranked by the number of live bookings starting in that mentor's ISO week of the
  time being booked (the mentor's timezone: the week whose load is being shared, the one the
  week cap counts), fewest first, then by a hash of (the request's key, the mentor's id) — a
  stable tie-break that differs between requests, so that two visitors racing for one time do
  not queue on the same mentor's lock;
- each candidate is tried in its own transaction (one mentor locked at a time: no deadlock,
  and a taken mentor's lock is released before the next is taken); one that is no longer free
  at that instant (a concurrent booking, a pause, a cap) passes the request to the next free
  one of a fresh snapshot (re-ranked, the mentors already tried left out), until none is left.

One request makes at most one booking: it stops at its first insert, and with an
Idempotency-Key the key is written in the booking's own statement (a concurrent duplicate finds
it under the mentor's lock, or fails on the key's primary key and answers as its replay).
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from typing import Any
from uuid import UUID, uuid4

from sqlalchemy.ext.asyncio import AsyncSession

from availability import (
    SLOT_LENGTH,
    SlotRun,
    free_slot_runs_for_many,
    is_bookable,
    merged_runs,
    run_instants,
    supported_instant,
    zone,
)
from availability.intervals import as_utc
from scheduler.booking.book import (
    _ensure_available,
    _fresh_busy,
    _idempotency_race,
    _lock_mentor,
    _replay,
    _revalidate,
)
from scheduler.booking.insert import insert_booking
from scheduler.booking.ports import BusyCheck
from scheduler.booking.records import BookResult
from scheduler.booking.visitors import Visitor, checked
from scheduler.catalog import FiliereRecord
from scheduler.platform import (
    Actor,
    EmailBlocked,
    MentorUnavailable,
    NotFound,
    OutsideAvailability,
    SlotTaken,
    ValidationFailed,
    driver_connection,
    unit_of_work,
)
from scheduler.schedules import IS_LIVE, MentorState, filiere_states

# Failures that concern one mentor only: the request goes on to the next free one.
_PASS_ON = (SlotTaken, OutsideAvailability, MentorUnavailable, NotFound)


@dataclass(frozen=True, slots=True)
class FiliereCalendar:
    """Every instant at which at least one mentor of ``filiere`` is free, sorted, each once."""

    filiere: FiliereRecord
    runs: tuple[SlotRun, ...]

    @property
    def slots(self) -> tuple[datetime, ...]:
        return tuple(run_instants(self.runs))


async def filiere_calendar(
    session: AsyncSession, slug: str, now: datetime, start: datetime, end: datetime
) -> FiliereCalendar:
    """The merged calendar of a filière over ``[start, end)`` (NotFound for an unknown slug).

    The engine's many-mentor call shares each timezone's conversions between the mentors; its
    slots come as runs (``availability.SlotRun``), what the calendar's answer is built from."""
    filiere, states = await filiere_states(session, slug, now, start, end)
    answer = free_slot_runs_for_many(
        {mid: state.engine_input for mid, state in states.items()}, now, start, end
    )
    return FiliereCalendar(filiere, tuple(merged_runs(answer.values())))


def week_span(timezone: str, instant: datetime) -> tuple[datetime, datetime]:
    """The UTC bounds of the ISO week (Monday 00:00 to Monday 00:00, in ``timezone``) holding
    ``instant``."""
    tz = zone(timezone)
    local = instant.astimezone(tz).date()
    monday = local - timedelta(days=local.weekday())
    return (
        datetime.combine(monday, time(), tz).astimezone(UTC),
        datetime.combine(monday + timedelta(days=7), time(), tz).astimezone(UTC),
    )


def tie_break(request_key: str, mentor_id: UUID) -> bytes:
    """The stable random order among mentors with as many bookings that week."""
    return hashlib.sha256(f"{request_key}\x00{mentor_id}".encode()).digest()


def ranked(week_counts: Mapping[UUID, int], request_key: str) -> list[UUID]:
    """The free mentors in the order they are tried: fewest bookings that week first."""
    return sorted(week_counts, key=lambda m: (week_counts[m], tie_break(request_key, m)))


_WEEK_COUNTS = f"""
    SELECT w.id,
      (SELECT count(*) FROM bookings
        WHERE mentor_id = w.id AND {IS_LIVE} AND start_at >= w.low AND start_at < w.high)
      FROM unnest(%(ids)s::uuid[], %(lows)s::timestamptz[], %(highs)s::timestamptz[])
           AS w(id, low, high)
"""


async def week_counts(
    session: AsyncSession, mentors: Sequence[tuple[UUID, str]], instant: datetime
) -> dict[UUID, int]:
    """Live bookings starting in each mentor's ISO week of ``instant`` (mentor id, timezone)."""
    if not mentors:
        return {}
    spans = [week_span(tz, instant) for _, tz in mentors]
    connection = await driver_connection(session)
    cursor = await connection.execute(
        _WEEK_COUNTS,
        {
            "ids": [mid for mid, _ in mentors],
            "lows": [low for low, _ in spans],
            "highs": [high for _, high in spans],
        },
    )
    return {row[0]: int(row[1]) for row in await cursor.fetchall()}


def _free_at(states: Mapping[UUID, MentorState], slot_start: datetime, now: datetime) -> list[UUID]:
    return [
        mid
        for mid, s in states.items()
        if is_bookable(s.schedule, s.policy, s.busy, s.bookings, now, slot_start)
    ]


async def candidates(
    session: AsyncSession, slug: str, slot_start: datetime, now: datetime, request_key: str
) -> list[UUID]:
    """The filière's mentors free at ``slot_start`` on one snapshot, in the order to try them.
    None free: SlotTaken when some mentor offers the time but for their bookings (taken, or a
    full day or week), OutsideAvailability otherwise."""
    _, states = await filiere_states(session, slug, now, slot_start, slot_start + SLOT_LENGTH)
    free = _free_at(states, slot_start, now)
    if not free:
        if any(
            is_bookable(s.schedule, s.policy, s.busy, (), now, slot_start) for s in states.values()
        ):
            raise SlotTaken("every mentor free at this time has just been taken")
        raise OutsideAvailability("no mentor of this filière is free at this time")
    zones = {mid: states[mid].schedule.timezone for mid in free}
    counts = await week_counts(session, [(mid, zones[mid]) for mid in free], slot_start)
    return ranked(counts, request_key)


def _request_hash(secret: str, slug: str, slot_start: datetime, visitor: Visitor) -> str:
    # No mentor in it: a retry of the same request is the same request whoever got it.
    body = {
        "first_available": slug,
        "slot_start": slot_start.isoformat(),
        "first_name": visitor.first_name,
        "email": visitor.email,
        "question": visitor.question,
        "timezone": visitor.timezone,
        "language": visitor.language,
        "consent_basis": visitor.consent_basis,
    }
    # Keyed, as the per-mentor booking's (scheduler.booking.visitors): the body holds the email.
    message = json.dumps(body, sort_keys=True).encode()
    return hmac.new(f"idempotency:{secret}".encode(), message, hashlib.sha256).hexdigest()


async def book_first_free(
    session: AsyncSession,
    *,
    filiere: str,
    slot_start: datetime,
    visitor: Visitor,
    now: datetime,
    idempotency_key: str | None = None,
    busy_check: BusyCheck | None = None,
    request_secret: str = "",
) -> BookResult:
    """Book ``slot_start`` with a free mentor of ``filiere`` chosen by the fairness rule (see
    the module's docstring).

    Raises ValidationFailed / AvailabilityError (bad input), NotFound (unknown filière),
    EmailBlocked, IdempotencyConflict, OutsideAvailability (no mentor of the filière offers
    the time), SlotTaken (some did, and every one of them has just been taken).
    """
    slot_start = supported_instant(slot_start, "slot_start")
    now = as_utc(now, "now")
    visitor = checked(visitor)
    if idempotency_key is not None and not 1 <= len(idempotency_key) <= 200:
        raise ValidationFailed("an Idempotency-Key has 1 to 200 characters")
    if idempotency_key is not None and not request_secret:
        raise ValueError("an Idempotency-Key needs the request secret to key its hash")
    request_hash = _request_hash(request_secret, filiere, slot_start, visitor)
    async with unit_of_work(session):
        if idempotency_key is not None:
            replay = await _replay(session, idempotency_key, request_hash, now)
            if replay is not None:
                return replay
        request_key = idempotency_key or uuid4().hex
        order = await candidates(session, filiere, slot_start, now, request_key)
    attempt = _Attempt(session, filiere, slot_start, visitor, now, idempotency_key, request_hash)
    tried: set[UUID] = set()
    while order:
        mentor_id = order[0]
        try:
            return await attempt.with_mentor(mentor_id, busy_check)
        except _PASS_ON:
            tried.add(mentor_id)
        except ValidationFailed as error:
            if idempotency_key is None or not _idempotency_race(error):
                raise
            # The same key committed concurrently (with another mentor): answer as its replay.
            async with unit_of_work(session):
                replay = await _replay(session, idempotency_key, request_hash, now)
            if replay is None:
                raise
            return replay
        # Lost that mentor to a concurrent booking (its lock was waited for): a fresh snapshot,
        # without locks, sees every booking committed meanwhile, so a visitor who lost the race
        # learns it from one read instead of queueing on each remaining mentor's lock.
        async with unit_of_work(session):
            fresh = await candidates(session, filiere, slot_start, now, request_key)
        order = [m for m in fresh if m not in tried]
    raise SlotTaken("every mentor free at this time has just been taken")


@dataclass(frozen=True, slots=True)
class _Attempt:
    """One visitor request, tried on one mentor after another."""

    session: AsyncSession
    filiere: str
    slot_start: datetime
    visitor: Visitor
    now: datetime
    idempotency_key: str | None
    request_hash: str

    async def with_mentor(self, mentor_id: UUID, busy_check: BusyCheck | None) -> BookResult:
        """``book.book``'s transaction for one candidate: lock, replay, checks, re-validate,
        insert."""
        session = self.session
        async with unit_of_work(session):
            fresh = await _fresh_busy(session, busy_check, mentor_id, self.slot_start)
            connection = await driver_connection(session)
            mentor: Any = await _lock_mentor(
                connection, mentor_id, self.visitor.email, self.filiere
            )
            if self.idempotency_key is not None:
                # After the lock: a duplicate that waited behind its first attempt finds it.
                replay = await _replay(session, self.idempotency_key, self.request_hash, self.now)
                if replay is not None:
                    return replay
            _ensure_available(mentor)
            if mentor.blocked:
                raise EmailBlocked("this email address cannot book")
            if mentor.filiere_id is None:
                raise MentorUnavailable("the mentor has left this filière")
            state = await _revalidate(session, connection, mentor, self.slot_start, self.now, fresh)
            booking_id = uuid4()
            return await insert_booking(
                connection,
                booking_id=booking_id,
                series_id=booking_id,
                sequence=0,
                mentor_id=mentor_id,
                filiere_id=mentor.filiere_id,
                slot_start=self.slot_start,
                state=state,
                visitor=self.visitor,
                consent_at=self.now,
                now=self.now,
                actor=Actor("visitor"),
                action="book",
                audit_details={
                    "mentor_id": str(mentor_id),
                    "start": self.slot_start.isoformat(),
                    "first_available": self.filiere,
                },
                idempotency=(
                    (self.idempotency_key, self.request_hash) if self.idempotency_key else None
                ),
            )
