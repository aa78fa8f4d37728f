"""Hypothesis strategies: schedules, policies, busy time and bookings around DST transitions."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from functools import cache
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


@st.composite
def time_ranges(draw: st.DrawFn, focus: tuple[int, ...] = ()) -> TimeRange:
    # Half the ends next to the anchor's transition (inside its gap or repeated hour), the rest
    # where transitions happen in these zones or anywhere.
    pools = [st.sampled_from(_NEAR_TRANSITIONS), st.sampled_from(_GRID)]
    if focus:
        pools[:0] = [st.sampled_from(focus)] * 2
    ends = [draw(st.one_of(pools)) for _ in range(2)]
    low, high = min(ends), max(ends)
    if low == high:
        low, high = (low - 5, high) if high == 1440 else (low, high + 5)
    return TimeRange(low, high)


@st.composite
def policies(draw: st.DrawFn) -> Policy:
    def minutes(strategy: st.SearchStrategy[int]) -> timedelta:
        return timedelta(minutes=draw(strategy))

    return Policy(
        slot_length=minutes(st.sampled_from((15, 15, 15, 5, 10, 30, 45, 60))),
        buffer_before=minutes(st.sampled_from(_BUFFERS)),
        buffer_after=minutes(st.sampled_from(_BUFFERS)),
        notice=minutes(st.sampled_from((0, 0, 0, 0, 0, 120, 90, 600, 1440))),
        horizon=minutes(st.sampled_from((60 * 1440,) * 10 + (1, 45, 600, 1440, 2000, 4000))),
        day_cap=draw(st.sampled_from((None,) * 6 + (0, 1, 2, 3))),
        week_cap=draw(st.sampled_from((None,) * 6 + (0, 1, 2, 4))),
    )


@st.composite
def anchors(draw: st.DrawFn, timezone: str) -> datetime:
    """An instant near one of the zone's transitions, or anywhere in 2026."""
    candidates = transitions(timezone)
    choice = draw(st.integers(-len(candidates) // 4 - 1, len(candidates) - 1))
    if choice >= 0:
        return candidates[choice]
    return datetime(2026, 1, 1, tzinfo=UTC) + timedelta(minutes=5 * draw(st.integers(0, 105_000)))


def _instant(draw: st.DrawFn, around: datetime, before_min: int, after_min: int) -> datetime:
    """Mostly on the UTC quarter-hour grid, where slots start and end, so that things touch;
    sometimes on the 5-minute grid, sometimes to the second."""
    seconds = draw(st.integers(before_min * 60, after_min * 60))
    if seconds % 7:
        seconds -= (
            (around - EPOCH + timedelta(seconds=seconds))
            % timedelta(seconds=900 if seconds % 3 else 300)
            // timedelta(seconds=1)
        )
    return around + timedelta(seconds=seconds)


@st.composite
def scenarios(draw: st.DrawFn, zones: tuple[str, ...] = ZONES) -> Scenario:
    timezone = draw(st.sampled_from(zones))
    tz = ZoneInfo(timezone)
    anchor = draw(anchors(timezone))
    focus = focus_minutes(timezone, anchor)
    start = _instant(draw, anchor, -36 * 60, 60)
    end = start + timedelta(minutes=draw(st.sampled_from((60, 360, 1440, 2160, 2880, 4 * 1440))))
    now = _instant(draw, start, -1440, 120)

    # Most days share the same hours, as real schedules do; some days are off or have extras.
    daily = draw(st.lists(time_ranges(focus), min_size=1, max_size=3))
    off = draw(st.sets(st.integers(0, 6), max_size=2))
    weekly: dict[int, list[TimeRange]] = {day: list(daily) for day in range(7) if day not in off}
    for weekday, time_range in draw(
        st.lists(st.tuples(st.integers(0, 6), time_ranges(focus)), max_size=3)
    ):
        weekly.setdefault(weekday, []).append(time_range)
    local_anchor = anchor.astimezone(tz).date()
    overrides: dict[date, DateOverride] = {}
    for shift, ranges in draw(
        st.lists(
            st.tuples(st.sampled_from((0, 0, -1, 1, 2)), st.lists(time_ranges(focus), max_size=2)),
            max_size=2,
        )
    ):
        day = local_anchor + timedelta(days=shift)
        overrides[day] = DateOverride(day, tuple(ranges))
    schedule = Schedule(timezone, WeeklyRules(weekly), overrides)

    policy = draw(policies())
    length = policy.slot_length

    # Where slots would start with nothing busy: the engine itself only places the busy time
    # and bookings below where they matter (touching, hugging a slot), never judges the answer.
    open_slots = free_slots(
        schedule,
        Policy(slot_length=length, notice=timedelta(0), horizon=timedelta(days=366)),
        [],
        [],
        start - timedelta(days=1),
        start - timedelta(hours=12),
        end + timedelta(hours=12),
    )

    def near_a_slot() -> datetime:
        if not open_slots:
            return _instant(draw, start, -240, span + 240)
        return draw(st.sampled_from(open_slots))

    span = int((end - start) / timedelta(minutes=1))
    busy = []
    for _ in range(draw(st.integers(0, 8))):
        duration = timedelta(minutes=draw(st.sampled_from((0, 5, 15, 30, 45, 60, 90, 120, 7))))
        placement = draw(st.sampled_from(("anywhere", "after", "before", "both sides")))
        if placement == "anywhere":
            begin = _instant(draw, start, -240, span + 240)
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
    for _ in range(draw(st.integers(0, 6))):
        duration = timedelta(minutes=draw(st.sampled_from((15, 15, 5, 30, 60))))
        before = timedelta(minutes=draw(st.sampled_from(_BUFFERS)))
        after = timedelta(minutes=draw(st.sampled_from(_BUFFERS)))
        placement = draw(st.sampled_from(("anywhere", "week before", "touching", "on a slot")))
        if placement == "anywhere":
            begin = _instant(draw, start, -240, span + 240)
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
    timezone = draw(st.sampled_from(DST_ZONES))
    tz = ZoneInfo(timezone)
    anchor = draw(st.sampled_from(transitions(timezone)))
    focus = focus_minutes(timezone, anchor)
    ranges = tuple(draw(st.lists(time_ranges(focus), min_size=1, max_size=3)))
    # The local dates on both sides of the instant (they differ where it falls at midnight).
    days = {(anchor + timedelta(seconds=s)).astimezone(tz).date() for s in (-1, 0)}
    weekly = WeeklyRules({day: draw(st.lists(time_ranges(focus), max_size=2)) for day in range(7)})
    schedule = Schedule(timezone, weekly, {day: DateOverride(day, ranges) for day in days})
    policy = Policy(
        slot_length=timedelta(minutes=draw(st.sampled_from((15, 5, 10, 30, 45, 60)))),
        notice=timedelta(0),
        horizon=timedelta(days=366),
    )
    start = anchor - timedelta(hours=30)
    return Scenario(schedule, policy, [], [], start, start, anchor + timedelta(hours=30))
