"""Load what the engine needs for many mentors at once, in two round trips whatever the number
of mentors: (1) the mentors and their policies, (2) one row per mentor with their weekly rules,
date overrides, live bookings and cached busy time.

Round trips, not rows, dominate the cost of a request on a busy machine; the booking path uses
the same second statement right after locking the mentor.

Bookings and busy time travel as one ``bytea`` per mentor: each instant in PostgreSQL's own
binary form of ``timestamptz`` (``timestamptz_send``: a big-endian int64 of microseconds since
2000-01-01 UTC). A filière holds thousands of bookings; building a JSON array and then a Python
list, a ``Booking`` and four datetimes per row cost more than computing the slots, while this
is one ``struct.unpack`` into the integers the engine computes with (``BookingSpans``).
"""

from __future__ import annotations

import json
import struct
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from functools import lru_cache
from typing import Any
from uuid import UUID

from psycopg import AsyncConnection
from sqlalchemy import Row, Select, any_, bindparam, select
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.types import Uuid

from availability import (
    BookingSpans,
    DateOverride,
    Interval,
    MentorInput,
    Policy,
    Schedule,
    TimeRange,
    WeeklyRules,
    bookings_window,
)
from scheduler.catalog import Mentor, PolicyRow
from scheduler.platform import compiled, driver_connection, fetch_all
from scheduler.schedules.models import IS_LIVE
from scheduler.schedules.rules import PolicySettings

# Local dates around a UTC range that may hold its overrides (timezones reach ±14 h).
_DATE_MARGIN = timedelta(days=2)


def _us(column: str) -> str:
    """SQL for an instant as 8 bytes: microseconds since the Unix epoch. PostgreSQL counts from
    2000-01-01 UTC; adding 946,684,800 seconds (an interval of seconds only, so no calendar
    arithmetic) moves its count to 1970's."""
    return f"timestamptz_send({column} + interval '946684800 s')"


# One row per mentor. Each mentor's bookings are those whose occupied range (buffers included)
# overlaps that mentor's own ``bookings_window``, in the order of their occupied ranges, which
# spares the engine a sort. Busy time is the Google cache plus the occupied ranges of the slots
# held for a visitor typing their email code (``booking_holds``, scheduler.booking.verification)
# until the hold expires: a held slot is offered to nobody else. Run through psycopg (see
# scheduler.platform.driver).
_INPUTS = f"""
    SELECT w.id,
      (SELECT coalesce(json_agg(json_build_array(weekday, start_minute, end_minute)
                                ORDER BY weekday, start_minute), '[]')::text
         FROM availability_rules WHERE mentor_id = w.id) AS rules,
      (SELECT coalesce(json_agg(json_build_array(day, ranges)), '[]')
         FROM date_overrides
        WHERE mentor_id = w.id AND day BETWEEN %(first_day)s AND %(last_day)s) AS overrides,
      (SELECT string_agg({_us("start_at")} || {_us("lower(occupied)")}
                           || {_us("upper(occupied)")}, ''::bytea ORDER BY lower(occupied))
         FROM bookings
        WHERE mentor_id = w.id AND {IS_LIVE}
          AND occupied && tstzrange(w.low, w.high, '[)')
          AND id IS DISTINCT FROM %(exclude)s::uuid) AS bookings,
      (SELECT string_agg(held.span, ''::bytea) FROM (
         SELECT {_us("start_at")} || {_us("end_at")} AS span
           FROM external_busy
          WHERE mentor_id = w.id AND start_at < w.high AND end_at > w.low
         UNION ALL
         SELECT {_us("lower(occupied)")} || {_us("upper(occupied)")}
           FROM booking_holds
          WHERE mentor_id = w.id AND expires_at > %(now)s
            AND occupied && tstzrange(w.low, w.high, '[)')) AS held) AS busy
      FROM unnest(%(ids)s::uuid[], %(lows)s::timestamptz[], %(highs)s::timestamptz[])
           AS w(id, low, high)
"""


def _instants(blob: bytes | None) -> tuple[int, ...]:
    """Epoch microseconds from concatenated 8-byte big-endian counts."""
    if not blob:
        return ()
    return struct.unpack(f">{len(blob) // 8}q", blob)


def booking_spans(blob: bytes | None) -> BookingSpans:
    """A mentor's bookings column, (start, occupied start, occupied end) per booking: checked by
    the database, so the engine's trusted constructor takes them as they are."""
    return BookingSpans.trusted(_instants(blob))


def busy_intervals(blob: bytes | None) -> tuple[Interval, ...]:
    """A mentor's busy column, (start, end) per interval (``end_at > start_at`` is a CHECK)."""
    return Interval.trusted_many(_instants(blob))


@dataclass(frozen=True, slots=True)
class MentorState:
    """One mentor's inputs for the engine, with the flags that decide whether to offer them."""

    mentor_id: UUID
    active: bool
    paused: bool
    schedule: Schedule
    policy: Policy
    settings: PolicySettings
    busy: tuple[Interval, ...]
    bookings: BookingSpans

    @property
    def engine_input(self) -> MentorInput:
        return MentorInput(self.schedule, self.policy, self.busy, self.bookings)

    def with_busy(self, busy: Iterable[Interval]) -> MentorState:
        return replace(self, busy=tuple(busy))


def mentor_policy_query() -> Select[*tuple[Any, ...]]:
    """Columns ``load_states`` needs from the first round trip (mentors outer-joined to their
    policies); the booking path adds ``FOR UPDATE OF mentors`` to it."""
    return select(
        Mentor.id,
        Mentor.timezone,
        Mentor.active,
        Mentor.paused,
        PolicyRow.buffer_before_minutes,
        PolicyRow.buffer_after_minutes,
        PolicyRow.notice_minutes,
        PolicyRow.horizon_days,
        PolicyRow.day_cap,
        PolicyRow.week_cap,
    ).outerjoin(PolicyRow, PolicyRow.mentor_id == Mentor.id)


def _settings(row: Row[*tuple[Any, ...]]) -> PolicySettings:
    if row.buffer_before_minutes is None:
        return PolicySettings()
    return PolicySettings.from_row(row)


_MENTORS_BY_ID = compiled(
    mentor_policy_query().where(Mentor.id == any_(bindparam("ids", type_=ARRAY(Uuid()))))
)


async def mentor_rows(session: AsyncSession, mentor_ids: Sequence[UUID]) -> list[Any]:
    """The ``mentor_policy_query`` rows of these mentors (unknown ids left out), what
    ``load_states`` takes."""
    connection = await driver_connection(session)
    return await fetch_all(connection, _MENTORS_BY_ID, {"ids": list(mentor_ids)})


async def load_mentor_states(
    session: AsyncSession,
    mentor_ids: Sequence[UUID],
    now: datetime,
    start: datetime,
    end: datetime,
    *,
    to_horizon: bool = False,
    exclude_booking: UUID | None = None,
) -> dict[UUID, MentorState]:
    """Engine inputs for ``mentor_ids`` over ``[start, end)`` (and up to each mentor's horizon
    when ``to_horizon``, for ``next_free``). Unknown ids are left out.

    ``exclude_booking``: a live booking to leave out (the one being rescheduled).
    """
    if not mentor_ids:
        return {}
    rows = await mentor_rows(session, mentor_ids)
    return await load_states(
        session, rows, now, start, end, to_horizon=to_horizon, exclude_booking=exclude_booking
    )


async def load_states(
    session: AsyncSession,
    mentors: Sequence[Row[*tuple[Any, ...]]],
    now: datetime,
    start: datetime,
    end: datetime,
    *,
    to_horizon: bool = False,
    exclude_booking: UUID | None = None,
    connection: AsyncConnection[Any] | None = None,
) -> dict[UUID, MentorState]:
    """The second round trip, for rows of ``mentor_policy_query()``. ``connection``: the
    session's driver connection when the caller holds it already."""
    if not mentors:
        return {}
    settings = {m.id: _settings(m) for m in mentors}
    policies = {mid: _policy(s) for mid, s in settings.items()}
    windows = [
        bookings_window(
            _schedule(m.timezone, "[]"),
            policies[m.id],
            start,
            max(end, now + policies[m.id].horizon) if to_horizon else end,
        )
        for m in mentors
    ]
    if connection is None:
        connection = await driver_connection(session)
    cursor = await connection.execute(
        _INPUTS,
        {
            "ids": [m.id for m in mentors],
            "lows": [w.start for w in windows],
            "highs": [w.end for w in windows],
            "first_day": (start - _DATE_MARGIN).date(),
            "last_day": (max(w.end for w in windows) + _DATE_MARGIN).date(),
            "exclude": exclude_booking,
            "now": now,
        },
        binary=True,  # bytea as raw bytes: half the volume of its text form, no decoding
    )
    found = {row[0]: row for row in await cursor.fetchall()}
    states: dict[UUID, MentorState] = {}
    for m in mentors:
        row = found[m.id]
        schedule = _schedule(m.timezone, row[1])
        overrides = _json(row[2])
        if overrides:
            schedule = replace(
                schedule,
                overrides={
                    day: DateOverride(day, tuple(TimeRange(a, b) for a, b in ranges))
                    for day, ranges in ((date.fromisoformat(d), r) for d, r in overrides)
                },
            )
        states[m.id] = MentorState(
            mentor_id=m.id,
            active=m.active,
            paused=m.paused,
            schedule=schedule,
            policy=policies[m.id],
            settings=settings[m.id],
            busy=busy_intervals(row[4]),
            bookings=booking_spans(row[3]),
        )
    return states


# Schedules and policies are validated values built from a few rows that rarely change and that
# many mentors share: each distinct one is built once per process, keyed by its content.
@lru_cache(maxsize=4096)
def _schedule(timezone: str, rules: str) -> Schedule:
    weekly: dict[int, list[TimeRange]] = {}
    for weekday, first, last in json.loads(rules):
        weekly.setdefault(weekday, []).append(TimeRange(first, last))
    return Schedule(timezone, WeeklyRules({day: tuple(r) for day, r in weekly.items()}))


@lru_cache(maxsize=4096)
def _policy(settings: PolicySettings) -> Policy:
    return settings.to_policy()


def _json(value: Any) -> list[Any]:
    # psycopg decodes json columns already; a str means a driver configured otherwise.
    return json.loads(value) if isinstance(value, str) else list(value)
