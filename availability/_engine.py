"""The slot computation, in integer microseconds, for one mentor's validated inputs.

A candidate start ``s`` occupies ``[s - before, s + L + after)``; it collides with a blocked
range ``[a, b)`` iff ``s - before < b`` and ``a < s + L + after``, i.e. iff ``s`` lies in the
OPEN interval ``(a - L - after, b + before)``. So every busy interval and booking becomes one
open "forbidden" interval of starts, merged once; windows are walked date by date in time
order and the forbidden list with a single pointer: a sorted sweep, linear in
days x (ranges + busy + bookings) after one sort.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from itertools import accumulate, compress, islice
from operator import ge, le

from availability._clock import (
    DAY_US,
    EPOCH,
    EPOCH_ORDINAL,
    MAX_US,
    MIN_US,
    ONE_US,
    Ranges,
    WallClock,
    Windows,
    duration_us,
    relative_windows,
)
from availability.intervals import BookingSpans, Interval
from availability.policy import Policy
from availability.rules import Schedule, TimeRange

# (window start, window end, index of the first offered slot, index past the last one): the
# offered starts are window_start + k * slot_length for k in range(first, stop).
Run = tuple[int, int, int, int]


# One date's rules: its wall-clock ranges (for the exact path) and the same as windows relative
# to local midnight (for the fast path of dates with one UTC offset).
DayRules = tuple[Ranges, Windows]


@dataclass(frozen=True, slots=True)
class Plan:
    """One mentor's inputs, prepared once per call."""

    clock: WallClock
    weekly: tuple[DayRules, ...]
    overrides: dict[int, DayRules]
    slot: int
    earliest: int
    latest: int
    forbidden_from: tuple[int, ...]
    forbidden_to: tuple[int, ...]
    day_full: frozenset[int]
    week_full: frozenset[tuple[int, int]]
    closed: bool

    def runs(self, low: int, high: int) -> Iterator[Run]:
        """Offered slots whose start lies in ``[low, high)``, window by window, in time order."""
        low = max(low, self.earliest)
        high = min(high, self.latest)
        if low >= high or self.closed:
            return
        clock, slot = self.clock, self.slot
        fl, fr = self.forbidden_from, self.forbidden_to
        count = len(fl)
        p = 0
        # A window of local date D lies within [D 00:00, D+1 00:00) local; one date of margin
        # either side keeps the enumeration independent of how transitions fall near midnight.
        first_day = clock.local_ordinal(low) - 1
        last_day = clock.local_ordinal(high - 1) + 1
        weekly, overrides = self.weekly, self.overrides
        day_full, week_full = self.day_full, self.week_full
        for ordinal, offset in _dates(clock, first_day, last_day):
            rules = overrides.get(ordinal)
            if rules is None:
                rules = weekly[(ordinal + 6) % 7]  # date.fromordinal(1) is a Monday
            if not rules[0]:
                continue
            # Caps count each slot on its own local date. With one offset all day, every start
            # of the date's windows falls on the date itself, so a full date is skipped whole;
            # around a change the windows can reach into the next or previous date (clocks set
            # back at 00:01), and each slot is looked at (``_uncapped``).
            per_slot = offset is None and bool(day_full or week_full)
            if not per_slot and self._full(ordinal):
                continue
            if offset is None:
                shift, windows = 0, clock.windows(ordinal, rules[0])
            else:  # one offset all day: the windows relative to midnight, shifted
                shift, windows = (ordinal - EPOCH_ORDINAL) * DAY_US - offset, rules[1]
            for relative_start, relative_end in windows:
                window_start = relative_start + shift
                window_end = relative_end + shift
                last = min(window_end - slot, high - 1)
                if window_start >= low:
                    s = window_start
                else:
                    s = window_start - (window_start - low) // slot * slot
                while s <= last:
                    while p < count and fr[p] <= s:
                        p += 1
                    if p < count and fl[p] < s:
                        # Inside a forbidden interval: skip to the first grid point at or after
                        # its end (its end itself is allowed: touching is not overlapping).
                        s = window_start - (window_start - fr[p]) // slot * slot
                        continue
                    stop = last if p == count else min(last, fl[p])
                    k0 = (s - window_start) // slot
                    k1 = (stop - window_start) // slot + 1
                    if per_slot:
                        yield from self._uncapped((window_start, window_end, k0, k1))
                    else:
                        yield window_start, window_end, k0, k1
                    s = window_start + k1 * slot

    def _full(self, ordinal: int) -> bool:
        """Whether the local date ``ordinal`` has reached its day cap or its week's cap."""
        if self.day_full and ordinal in self.day_full:
            return True
        return bool(self.week_full) and _iso_week(ordinal) in self.week_full

    def _uncapped(self, run: Run) -> Iterator[Run]:
        """The slots of ``run`` whose own local date is not full, as runs."""
        window_start, window_end, k0, k1 = run
        local_ordinal, slot = self.clock.local_ordinal, self.slot
        first: int | None = None
        for k in range(k0, k1):
            if self._full(local_ordinal(window_start + k * slot)):
                if first is not None:
                    yield window_start, window_end, first, k
                first = None
            elif first is None:
                first = k
        if first is not None:
            yield window_start, window_end, first, k1


def _dates(clock: WallClock, first: int, last: int) -> Iterator[tuple[int, int | None]]:
    """Each date with its one offset (or None), computed a few weeks at a time so that a walk
    that stops early (the next free slot) does not pay for the whole horizon."""
    for chunk in range(first, last + 1, _CHUNK_DAYS):
        chunk_last = min(last, chunk + _CHUNK_DAYS - 1)
        yield from zip(
            range(chunk, chunk_last + 1), clock.day_offsets(chunk, chunk_last), strict=True
        )


_CHUNK_DAYS = 28


def _iso_week(ordinal: int) -> tuple[int, int]:
    year, week, _ = date.fromordinal(ordinal).isocalendar()
    return year, week


@dataclass(slots=True)
class CallCache:
    """What the mentors of one call share, and nothing outlives the call: wall clocks per
    timezone, prepared day rules, and the slot datetimes of each window (mentors often keep the
    same hours)."""

    clocks: dict[str, WallClock] = field(default_factory=dict)
    rules: dict[int, tuple[object, DayRules]] = field(default_factory=dict)
    grids: dict[tuple[int, int, int], list[datetime]] = field(default_factory=dict)

    def clock(self, schedule: Schedule) -> WallClock:
        clock = self.clocks.get(schedule.timezone)
        if clock is None:
            clock = self.clocks[schedule.timezone] = WallClock(schedule.tz)
        return clock


def _day_rules(
    ranges: tuple[TimeRange, ...], known: dict[int, tuple[object, DayRules]]
) -> DayRules:
    """``ranges`` prepared for the walk; ``known`` reuses them within a call (keyed by identity,
    the value holding the tuple so that its id cannot be reused meanwhile)."""
    entry = known.get(id(ranges))
    if entry is None:
        minutes = tuple((r.start, r.end) for r in ranges)
        entry = known[id(ranges)] = (ranges, (minutes, relative_windows(minutes)))
    return entry[1]


def _merged(lows: list[int], highs: list[int]) -> tuple[list[int], list[int]]:
    """Open intervals ``(lows[i], highs[i])``, sorted by low, merged where they overlap. Open
    intervals (a, b) and (b, c) leave b allowed, so only a real overlap merges: interval i
    starts a new group iff its low is at or past the highest end before it. Thousands of
    bookings per call: the work is done by C-level iterators, not a Python loop."""
    if not lows:
        return [], []
    reach = list(accumulate(highs, max))  # reach[i]: the highest end among intervals 0..i
    starts_group = list(map(ge, islice(lows, 1, None), reach))  # interval i+1 starts a group
    forbidden_from = [lows[0], *compress(islice(lows, 1, None), starts_group)]
    forbidden_to = [*compress(reach, starts_group), reach[-1]]
    return forbidden_from, forbidden_to


def plan(
    clock: WallClock,
    schedule: Schedule,
    policy: Policy,
    busy: Iterable[Interval],
    bookings: BookingSpans,
    now: int,
    known: dict[int, tuple[object, DayRules]],
) -> Plan:
    slot = duration_us(policy.slot_length)
    before = duration_us(policy.buffer_before)
    widen = slot + duration_us(policy.buffer_after)
    # Each busy interval [a, b) forbids the starts in (a - L - after, b + before); a booking
    # occupying [a, b) likewise.
    lows = [a - widen for a in bookings.occupied_starts]
    highs = [b + before for b in bookings.occupied_ends]
    busy_spans = [((i.start - EPOCH) // ONE_US, (i.end - EPOCH) // ONE_US) for i in busy]
    if busy_spans or not all(map(le, lows, islice(lows, 1, None))):
        pairs = [(a - widen, b + before) for a, b in busy_spans if a < b]  # empty: no block
        pairs += zip(lows, highs, strict=True)
        pairs.sort()
        lows, highs = [a for a, _ in pairs], [b for _, b in pairs]
    forbidden_from, forbidden_to = _merged(lows, highs)
    day_counts: dict[int, int] = {}
    week_counts: dict[tuple[int, int], int] = {}
    if policy.day_cap is not None or policy.week_cap is not None:
        weeks: dict[int, tuple[int, int]] = {}
        local_ordinal = clock.local_ordinal
        for start in bookings.starts:
            if not MIN_US <= start < MAX_US:
                continue  # no local date to count it on, and no slot there either
            day = local_ordinal(start)
            day_counts[day] = day_counts.get(day, 0) + 1
            week = weeks.get(day)
            if week is None:
                week = weeks[day] = _iso_week(day)
            week_counts[week] = week_counts.get(week, 0) + 1
    day_cap, week_cap = policy.day_cap, policy.week_cap
    return Plan(
        clock=clock,
        weekly=tuple(_day_rules(schedule.weekly.ranges_for(day), known) for day in range(7)),
        overrides={
            day.toordinal(): _day_rules(override.ranges, known)
            for day, override in schedule.overrides.items()
        },
        slot=slot,
        earliest=now + duration_us(policy.notice),
        latest=now + duration_us(policy.horizon),
        forbidden_from=tuple(forbidden_from),
        forbidden_to=tuple(forbidden_to),
        day_full=frozenset(
            day for day, n in day_counts.items() if day_cap is not None and n >= day_cap
        ),
        week_full=frozenset(
            week for week, n in week_counts.items() if week_cap is not None and n >= week_cap
        ),
        # A cap of zero closes every day, with or without bookings on it.
        closed=day_cap == 0 or week_cap == 0,
    )
