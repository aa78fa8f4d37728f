"""The single-mentor entry point: free slot starts over a UTC range."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, timedelta
from functools import lru_cache
from typing import TypeVar

from availability import _engine
from availability._clock import (
    DAY_US,
    WallClock,
    check_bounds,
    duration_us,
    from_us,
    to_us,
)
from availability.errors import InvalidPolicy, InvalidQueryRange, InvalidRange
from availability.intervals import Booking, Interval, as_utc
from availability.policy import MAX_BUFFER, Policy
from availability.rules import Schedule

MAX_QUERY_RANGE_DAYS = 400
T = TypeVar("T")


def free_slots(
    schedule: Schedule,
    policy: Policy,
    busy: Iterable[Interval],
    bookings: Iterable[Booking],
    now: datetime,
    start: datetime,
    end: datetime,
) -> list[datetime]:
    """Sorted aware-UTC starts of the slots offered in ``[start, end)``.

    ``bookings`` are the mentor's live bookings; for the day/week caps to be right they must
    include every live booking starting within ``bookings_window(schedule, start, end)``.
    """
    now_us = instant_us(now, "now")
    start_us, end_us = query_us(start, end)
    mentor = prepare(schedule, policy, busy, bookings, now_us, _engine.CallCache())
    return to_datetimes(mentor, mentor.runs(start_us, end_us))


def is_bookable(
    schedule: Schedule,
    policy: Policy,
    busy: Iterable[Interval],
    bookings: Iterable[Booking],
    now: datetime,
    slot_start: datetime,
) -> bool:
    """Whether ``slot_start`` would be offered now (the booking-time re-validation)."""
    now_us = instant_us(now, "now")
    start_us = instant_us(slot_start, "slot_start")
    mentor = prepare(schedule, policy, busy, bookings, now_us, _engine.CallCache())
    return any(True for _ in mentor.runs(start_us, start_us + 1))


def bookings_window(schedule: Schedule, start: datetime, end: datetime) -> Interval:
    """The UTC span whose live bookings ``free_slots`` needs to apply buffers and caps.

    Load every live booking that starts in this span or whose occupied range overlaps it. It
    covers the whole ISO weeks (mentor's timezone) of the local dates from the day before
    ``start`` to the day after ``end`` (the caps count per local day and week), widened by the
    longest buffer a booking can carry (7 days), so that a booking just outside still blocks
    the slots its buffers reach.
    """
    _check_schedule(schedule)
    start_us, end_us = query_us(start, end)
    clock = WallClock(schedule.tz)
    first = clock.local_ordinal(start_us) - 1
    last = clock.local_ordinal(end_us - 1) + 1
    monday = first - date.fromordinal(first).weekday()
    next_monday = last - date.fromordinal(last).weekday() + 7
    margin = duration_us(MAX_BUFFER)
    return Interval(
        from_us(clock.to_utc(monday, 0) - margin), from_us(clock.to_utc(next_monday, 0) + margin)
    )


def instant_us(instant: datetime, name: str) -> int:
    """Epoch microseconds of an aware instant; NaiveDatetime / InvalidQueryRange otherwise."""
    micros = to_us(as_utc(instant, name))
    check_bounds(micros, name)
    return micros


def query_us(start: datetime, end: datetime) -> tuple[int, int]:
    """The validated query range ``[start, end)`` in epoch microseconds."""
    start_us = instant_us(start, "start")
    end_us = instant_us(end, "end")
    if end_us <= start_us:
        raise InvalidQueryRange(
            f"the range must end after it starts ({start.isoformat()} .. {end.isoformat()})"
        )
    if end_us - start_us > MAX_QUERY_RANGE_DAYS * DAY_US:
        raise InvalidQueryRange(f"the range cannot exceed {MAX_QUERY_RANGE_DAYS} days")
    return start_us, end_us


def _check_schedule(schedule: object) -> None:
    if not isinstance(schedule, Schedule):
        raise InvalidRange(f"expected a Schedule, got {type(schedule).__name__}")


def prepare(
    schedule: Schedule,
    policy: Policy,
    busy: Iterable[Interval],
    bookings: Iterable[Booking],
    now_us: int,
    cache: _engine.CallCache,
) -> _engine.Plan:
    """One mentor's validated inputs, ready for the walk."""
    _check_schedule(schedule)
    if not isinstance(policy, Policy):
        raise InvalidPolicy(f"expected a Policy, got {type(policy).__name__}")
    busy = _all_of(busy, Interval, "busy")
    bookings = _all_of(bookings, Booking, "bookings")
    clock = cache.clock(schedule)
    return _engine.plan(clock, schedule, policy, busy, bookings, now_us, cache.rules)


def _all_of(values: Iterable[T], kind: type[T], name: str) -> tuple[T, ...]:
    try:
        items = tuple(values)
    except TypeError as error:
        raise InvalidQueryRange(f"{name} must be an iterable of {kind.__name__}") from error
    for item in items:
        if not isinstance(item, kind):
            raise InvalidQueryRange(f"{name} must hold {kind.__name__} values, got {item!r}")
    return items


def to_datetimes(
    mentor: _engine.Plan,
    runs: Iterable[_engine.Run],
    shared: dict[tuple[int, int, int], list[datetime]] | None = None,
) -> list[datetime]:
    """The aware-UTC datetimes of the slots in ``runs``: one datetime built per window, the
    others by adding precomputed steps. ``shared`` keeps each window's datetimes for the other
    mentors of a call, who often have the same hours."""
    slot = mentor.slot
    steps = _steps(slot)
    out: list[datetime] = []
    if shared is None:
        for window_start, _, first, stop in runs:
            base = from_us(window_start)
            out += [base + step for step in steps[first:stop]]
        return out
    for window_start, window_end, first, stop in runs:
        key = (window_start, window_end, slot)
        grid = shared.get(key)
        if grid is None:
            base = from_us(window_start)
            grid = shared[key] = [
                base + step for step in steps[: (window_end - window_start) // slot]
            ]
        out += grid[first:stop]
    return out


@lru_cache(maxsize=8)
def _steps(slot: int) -> tuple[timedelta, ...]:
    """``k * slot`` as timedeltas for every k a window can hold (a window lasts < 2 days).

    Adding a precomputed timedelta to one datetime per window is the cheapest way to build
    the answer's datetimes (a pure function of the slot length, so safe to keep).
    """
    return tuple(timedelta(microseconds=k * slot) for k in range(2 * DAY_US // slot + 2))
