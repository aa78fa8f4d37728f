"""The supported window: every instant or date from outside is either inside
``[SUPPORTED_FROM, SUPPORTED_UNTIL)`` and kept to the microsecond, or refused with
InvalidQueryRange — whatever its offset, never an OverflowError on the way."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from availability import (
    SUPPORTED_FROM,
    SUPPORTED_UNTIL,
    InvalidQueryRange,
    NaiveDatetime,
    supported_date,
    supported_instant,
)

# Every offset datetime accepts (strictly within a day), to the second.
offsets = st.integers(-86_399, 86_399).map(lambda s: timezone(timedelta(seconds=s)))
any_instant = st.datetimes(min_value=datetime.min, max_value=datetime.max, timezones=offsets)
near_edges = st.one_of(
    *(
        st.datetimes(
            min_value=edge.replace(tzinfo=None) - timedelta(days=2),
            max_value=edge.replace(tzinfo=None) + timedelta(days=2),
            timezones=offsets,
        )
        for edge in (SUPPORTED_FROM, SUPPORTED_UNTIL)
    )
)


@given(st.one_of(any_instant, near_edges))
def test_an_instant_is_kept_in_utc_inside_the_window_and_refused_outside(
    instant: datetime,
) -> None:
    offset = instant.utcoffset()
    assert offset is not None
    # The UTC reading, computed without datetime arithmetic that could overflow.
    inside = (
        SUPPORTED_FROM.replace(tzinfo=None) + offset
        <= instant.replace(tzinfo=None)
        < SUPPORTED_UNTIL.replace(tzinfo=None) + offset
    )
    if inside:
        utc = supported_instant(instant, "start")
        assert utc == instant and utc.tzinfo is UTC
    else:
        with pytest.raises(InvalidQueryRange, match="start must lie between"):
            supported_instant(instant, "start")


@given(st.datetimes(min_value=datetime.min, max_value=datetime.max))
def test_a_naive_instant_is_refused_for_its_missing_offset(instant: datetime) -> None:
    with pytest.raises(NaiveDatetime):
        supported_instant(instant)


@given(st.dates())
def test_a_date_is_kept_inside_the_window_and_refused_outside(day: date) -> None:
    if SUPPORTED_FROM.date() <= day < SUPPORTED_UNTIL.date():
        assert supported_date(day, "day") == day
    else:
        with pytest.raises(InvalidQueryRange):
            supported_date(day, "day")


def test_the_window_edges_are_half_open() -> None:
    assert supported_instant(SUPPORTED_FROM) == SUPPORTED_FROM
    with pytest.raises(InvalidQueryRange):
        supported_instant(SUPPORTED_UNTIL)
    with pytest.raises(InvalidQueryRange):
        supported_instant(SUPPORTED_FROM - timedelta(microseconds=1))
