"""Day and week caps count each slot on its own local date, also where clocks go back across
local midnight.

Newfoundland and Labrador set their clocks back at 00:01 (1987-2010): local time runs from
00:00:59 on a Sunday back to 23:01 on the Saturday, so the Saturday's windows reach slots that
fall on the Sunday and the Sunday's reach back. A cap reached on one of the two dates must close
that date's slots, wherever the window they belong to comes from.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from functools import cache
from zoneinfo import ZoneInfo

from hypothesis import given
from hypothesis import strategies as st

from availability import (
    Booking,
    DateOverride,
    Policy,
    Schedule,
    TimeRange,
    WeeklyRules,
    free_slots,
)
from tests.availability import reference

ZONES = ("America/St_Johns", "America/Goose_Bay", "America/Moncton")


@cache
def backward_midnights(timezone: str) -> tuple[datetime, ...]:
    """The instants where ``timezone``'s local date steps back (autumn changes at 00:01)."""
    tz = ZoneInfo(timezone)
    found = []
    for year in range(1987, 2011):
        day = datetime(year, 10, 1, tzinfo=UTC)
        while day.month < 12:
            following = day + timedelta(days=1)
            if day.astimezone(tz).utcoffset() != following.astimezone(tz).utcoffset():
                low, high = int(day.timestamp()), int(following.timestamp())
                while high - low > 1:
                    middle = (low + high) // 2
                    if (
                        datetime.fromtimestamp(middle, tz).utcoffset()
                        == day.astimezone(tz).utcoffset()
                    ):
                        low = middle
                    else:
                        high = middle
                before = datetime.fromtimestamp(high - 1, tz).date()
                if datetime.fromtimestamp(high, tz).date() < before:
                    found.append(datetime.fromtimestamp(high, UTC))
            day = following
    return tuple(found)


def test_the_zones_have_changes_that_cross_midnight_backwards() -> None:
    """The property below draws from these: an empty list would make it check nothing."""
    assert all(backward_midnights(zone) for zone in ZONES)
    assert datetime(2006, 10, 29, 2, 31, tzinfo=UTC) in backward_midnights("America/St_Johns")


# Ends of ranges near the two midnights, plus whole hours.
_MINUTES = st.sampled_from((0, 30, 60, 120, 1260, 1320, 1380, 1410, 1440))


@st.composite
def ranges(draw: st.DrawFn) -> tuple[TimeRange, ...]:
    ends = sorted(draw(st.sets(_MINUTES, min_size=2, max_size=4)))
    pairs = list(zip(ends[::2], ends[1::2], strict=False))
    return tuple(
        TimeRange.parse(f"{a // 60:02d}:{a % 60:02d}", f"{b // 60:02d}:{b % 60:02d}")
        for a, b in pairs
    )


@st.composite
def scenarios(draw: st.DrawFn) -> tuple[list[datetime], list[datetime]]:
    """(what the engine offers, what the reference allows) around one backward midnight."""
    timezone = draw(st.sampled_from(ZONES))
    tz = ZoneInfo(timezone)
    instant = draw(st.sampled_from(backward_midnights(timezone)))
    sunday = instant.astimezone(tz).date() + timedelta(days=1)
    days: list[date] = [sunday - timedelta(days=1), sunday]
    overrides = {day: DateOverride(day, draw(ranges())) for day in days}
    schedule = Schedule(timezone, WeeklyRules({}), overrides)
    day_cap = draw(st.sampled_from((1, 2, None)))
    week_cap = draw(st.sampled_from((1, 2, 3, None))) if day_cap is None else None
    start = instant - timedelta(hours=30)
    end = instant + timedelta(hours=30)
    now = start - timedelta(days=1)
    uncapped = Policy(slot_length=timedelta(minutes=15), notice=timedelta(0))
    open_slots = free_slots(schedule, uncapped, [], [], now, start, end)
    chosen = (
        draw(st.lists(st.sampled_from(open_slots), max_size=3, unique=True)) if open_slots else []
    )
    bookings = [Booking(slot, slot + timedelta(minutes=15)) for slot in chosen]
    policy = Policy(
        slot_length=timedelta(minutes=15),
        notice=timedelta(0),
        horizon=timedelta(days=4),
        day_cap=day_cap,
        week_cap=week_cap,
    )
    args = (schedule, policy, [], bookings, now, start, end)
    return free_slots(*args), reference.reference_slots(*args)


@given(scenarios())
def test_caps_count_each_slot_on_its_own_local_date_across_a_backward_midnight(
    scenario: tuple[list[datetime], list[datetime]],
) -> None:
    offered, allowed = scenario
    assert offered == allowed
