"""Load what the engine needs for many mentors at once, in two round trips whatever the number
of mentors: (1) the mentors and their policies, (2) their weekly rules, date overrides, live
bookings and cached busy time, aggregated as JSON by PostgreSQL in one statement.

Round trips, not rows, dominate the cost of a request on a busy machine; the booking path uses
the same second statement right after locking the mentor.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from typing import Any
from uuid import UUID

from sqlalchemy import Row, bindparam, select, text
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.types import Uuid

from availability import (
    Booking,
    DateOverride,
    Interval,
    MentorInput,
    Policy,
    Schedule,
    TimeRange,
    WeeklyRules,
    bookings_window,
)
from scheduler.models import Mentor, PolicyRow
from scheduler.schedules import PolicySettings

# Local dates around a UTC range that may hold its overrides (timezones reach ±14 h).
_DATE_MARGIN = timedelta(days=2)

# One row, four JSON arrays. Instants travel as integer epoch microseconds (exact, and much
# cheaper to turn into datetimes than ISO strings).
_US = "(extract(epoch FROM {}) * 1000000)::bigint"
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_INPUTS = text(
    """
    SELECT
      (SELECT coalesce(json_agg(json_build_array(mentor_id, weekday, start_minute, end_minute)),
                       '[]')
         FROM availability_rules WHERE mentor_id = ANY(:ids)) AS rules,
      (SELECT coalesce(json_agg(json_build_array(mentor_id, day, ranges)), '[]')
         FROM date_overrides
        WHERE mentor_id = ANY(:ids) AND day BETWEEN :first_day AND :last_day) AS overrides,
      (SELECT coalesce(json_agg(json_build_array(mentor_id, _us(start_at), _us(end_at),
                                                 buffer_before_minutes, buffer_after_minutes)),
                       '[]')
         FROM bookings
        WHERE mentor_id = ANY(:ids) AND status = 'confirmed'
          AND occupied && tstzrange(:window_start, :window_end, '[)')
          AND id IS DISTINCT FROM :exclude) AS bookings,
      (SELECT coalesce(json_agg(json_build_array(mentor_id, _us(start_at), _us(end_at))), '[]')
         FROM external_busy
        WHERE mentor_id = ANY(:ids)
          AND start_at < :window_end AND end_at > :window_start) AS busy
    """.replace("_us(start_at)", _US.format("start_at")).replace(
        "_us(end_at)", _US.format("end_at")
    )
).bindparams(
    bindparam("ids", type_=ARRAY(Uuid())),
    bindparam("exclude", type_=Uuid()),
)


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
    bookings: tuple[Booking, ...]

    @property
    def engine_input(self) -> MentorInput:
        return MentorInput(self.schedule, self.policy, self.busy, self.bookings)

    def with_busy(self, busy: Iterable[Interval]) -> MentorState:
        return replace(self, busy=tuple(busy))


def mentor_policy_query() -> Any:
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


def _settings(row: Row[Any]) -> PolicySettings:
    if row.buffer_before_minutes is None:
        return PolicySettings()
    return PolicySettings.from_row(row)


_ONE_US = timedelta(microseconds=1)
_new = object.__new__
_set = object.__setattr__
# ``_EPOCH + _ONE_US * micros`` is twice as fast as ``timedelta(microseconds=micros)``.


# Buffers are whole minutes from a small set: share one timedelta per value instead of
# building two per booking row.
_MINUTES: dict[int, timedelta] = {}


def _minutes(value: int) -> timedelta:
    found = _MINUTES.get(value)
    if found is None:
        found = _MINUTES[value] = timedelta(minutes=value)
    return found


def stored_booking(start_us: int, end_us: int, before: int, after: int) -> Booking:
    """A live booking read back from the database, built without re-validation.

    Validating every booking of a mentor's window on every request was the largest CPU cost of
    both booking and listing slots. Rows are valid by construction: aware UTC instants,
    ``end_at > start_at`` and non-negative buffers are CHECK constraints, and the buffers were
    taken from a validated Policy when the booking was made. ``test_loading`` checks this equals
    the validating constructor.
    """
    return _stored_bookings([(None, start_us, end_us, before, after)])[None][0]


def _stored_bookings(rows: Iterable[Sequence[Any]]) -> dict[Any, list[Booking]]:
    """``stored_booking`` for many rows ``(key, start_us, end_us, before, after)``, grouped by
    key: one loop without a call per row, since a filière read holds thousands of rows."""
    grouped: dict[Any, list[Booking]] = {}
    known = _MINUTES
    epoch, one_us = _EPOCH, _ONE_US
    for key, start_us, end_us, before, after in rows:
        booking = _new(Booking)
        _set(booking, "start", epoch + one_us * start_us)
        _set(booking, "end", epoch + one_us * end_us)
        buffer_before = known.get(before)
        _set(booking, "buffer_before", _minutes(before) if buffer_before is None else buffer_before)
        buffer_after = known.get(after)
        _set(booking, "buffer_after", _minutes(after) if buffer_after is None else buffer_after)
        found = grouped.get(key)
        if found is None:
            grouped[key] = [booking]
        else:
            found.append(booking)
    return grouped


def stored_interval(start_us: int, end_us: int) -> Interval:
    """Cached busy time read back from the database (``end_at > start_at`` is a CHECK)."""
    interval = _new(Interval)
    _set(interval, "start", _EPOCH + _ONE_US * start_us)
    _set(interval, "end", _EPOCH + _ONE_US * end_us)
    return interval


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
    rows = (
        await session.execute(mentor_policy_query().where(Mentor.id.in_(list(mentor_ids))))
    ).all()
    return await load_states(
        session, rows, now, start, end, to_horizon=to_horizon, exclude_booking=exclude_booking
    )


async def load_states(
    session: AsyncSession,
    mentors: Sequence[Row[Any]],
    now: datetime,
    start: datetime,
    end: datetime,
    *,
    to_horizon: bool = False,
    exclude_booking: UUID | None = None,
) -> dict[UUID, MentorState]:
    """The second round trip, for rows of ``mentor_policy_query()``."""
    if not mentors:
        return {}
    settings = {m.id: _settings(m) for m in mentors}
    policies = {mid: s.to_policy() for mid, s in settings.items()}
    # The windows depend on the timezone only (local days and ISO weeks), not on the rules.
    windows = [
        bookings_window(
            Schedule(m.timezone),
            start,
            max(end, now + policies[m.id].horizon) if to_horizon else end,
        )
        for m in mentors
    ]
    window_start = min(w.start for w in windows)
    window_end = max(w.end for w in windows)
    found = (
        await session.execute(
            _INPUTS,
            {
                "ids": [m.id for m in mentors],
                "first_day": (start - _DATE_MARGIN).date(),
                "last_day": (window_end + _DATE_MARGIN).date(),
                "window_start": window_start,
                "window_end": window_end,
                "exclude": exclude_booking,
            },
        )
    ).one()
    rules: dict[str, dict[int, list[TimeRange]]] = {}
    for mentor_id, weekday, first, last in _json(found.rules):
        rules.setdefault(mentor_id, {}).setdefault(weekday, []).append(TimeRange(first, last))
    overrides: dict[str, dict[date, DateOverride]] = {}
    for mentor_id, day_text, ranges in _json(found.overrides):
        day = date.fromisoformat(day_text)
        overrides.setdefault(mentor_id, {})[day] = DateOverride(
            day, tuple(TimeRange(a, b) for a, b in ranges)
        )
    bookings = _stored_bookings(_json(found.bookings))
    busy: dict[str, list[Interval]] = {}
    for mentor_id, busy_start, busy_end in _json(found.busy):
        busy.setdefault(mentor_id, []).append(stored_interval(busy_start, busy_end))
    states: dict[UUID, MentorState] = {}
    for m in mentors:
        key = str(m.id)
        weekly = rules.get(key, {})
        states[m.id] = MentorState(
            mentor_id=m.id,
            active=m.active,
            paused=m.paused,
            schedule=Schedule(
                m.timezone,
                WeeklyRules({day: tuple(ranges) for day, ranges in weekly.items()}),
                overrides.get(key, {}),
            ),
            policy=policies[m.id],
            settings=settings[m.id],
            busy=tuple(busy.get(key, ())),
            bookings=tuple(bookings.get(key, ())),
        )
    return states


def _json(value: Any) -> list[Any]:
    # psycopg decodes json columns already; a str means a driver configured otherwise.
    return json.loads(value) if isinstance(value, str) else list(value)
