"""A deliberately naive reading of the contract, to check the engine against.

Written differently from the engine on purpose: no integer arithmetic, no sweep, no fast path.
It walks UTC in 5-minute steps and asks zoneinfo for the local wall time at each step; a wall
time (date D, HH:MM) becomes the FIRST step whose wall time is at or after it, which is the
contract's rule in one sentence: an ordinary time maps to itself, a time in a spring-forward
gap to the transition instant (the first instant that exists after it), a repeated time to its
first occurrence. A date's windows are the maximal runs of steps covered by one of its ranges
(so ranges that overlap or touch after conversion merge). Every grid point of every window is
then checked against every rule, pairwise, with datetime arithmetic.

5-minute steps are exact for the zones the tests use: their offsets are multiples of 30 minutes
and their transitions fall on whole hours, so every instant involved is on a UTC 5-minute
boundary (tests/availability/test_clock.py checks this assumption).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

from availability import Booking, Interval, Policy, Schedule, TimeRange

STEP = timedelta(minutes=5)
STEPS_PER_DAY = 288


@lru_cache(maxsize=4096)
def walk_of_utc_day(timezone: str, day: date) -> tuple[tuple[datetime, datetime], ...]:
    """(UTC instant, local naive wall time) at each 5-minute step of one UTC day."""
    tz = ZoneInfo(timezone)
    midnight = datetime.combine(day, time(), tzinfo=UTC)
    instants = [midnight + k * STEP for k in range(STEPS_PER_DAY)]
    return tuple((i, i.astimezone(tz).replace(tzinfo=None)) for i in instants)


class Walk:
    """Every 5-minute step of a span of UTC days, with the local wall time at each."""

    def __init__(self, timezone: str, first_day: date, last_day: date) -> None:
        self.first_day = first_day
        self.steps: list[tuple[datetime, datetime]] = []
        day = first_day
        while day <= last_day:
            self.steps.extend(walk_of_utc_day(timezone, day))
            day += timedelta(days=1)

    def first_at_or_after(self, day: date, minutes: int) -> int:
        """Index of the first step whose wall time is at or after ``minutes`` past ``day``."""
        target = datetime.combine(day, time()) + timedelta(minutes=minutes)
        # Offsets are under a day, so no step before UTC midnight two days earlier can qualify:
        # start there to keep the scan short.
        index = max(0, (day - timedelta(days=2) - self.first_day).days * STEPS_PER_DAY)
        while self.steps[index][1] < target:
            index += 1
        return index


def ranges_on(schedule: Schedule, day: date) -> tuple[TimeRange, ...]:
    if day in schedule.overrides:
        return schedule.overrides[day].ranges
    return schedule.weekly.days.get(day.weekday(), ())


@dataclass(frozen=True)
class Window:
    day: date
    start: datetime
    end: datetime


def windows(schedule: Schedule, start: datetime, end: datetime) -> list[Window]:
    """Every window of every local date that can meet ``[start, end)``."""
    tz = ZoneInfo(schedule.timezone)
    walk = Walk(
        schedule.timezone,
        (start - timedelta(days=3)).astimezone(UTC).date(),
        (end + timedelta(days=3)).astimezone(UTC).date(),
    )
    found: list[Window] = []
    day = start.astimezone(tz).date() - timedelta(days=1)
    while day <= end.astimezone(tz).date() + timedelta(days=1):
        covered: set[int] = set()
        for time_range in ranges_on(schedule, day):
            covered.update(
                range(
                    walk.first_at_or_after(day, time_range.start),
                    walk.first_at_or_after(day, time_range.end),
                )
            )
        # A window is a maximal run of consecutive covered steps.
        run: list[int] = []
        for index in sorted(covered):
            if run and index != run[-1] + 1:
                found.append(Window(day, walk.steps[run[0]][0], walk.steps[run[-1]][0] + STEP))
                run = []
            run.append(index)
        if run:
            found.append(Window(day, walk.steps[run[0]][0], walk.steps[run[-1]][0] + STEP))
        day += timedelta(days=1)
    return found


def overlaps(a_start: datetime, a_end: datetime, b_start: datetime, b_end: datetime) -> bool:
    """Half-open ranges; an empty range overlaps nothing (as PostgreSQL's &&)."""
    if a_start >= a_end or b_start >= b_end:
        return False
    return a_start < b_end and b_start < a_end


def occupied(slot: datetime, policy: Policy) -> tuple[datetime, datetime]:
    return slot - policy.buffer_before, slot + policy.slot_length + policy.buffer_after


def booking_occupied(booking: Booking) -> tuple[datetime, datetime]:
    return booking.start - booking.buffer_before, booking.end + booking.buffer_after


def within_caps(
    schedule: Schedule, policy: Policy, bookings: Iterable[Booking], slot: datetime
) -> bool:
    tz = ZoneInfo(schedule.timezone)
    local_day = slot.astimezone(tz).date()
    same_day = same_week = 0
    for booking in bookings:
        booked_day = booking.start.astimezone(tz).date()
        same_day += booked_day == local_day
        same_week += booked_day.isocalendar()[:2] == local_day.isocalendar()[:2]
    if policy.day_cap is not None and same_day >= policy.day_cap:
        return False
    return policy.week_cap is None or same_week < policy.week_cap


def allowed(
    schedule: Schedule,
    policy: Policy,
    busy: Iterable[Interval],
    bookings: Iterable[Booking],
    now: datetime,
    slot: datetime,
) -> bool:
    """Every rule but "on a window's grid", checked directly for one slot start."""
    if slot < now + policy.notice or slot >= now + policy.horizon:
        return False
    mine = occupied(slot, policy)
    if any(overlaps(*mine, interval.start, interval.end) for interval in busy):
        return False
    if any(overlaps(*mine, *booking_occupied(booking)) for booking in bookings):
        return False
    return within_caps(schedule, policy, bookings, slot)


def reference_slots(
    schedule: Schedule,
    policy: Policy,
    busy: list[Interval],
    bookings: list[Booking],
    now: datetime,
    start: datetime,
    end: datetime,
) -> list[datetime]:
    offered = []
    for window in windows(schedule, start, end):
        slot = window.start
        while slot + policy.slot_length <= window.end:
            if start <= slot < end and allowed(schedule, policy, busy, bookings, now, slot):
                offered.append(slot)
            slot += policy.slot_length
    return sorted(offered)
