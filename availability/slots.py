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
from availability.intervals import Booking, BookingSpans, Interval, as_utc
from availability.policy import Policy
from availability.rules import Schedule

MAX_QUERY_RANGE_DAYS = 400
T = TypeVar("T")


def free_slots(
    schedule: Schedule,
    policy: Policy,
    busy: Iterable[Interval],
    bookings: Iterable[Booking] | BookingSpans,
    now: datetime,
    start: datetime,
    end: datetime,
) -> list[datetime]:
    """Sorted aware-UTC starts of the slots offered in ``[start, end)``.

    ``bookings`` are the mentor's live bookings; the answer is right when they include every
    live booking whose occupied range overlaps ``bookings_window(schedule, policy, start, end)``.
    """
    now_us = instant_us(now, "now")
    start_us, end_us = query_us(start, end)
    mentor = prepare(schedule, policy, busy, bookings, now_us, _engine.CallCache())
    return to_datetimes(mentor, mentor.runs(start_us, end_us))


def is_bookable(
    schedule: Schedule,
    policy: Policy,
    busy: Iterable[Interval],
    bookings: Iterable[Booking] | BookingSpans,
    now: datetime,
    slot_start: datetime,
) -> bool:
    """Whether ``slot_start`` would be offered now (the booking-time re-validation)."""
    now_us = instant_us(now, "now")
    start_us = instant_us(slot_start, "slot_start")
    mentor = prepare(schedule, policy, busy, bookings, now_us, _engine.CallCache())
    return any(True for _ in mentor.runs(start_us, start_us + 1))


def bookings_window(schedule: Schedule, policy: Policy, start: datetime, end: datetime) -> Interval:
    """The UTC span whose live bookings ``free_slots`` needs for ``[start, end)``: load the live
    bookings whose occupied range overlaps it, and no others change the answer.

    It holds the occupied range of every candidate slot, with the policy's buffers: a booking
    collides with a slot only if their occupied ranges overlap, and a booking's own buffers are
    part of its occupied range. When the policy caps days (weeks), it also covers the local
    dates (whole ISO weeks, mentor's timezone) of the range with a date either side, since a
    booking starting there counts against a slot's cap. So booking one slot of a mentor with no
    cap needs only the bookings around that slot.
    """
    _check_schedule(schedule)
    if not isinstance(policy, Policy):
        raise InvalidPolicy(f"expected a Policy, got {type(policy).__name__}")
    start_us, end_us = query_us(start, end)
    low = start_us - duration_us(policy.buffer_before)
    high = end_us + duration_us(policy.slot_length + policy.buffer_after)
    if policy.day_cap is not None or policy.week_cap is not None:
        clock = WallClock(schedule.tz)
        first = clock.local_ordinal(start_us) - 1
        after_last = clock.local_ordinal(end_us - 1) + 2
        if policy.week_cap is not None:
            first -= date.fromordinal(first).weekday()
            after_last += -date.fromordinal(after_last).weekday() % 7
        low = min(low, clock.to_utc(first, 0))
        high = max(high, clock.to_utc(after_last, 0))
    return Interval(from_us(low), from_us(high))


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
    bookings: Iterable[Booking] | BookingSpans,
    now_us: int,
    cache: _engine.CallCache,
) -> _engine.Plan:
    """One mentor's validated inputs, ready for the walk."""
    _check_schedule(schedule)
    if not isinstance(policy, Policy):
        raise InvalidPolicy(f"expected a Policy, got {type(policy).__name__}")
    busy = _all_of(busy, Interval, "busy")
    if not isinstance(bookings, BookingSpans):
        bookings = BookingSpans.of(_all_of(bookings, Booking, "bookings"))
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
