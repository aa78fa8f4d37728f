"""The wall-clock conversion underneath the engine, against zoneinfo across every zone.

The engine converts most dates by a plain translation (one offset all day) and the dates near a
change through zoneinfo's folds; these tests pin both paths, and the one fact about the tz
database the fast path relies on.
"""

from __future__ import annotations

import itertools
import zoneinfo
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo, _zoneinfo

from hypothesis import given
from hypothesis import strategies as st

from availability._clock import DAY_US, EPOCH_ORDINAL, MINUTE_US, US, WallClock
from tests.availability.strategies import DST_ZONES, FIXED_ZONES, transitions

ALL_ZONES = sorted(zoneinfo.available_timezones())


def _offset_changes(name: str) -> list[int]:
    """UTC seconds of every explicit change of offset in the zone's tz database file."""
    tz = ZoneInfo(name)
    changes = []
    for instant in _zoneinfo.ZoneInfo.no_cache(name)._trans_utc:
        before = datetime.fromtimestamp(instant - 1, tz).utcoffset()
        after = datetime.fromtimestamp(instant, tz).utcoffset()
        if before != after:
            changes.append(instant)
    return changes


def test_the_tz_database_never_changes_a_zones_offset_twice_within_48_hours() -> None:
    # WallClock.day_offsets samples offsets 48 hours apart and reads two equal samples as "no
    # change between them"; that holds while changes are more than 48 hours apart.
    for name in ALL_ZONES:
        changes = _offset_changes(name)
        for earlier, later in itertools.pairwise(changes):
            assert later - earlier > 48 * 3600, (name, datetime.fromtimestamp(earlier, UTC))
        rule = _zoneinfo.ZoneInfo.no_cache(name)._tz_after
        if hasattr(rule, "transitions"):  # a recurring DST rule after the last explicit change
            for year in (2040, 2070, 2100):
                start, end = rule.transitions(year)
                apart = abs(end - start)
                assert min(apart, 365 * 86400 - apart) > 48 * 3600, (name, year)


zones = st.sampled_from(ALL_ZONES)
days = st.dates(min_value=date(1900, 1, 1), max_value=date(2100, 12, 31))
wall_minutes = st.integers(0, 288).map(lambda k: k * 5)


def _wall(day: date, minute: int) -> datetime:
    return datetime.combine(day, datetime.min.time()) + timedelta(minutes=minute)


def _local_wall(tz: ZoneInfo, utc_seconds: int) -> datetime:
    return datetime.fromtimestamp(utc_seconds, tz).replace(tzinfo=None)


@given(zones, days, wall_minutes)
def test_a_wall_time_becomes_the_first_instant_at_or_after_it(
    timezone: str, day: date, minute: int
) -> None:
    clock = WallClock(ZoneInfo(timezone))
    instant = clock.to_utc(day.toordinal(), minute) // US
    wall = _wall(day, minute)
    # At the instant the wall clock reads the time (or, in a gap, just past it); a second
    # earlier it had not reached it yet.
    assert _local_wall(clock.tz, instant) >= wall
    assert _local_wall(clock.tz, instant - 1) < wall


@given(zones, days, wall_minutes)
def test_the_one_offset_fast_path_agrees_with_the_exact_conversion(
    timezone: str, day: date, minute: int
) -> None:
    clock = WallClock(ZoneInfo(timezone))
    ordinal = day.toordinal()
    (offset,) = clock.day_offsets(ordinal, ordinal)
    if offset is not None:
        fast = (ordinal - EPOCH_ORDINAL) * DAY_US + minute * MINUTE_US - offset
        assert fast == clock.to_utc(ordinal, minute)


@given(st.sampled_from(DST_ZONES), st.data())
def test_dates_next_to_a_transition_take_the_exact_path(timezone: str, data: st.DataObject) -> None:
    tz = ZoneInfo(timezone)
    change = data.draw(st.sampled_from(transitions(timezone)))
    ordinal = change.astimezone(tz).toordinal()
    assert None in WallClock(tz).day_offsets(ordinal - 1, ordinal + 1)


def test_the_references_5_minute_walk_is_exact_for_the_zones_the_tests_use() -> None:
    # reference.py steps UTC in 5-minute strides: exact only if every offset and every change of
    # the zones used is on the 5-minute grid.
    for timezone in DST_ZONES + FIXED_ZONES:
        tz = ZoneInfo(timezone)
        for change in transitions(timezone):
            assert change.timestamp() % 300 == 0
            for instant in (change - timedelta(seconds=1), change):
                offset = instant.astimezone(tz).utcoffset()
                assert offset is not None and offset % timedelta(minutes=5) == timedelta(0)


@given(st.sampled_from(DST_ZONES), st.data())
def test_a_span_of_dates_gives_each_date_its_own_offset(timezone: str, data: st.DataObject) -> None:
    # Spans share samples through index arithmetic: each date of a span around a change must
    # read as it reads alone, and its offset (when it has one) must convert every wall time of
    # the date exactly.
    tz = ZoneInfo(timezone)
    change = data.draw(st.sampled_from(transitions(timezone)))
    first = change.astimezone(tz).toordinal() - data.draw(st.integers(0, 9))
    last = first + data.draw(st.integers(0, 20))
    span = WallClock(tz).day_offsets(first, last)
    assert len(span) == last - first + 1
    exact = WallClock(tz)
    for ordinal, offset in zip(range(first, last + 1), span, strict=True):
        assert [offset] == WallClock(tz).day_offsets(ordinal, ordinal)
        if offset is not None:
            for minute in range(0, 1440, 30):
                fast = (ordinal - EPOCH_ORDINAL) * DAY_US + minute * MINUTE_US - offset
                assert fast == exact.to_utc(ordinal, minute)
