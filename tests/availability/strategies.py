"""Hypothesis strategies: schedules, policies, busy time and bookings around DST transitions.

Most scenarios are steered so that they offer slots (the "every offered slot ..." properties
check nothing on one that offers none): a range of the rules meets the query range, "now", the
notice and the horizon leave room for a slot, and busy time and bookings are fewer. The rest
(one in sixteen) are drawn as before, unsteered, where empty answers are common.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from functools import cache
from typing import TypeVar
from zoneinfo import ZoneInfo

from hypothesis import strategies as st

from availability import (
    Booking,
    DateOverride,
    Interval,
    Policy,
    Schedule,
    TimeRange,
    WeeklyRules,
    free_slots,
)

T = TypeVar("T")
DST_ZONES = ("Europe/Paris", "America/New_York", "America/Santiago", "Australia/Lord_Howe")
FIXED_ZONES = ("Asia/Kolkata", "UTC")
ZONES = DST_ZONES + FIXED_ZONES

# Wall times where DST transitions of these zones happen (00:00 Santiago, 01:00-03:00 Europe,
# 02:00 New York and Lord Howe), plus the day's ends.
_NEAR_TRANSITIONS = (0, 30, 60, 90, 120, 135, 150, 165, 180, 210, 240, 1380, 1410, 1435, 1440)


def utc_offset_seconds(tz: ZoneInfo, instant: datetime) -> int:
    offset = instant.astimezone(tz).utcoffset()
    assert offset is not None
    return int(offset.total_seconds())


@cache
def transitions(timezone: str, first_year: int = 2025, last_year: int = 2027) -> list[datetime]:
    """The instants (to the second) where ``timezone`` changes its UTC offset in those years."""
    tz = ZoneInfo(timezone)
    found = []
    instant = datetime(first_year, 1, 1, tzinfo=UTC)
    stop = datetime(last_year + 1, 1, 1, tzinfo=UTC)
    previous = utc_offset_seconds(tz, instant)
    while instant < stop:
        following = instant + timedelta(days=1)  # these zones change at most twice a year
        offset = utc_offset_seconds(tz, following)
        if offset != previous:
            low, high = instant, following  # offset(low) = previous, offset(high) = new
            while high - low > timedelta(seconds=1):
                middle = low + (high - low) / 2
                middle = middle.replace(microsecond=0)
                if utc_offset_seconds(tz, middle) == previous:
                    low = middle
                else:
                    high = middle
            found.append(high)
            previous = offset
        instant = following
    return found


@dataclass(frozen=True)
class Scenario:
    schedule: Schedule
    policy: Policy
    busy: list[Interval]
    bookings: list[Booking]
    now: datetime
    start: datetime
    end: datetime

    def args(
        self,
    ) -> tuple[Schedule, Policy, list[Interval], list[Booking], datetime, datetime, datetime]:
        return (
            self.schedule,
            self.policy,
            self.busy,
            self.bookings,
            self.now,
            self.start,
            self.end,
        )


# Range ends are drawn from a pool: wall times near the anchor's transition (when it has one)
# and ones where these zones' transitions happen, then anywhere on the 5-minute grid.
_GRID = tuple(range(0, 1445, 5))
_BUFFERS = (0, 0, 0, 5, 15, 15, 30, 10, 7, 45)
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def focus_minutes(timezone: str, anchor: datetime) -> tuple[int, ...]:
    """Wall times (minutes of the local day) on both sides of a transition at ``anchor``."""
    if anchor not in transitions(timezone):
        return ()
    tz = ZoneInfo(timezone)
    walls = set()
    for instant in (anchor - timedelta(seconds=1), anchor):
        local = instant.astimezone(tz)
        minute = (local.hour * 60 + local.minute + 1) // 5 * 5  # 01:59:59 -> 02:00
        for delta in (0, -5, 5, -15, 15, -30, 30, -60, 60, 90):
            walls.add(min(1440, max(0, minute + delta)))
    return tuple(sorted(walls))


# Strategies are built once (building one inside a draw costs more than drawing from it).
_SLOT_MINUTES = st.sampled_from((15, 15, 15, 5, 10, 30, 45, 60))
_BUFFER_MINUTES = st.sampled_from(_BUFFERS)
_NOTICE_MINUTES = st.sampled_from((0, 0, 0, 0, 0, 120, 90, 600, 1440))
_HORIZON_MINUTES = st.sampled_from((60 * 1440,) * 10 + (1, 45, 600, 1440, 2000, 4000))
# Steered scenarios reach their caps slot by slot as bookings fill a day or a week; a cap of 0
# (nothing offered at all) and tight week caps (any booking of the week closes it) are left to
# the scenarios left to chance.
_DAY_CAPS = {
    True: st.sampled_from((None,) * 8 + (1, 2, 2, 3, 3, 4)),
    False: st.sampled_from((None,) * 6 + (0, 1, 2, 3)),
}
_WEEK_CAPS = {
    True: st.sampled_from((None,) * 10 + (3, 3, 4, 5, 6, 10)),
    False: st.sampled_from((None,) * 6 + (0, 1, 2, 4)),
}
_QUERY_MINUTES = st.sampled_from((1440, 60, 360, 2160, 2880, 4 * 1440))
_BUSY_MINUTES = st.sampled_from((0, 5, 15, 30, 45, 60, 90, 120, 7))
_BOOKING_MINUTES = st.sampled_from((15, 15, 5, 30, 60))
_BUSY_PLACEMENTS = st.sampled_from(("anywhere", "after", "before", "both sides"))
_BOOKING_PLACEMENTS = st.sampled_from(("anywhere", "week before", "touching", "on a slot"))
_OVERRIDE_SHIFTS = st.sampled_from((0, 0, -1, 1, 2))
_WEEKDAYS = st.integers(0, 6)
_OFF_DAYS = st.sets(_WEEKDAYS, max_size=2)
# Steered towards offering slots, or left to chance (see the module's docstring).
_STEERED = st.sampled_from((True,) * 15 + (False,))
# Steered scenarios have fewer busy intervals and bookings, which can otherwise cover a short
# query range entirely.
_BUSY_COUNTS = {True: st.sampled_from((0, 0, 1, 1, 2, 2, 3, 4)), False: st.integers(0, 8)}
_BOOKING_COUNTS = {True: st.sampled_from((0, 0, 0, 1, 1, 2, 2, 3, 4)), False: st.integers(0, 6)}
_MEETING_BEFORE = st.sampled_from((0, 0, 15, 30, 60, 120, 240))
_MEETING_AFTER = st.sampled_from((120, 60, 90, 180, 240, 480))
_LEAD_SECONDS = st.sampled_from((0, 0, 0, 1, 60, 299, 300, 900, 3600, 7200, 36_000, 86_400))


def _as_range(ends: tuple[int, int]) -> TimeRange:
    low, high = min(ends), max(ends)
    if low == high:
        low, high = (low - 5, high) if high == 1440 else (low, high + 5)
    return TimeRange(low, high)


@cache
def time_ranges(focus: tuple[int, ...] = ()) -> st.SearchStrategy[TimeRange]:
    """Half the ends next to the anchor's transition (inside its gap or repeated hour), the
    rest where transitions happen in these zones or anywhere."""
    pools = [st.sampled_from(_NEAR_TRANSITIONS), st.sampled_from(_GRID)]
    if focus:
        pools[:0] = [st.sampled_from(focus)] * 2
    end = st.one_of(pools)
    return st.tuples(end, end).map(_as_range)


@cache
def range_lists(
    focus: tuple[int, ...], min_size: int, max_size: int
) -> st.SearchStrategy[list[TimeRange]]:
    return st.lists(time_ranges(focus), min_size=min_size, max_size=max_size)


@cache
def weekday_extras(focus: tuple[int, ...]) -> st.SearchStrategy[list[tuple[int, TimeRange]]]:
    return st.lists(st.tuples(_WEEKDAYS, time_ranges(focus)), max_size=3)


@cache
def override_lists(
    focus: tuple[int, ...],
) -> st.SearchStrategy[list[tuple[int, list[TimeRange]]]]:
    return st.lists(st.tuples(_OVERRIDE_SHIFTS, range_lists(focus, 0, 2)), max_size=2)


@st.composite
def policies(draw: st.DrawFn, steered: bool = False) -> Policy:
    """Any policy; a steered one can offer something: no cap of 0, week caps of 3 or more, and a
    horizon that ends after the notice (a short one then leaves a narrow band past the notice)."""

    def minutes(strategy: st.SearchStrategy[int]) -> timedelta:
        return timedelta(minutes=draw(strategy))

    notice = minutes(_NOTICE_MINUTES)
    horizon = minutes(_HORIZON_MINUTES)
    if steered and horizon <= notice:
        horizon += notice
    return Policy(
        slot_length=minutes(_SLOT_MINUTES),
        buffer_before=minutes(_BUFFER_MINUTES),
        buffer_after=minutes(_BUFFER_MINUTES),
        notice=notice,
        horizon=horizon,
        day_cap=draw(_DAY_CAPS[steered]),
        week_cap=draw(_WEEK_CAPS[steered]),
    )


@cache
def _choice(values: tuple[T, ...]) -> st.SearchStrategy[T]:
    return st.sampled_from(values)


@cache
def _integers(low: int, high: int) -> st.SearchStrategy[int]:
    return st.integers(low, high)


@cache
def _anchor_choices(timezone: str) -> st.SearchStrategy[int]:
    count = len(transitions(timezone))
    return st.integers(-count // 4 - 1, count - 1)


@st.composite
def anchors(draw: st.DrawFn, timezone: str) -> datetime:
    """An instant near one of the zone's transitions, or anywhere in 2026."""
    choice = draw(_anchor_choices(timezone))
    if choice >= 0:
        return transitions(timezone)[choice]
    return datetime(2026, 1, 1, tzinfo=UTC) + timedelta(minutes=5 * draw(_integers(0, 105_000)))


def _meeting_range(
    draw: st.DrawFn, tz: ZoneInfo, start: datetime, span: int
) -> tuple[date, TimeRange]:
    """A range of the local date of an instant of the query range, around that wall time and at
    least an hour long (the longest slot). The instant may fall in a DST gap or the repeated hour,
    where the engine moves the range or takes the first occurrence."""
    instant = start + timedelta(minutes=draw(_integers(0, max(0, span - 15))))
    local = instant.astimezone(tz)
    # Rounded up to the 5-minute grid, so that a range starting there starts inside the query.
    seconds = local.hour * 3600 + local.minute * 60 + local.second
    wall = min(1440, -(-seconds // 300) * 5)
    high = min(1440, wall + draw(_MEETING_AFTER))
    low = max(0, min(wall - draw(_MEETING_BEFORE), high - 60))
    return local.date(), TimeRange(low, high)


def _now(
    draw: st.DrawFn,
    start: datetime,
    end: datetime,
    policy: Policy,
    open_slots: list[datetime],
    steered: bool,
) -> datetime:
    """From a day before the query range to two hours into it; when steered, some time before
    one of the first slots of the rules in the range, such that the notice and the horizon allow
    that slot (a lead of 0 puts it exactly at the notice)."""
    inside = [slot for slot in open_slots if start <= slot < end][:4] if steered else []
    if not inside:
        return _instant(draw, start, -1440, 120)
    slot = inside[draw(_integers(0, len(inside) - 1))]
    room = policy.horizon - policy.notice - timedelta(seconds=1)
    lead = max(timedelta(0), min(timedelta(seconds=draw(_LEAD_SECONDS)), room))
    return slot - policy.notice - lead


def _instant(draw: st.DrawFn, around: datetime, before_min: int, after_min: int) -> datetime:
    """Mostly on the UTC quarter-hour grid, where slots start and end, so that things touch;
    sometimes on the 5-minute grid, sometimes to the second."""
    seconds = draw(_integers(before_min * 60, after_min * 60))
    if seconds % 7:
        seconds -= (
            (around - EPOCH + timedelta(seconds=seconds))
            % timedelta(seconds=900 if seconds % 3 else 300)
            // timedelta(seconds=1)
        )
    return around + timedelta(seconds=seconds)


@st.composite
def scenarios(draw: st.DrawFn, zones: tuple[str, ...] = ZONES) -> Scenario:
    timezone = draw(_choice(zones))
    tz = ZoneInfo(timezone)
    anchor = draw(anchors(timezone))
    focus = focus_minutes(timezone, anchor)
    start = _instant(draw, anchor, -36 * 60, 60)
    span = draw(_QUERY_MINUTES)
    end = start + timedelta(minutes=span)
    steered = draw(_STEERED)

    # Most days share the same hours, as real schedules do; some days are off or have extras.
    daily = draw(range_lists(focus, 1, 3))
    off = draw(_OFF_DAYS)
    weekly: dict[int, list[TimeRange]] = {day: list(daily) for day in range(7) if day not in off}
    for weekday, time_range in draw(weekday_extras(focus)):
        weekly.setdefault(weekday, []).append(time_range)
    local_anchor = anchor.astimezone(tz).date()
    overrides: dict[date, DateOverride] = {}
    for shift, ranges in draw(override_lists(focus)):
        day = local_anchor + timedelta(days=shift)
        overrides[day] = DateOverride(day, tuple(ranges))
    if steered:
        day, meeting = _meeting_range(draw, tz, start, span)
        weekly.setdefault(day.weekday(), []).append(meeting)
        # An override of that date replaces the weekly rules: it has the range too (the other
        # overridden dates keep theirs, days off included).
        if day in overrides:
            overrides[day] = DateOverride(day, (*overrides[day].ranges, meeting))
    schedule = Schedule(timezone, WeeklyRules(weekly), overrides)

    policy = draw(policies(steered))
    length = policy.slot_length

    # Where slots would start with nothing busy: the engine itself only places "now", the busy
    # time and bookings below where they matter (touching, hugging a slot), never judges the
    # answer.
    open_slots = free_slots(
        schedule,
        Policy(slot_length=length, notice=timedelta(0), horizon=timedelta(days=366)),
        [],
        [],
        start - timedelta(days=1),
        start - timedelta(hours=12),
        end + timedelta(hours=12),
    )
    now = _now(draw, start, end, policy, open_slots, steered)

    # "Anywhere" is four hours around the query range; steered, at least a day in all, and an
    # hour's range gets half the busy intervals and bookings, so that a few of them rarely
    # cover a short range entirely.
    pad = max(240, (1440 - span) // 2) if steered else 240
    divisor = 2 if steered and span <= 60 else 1

    def near_a_slot() -> datetime:
        if not open_slots:
            return _instant(draw, start, -pad, span + pad)
        return draw(st.sampled_from(open_slots))

    busy = []
    for _ in range(-(-draw(_BUSY_COUNTS[steered]) // divisor)):
        duration = timedelta(minutes=draw(_BUSY_MINUTES))
        placement = draw(_BUSY_PLACEMENTS)
        if placement == "anywhere":
            begin = _instant(draw, start, -pad, span + pad)
            busy.append(Interval(begin, begin + duration))
            continue
        slot = near_a_slot()
        if placement in ("after", "both sides"):  # starts where the slot's occupied range ends
            begin = slot + length + policy.buffer_after
            busy.append(Interval(begin, begin + duration))
        if placement in ("before", "both sides"):  # ends where the slot's occupied range starts
            finish = slot - policy.buffer_before
            busy.append(Interval(finish - duration, finish))
    bookings = []
    for _ in range(-(-draw(_BOOKING_COUNTS[steered]) // divisor)):
        duration = timedelta(minutes=draw(_BOOKING_MINUTES))
        before = timedelta(minutes=draw(_BUFFER_MINUTES))
        after = timedelta(minutes=draw(_BUFFER_MINUTES))
        placement = draw(_BOOKING_PLACEMENTS)
        if placement == "anywhere":
            begin = _instant(draw, start, -pad, span + pad)
        elif placement == "week before":  # counts towards the caps only
            begin = _instant(draw, start, -7 * 1440, 0)
        elif placement == "touching":  # its occupied range starts where a slot's ends
            begin = near_a_slot() + length + policy.buffer_after + before
        else:
            begin = near_a_slot()
        bookings.append(Booking(begin, begin + duration, before, after))
    return Scenario(schedule, policy, busy, bookings, now, start, end)


@st.composite
def dst_days(draw: st.DrawFn) -> Scenario:
    """Only the wall clock: rules right across one DST transition, nothing busy, no limits."""
    timezone = draw(_choice(DST_ZONES))
    tz = ZoneInfo(timezone)
    anchor = draw(_choice(tuple(transitions(timezone))))
    focus = focus_minutes(timezone, anchor)
    ranges = tuple(draw(range_lists(focus, 1, 3)))
    # The local dates on both sides of the instant (they differ where it falls at midnight).
    days = {(anchor + timedelta(seconds=s)).astimezone(tz).date() for s in (-1, 0)}
    weekly = WeeklyRules({day: draw(range_lists(focus, 0, 2)) for day in range(7)})
    schedule = Schedule(timezone, weekly, {day: DateOverride(day, ranges) for day in days})
    policy = Policy(
        slot_length=timedelta(minutes=draw(_SLOT_MINUTES)),
        notice=timedelta(0),
        horizon=timedelta(days=366),
    )
    start = anchor - timedelta(hours=30)
    return Scenario(schedule, policy, [], [], start, start, anchor + timedelta(hours=30))
