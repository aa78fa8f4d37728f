"""Every invalid input gets its domain error with its stable code, never another exception."""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from availability import (
    AvailabilityError,
    Booking,
    BookingSpans,
    DateOverride,
    Interval,
    InvalidPolicy,
    InvalidQueryRange,
    InvalidRange,
    InvalidTimezone,
    InvalidWeekday,
    MentorInput,
    NaiveDatetime,
    Policy,
    RangeNotOn5Minutes,
    RangeOutOfOrder,
    Schedule,
    TimeRange,
    WeeklyRules,
    bookings_window,
    free_slots,
    free_slots_for_many,
    group_by_local_date,
    is_bookable,
    parse_wall_time,
    zone,
)

NOW = datetime(2026, 6, 1, tzinfo=UTC)
LATER = NOW + timedelta(days=7)
SCHEDULE = Schedule("Europe/Paris", WeeklyRules({0: (TimeRange.parse("09:00", "12:00"),)}))
POLICY = Policy()


def raises(error: type[AvailabilityError], code: str, call: Callable[[], object]) -> None:
    with pytest.raises(error) as caught:
        call()
    assert caught.value.code == code
    assert caught.value.detail


@pytest.mark.parametrize(
    "name", ["Mars/Olympus_Mons", "", " Europe/Paris", "../etc/passwd", "Europe"]
)
def test_an_unknown_timezone_is_invalid_timezone(name: str) -> None:
    raises(InvalidTimezone, "invalid_timezone", lambda: Schedule(name))
    raises(InvalidTimezone, "invalid_timezone", lambda: zone(name))
    raises(InvalidTimezone, "invalid_timezone", lambda: group_by_local_date([NOW], name))


def test_a_timezone_that_is_not_a_string_is_invalid_timezone() -> None:
    raises(InvalidTimezone, "invalid_timezone", lambda: Schedule(42))  # type: ignore[arg-type]


@pytest.mark.parametrize("text", ["25:00", "24:30", "9:00", "09:60", "0900", "", "noon", "-1:00"])
def test_a_wall_time_that_is_not_hh_mm_up_to_24_00_is_invalid_range(text: str) -> None:
    raises(InvalidRange, "invalid_range", lambda: parse_wall_time(text))
    raises(InvalidRange, "invalid_range", lambda: TimeRange.parse(text, "23:00"))


def test_a_wall_time_off_the_5_minute_grid_is_range_not_on_5_minutes() -> None:
    raises(RangeNotOn5Minutes, "range_not_on_5_minutes", lambda: TimeRange.parse("09:07", "10:00"))
    raises(RangeNotOn5Minutes, "range_not_on_5_minutes", lambda: TimeRange(540, 601))


@pytest.mark.parametrize(
    ("start", "end"), [("10:00", "09:00"), ("09:00", "09:00"), ("24:00", "24:00")]
)
def test_a_range_that_does_not_end_after_it_starts_is_range_out_of_order(
    start: str, end: str
) -> None:
    raises(RangeOutOfOrder, "range_out_of_order", lambda: TimeRange.parse(start, end))


@pytest.mark.parametrize("minutes", [-5, 1445, "540", 540.0, True, None])
def test_minutes_outside_the_day_or_not_whole_are_invalid_range(minutes: Any) -> None:
    raises(InvalidRange, "invalid_range", lambda: TimeRange(minutes, 1440))


@pytest.mark.parametrize("weekday", [7, -1, "1", 1.0, True])
def test_a_weekday_outside_0_to_6_is_invalid_weekday(weekday: Any) -> None:
    raises(
        InvalidWeekday,
        "invalid_weekday",
        lambda: WeeklyRules({weekday: (TimeRange.parse("09:00", "10:00"),)}),
    )


def test_rules_that_are_not_time_ranges_are_invalid_range() -> None:
    raises(InvalidRange, "invalid_range", lambda: WeeklyRules({0: ("09:00", "10:00")}))  # type: ignore[dict-item]
    raises(InvalidRange, "invalid_range", lambda: WeeklyRules({0: 540}))  # type: ignore[dict-item]
    raises(InvalidRange, "invalid_range", lambda: DateOverride(date(2026, 6, 1), ((540, 600),)))  # type: ignore[arg-type]
    raises(InvalidRange, "invalid_range", lambda: DateOverride(NOW, ()))
    raises(InvalidRange, "invalid_range", lambda: Schedule("UTC", {0: ()}))  # type: ignore[arg-type]
    raises(
        InvalidRange,
        "invalid_range",
        lambda: Schedule("UTC", overrides={date(2026, 6, 2): DateOverride(date(2026, 6, 1))}),
    )


@pytest.mark.parametrize(
    "changes",
    [
        {"buffer_before": timedelta(minutes=-5)},
        {"buffer_after": timedelta(seconds=-1)},
        {"notice": timedelta(minutes=-1)},
        {"buffer_after": timedelta(days=8)},
        {"slot_length": timedelta(0)},
        {"slot_length": timedelta(minutes=7)},
        {"slot_length": timedelta(days=2)},
        {"slot_length": 15},
        {"horizon": timedelta(0)},
        {"horizon": timedelta(days=400)},
        {"notice": "2h"},
        {"day_cap": -1},
        {"week_cap": 1.5},
        {"day_cap": True},
    ],
)
def test_a_policy_out_of_bounds_is_invalid_policy(changes: dict[str, Any]) -> None:
    raises(InvalidPolicy, "invalid_policy", lambda: Policy(**changes))


def test_a_booking_with_a_negative_buffer_is_invalid_policy() -> None:
    raises(
        InvalidPolicy,
        "invalid_policy",
        lambda: Booking(NOW, NOW + timedelta(minutes=15), timedelta(minutes=-5)),
    )


def test_an_instant_without_an_offset_is_naive_datetime() -> None:
    naive = datetime(2026, 6, 1, 9)
    args = (SCHEDULE, POLICY, [], [])
    raises(NaiveDatetime, "naive_datetime", lambda: free_slots(*args, naive, NOW, LATER))
    raises(NaiveDatetime, "naive_datetime", lambda: free_slots(*args, NOW, naive, LATER))
    raises(NaiveDatetime, "naive_datetime", lambda: free_slots(*args, NOW, NOW, naive))
    raises(NaiveDatetime, "naive_datetime", lambda: is_bookable(*args, NOW, naive))
    raises(NaiveDatetime, "naive_datetime", lambda: bookings_window(SCHEDULE, POLICY, naive, LATER))
    raises(NaiveDatetime, "naive_datetime", lambda: Interval(naive, LATER))
    raises(NaiveDatetime, "naive_datetime", lambda: Booking(naive, LATER))
    raises(NaiveDatetime, "naive_datetime", lambda: group_by_local_date([naive], "UTC"))
    raises(NaiveDatetime, "naive_datetime", lambda: free_slots(*args, date(2026, 6, 1), NOW, LATER))  # type: ignore[arg-type]


def test_a_query_range_that_does_not_end_after_it_starts_is_invalid_query_range() -> None:
    args = (SCHEDULE, POLICY, [], [], NOW)
    raises(InvalidQueryRange, "invalid_query_range", lambda: free_slots(*args, LATER, NOW))
    raises(InvalidQueryRange, "invalid_query_range", lambda: free_slots(*args, NOW, NOW))
    raises(
        InvalidQueryRange,
        "invalid_query_range",
        lambda: bookings_window(SCHEDULE, POLICY, NOW, NOW),
    )
    raises(
        InvalidQueryRange,
        "invalid_query_range",
        lambda: free_slots_for_many({}, NOW, LATER, NOW),
    )


def test_a_query_range_longer_than_allowed_is_invalid_query_range() -> None:
    args = (SCHEDULE, POLICY, [], [], NOW)
    raises(
        InvalidQueryRange,
        "invalid_query_range",
        lambda: free_slots(*args, NOW, NOW + timedelta(days=401)),
    )
    free_slots(*args, NOW, NOW + timedelta(days=400))  # the longest range allowed: no error


def test_instants_at_the_ends_of_the_calendar_are_invalid_query_range() -> None:
    args = (SCHEDULE, POLICY, [], [])
    far = datetime(9999, 12, 31, tzinfo=UTC)
    raises(
        InvalidQueryRange,
        "invalid_query_range",
        lambda: free_slots(*args, NOW, far - timedelta(days=1), far),
    )
    raises(InvalidQueryRange, "invalid_query_range", lambda: free_slots(*args, far, NOW, LATER))
    first = datetime(1, 1, 1, tzinfo=UTC)
    raises(InvalidQueryRange, "invalid_query_range", lambda: free_slots(*args, NOW, first, LATER))


def test_intervals_and_bookings_that_end_before_they_start_are_invalid_query_range() -> None:
    raises(InvalidQueryRange, "invalid_query_range", lambda: Interval(LATER, NOW))
    raises(InvalidQueryRange, "invalid_query_range", lambda: Booking(LATER, NOW))
    raises(InvalidQueryRange, "invalid_query_range", lambda: Booking(NOW, NOW))


@pytest.mark.parametrize(
    "columns",
    [
        ((1, 2), (1,), (3, 4)),  # lengths differ
        ((1,), (1,), (1,)),  # the occupied range ends where the booking starts
        ((5,), (6,), (9,)),  # the occupied range starts after the booking
        ((1.0,), (1,), (2,)),  # not integers
        ((True,), (0,), (2,)),  # a bool is not a number of microseconds
        ([1], [1], [2]),  # not tuples
    ],
)
def test_booking_spans_that_do_not_describe_bookings_are_invalid_query_range(
    columns: Any,
) -> None:
    raises(InvalidQueryRange, "invalid_query_range", lambda: BookingSpans(*columns))


def test_inputs_of_the_wrong_kind_get_domain_errors() -> None:
    raises(
        InvalidQueryRange,
        "invalid_query_range",
        lambda: free_slots(SCHEDULE, POLICY, [(NOW, LATER)], [], NOW, NOW, LATER),
    )  # type: ignore[list-item]
    raises(
        InvalidQueryRange,
        "invalid_query_range",
        lambda: free_slots(SCHEDULE, POLICY, [], [Interval(NOW, LATER)], NOW, NOW, LATER),
    )  # type: ignore[list-item]
    raises(
        InvalidQueryRange,
        "invalid_query_range",
        lambda: free_slots(SCHEDULE, POLICY, None, [], NOW, NOW, LATER),
    )  # type: ignore[arg-type]
    raises(
        InvalidPolicy, "invalid_policy", lambda: free_slots(SCHEDULE, None, [], [], NOW, NOW, LATER)
    )  # type: ignore[arg-type]
    raises(
        InvalidRange,
        "invalid_range",
        lambda: free_slots("Europe/Paris", POLICY, [], [], NOW, NOW, LATER),
    )  # type: ignore[arg-type]
    raises(
        InvalidQueryRange,
        "invalid_query_range",
        lambda: free_slots_for_many({"m": SCHEDULE}, NOW, NOW, LATER),
    )  # type: ignore[dict-item]
    raises(
        InvalidQueryRange,
        "invalid_query_range",
        lambda: free_slots_for_many([MentorInput(SCHEDULE, POLICY)], NOW, NOW, LATER),
    )  # type: ignore[arg-type]
    raises(NaiveDatetime, "naive_datetime", lambda: group_by_local_date(None, "UTC"))  # type: ignore[arg-type]


@given(st.text(max_size=8))
def test_any_text_is_a_wall_time_or_invalid_range(text: str) -> None:
    try:
        minutes = parse_wall_time(text)
    except InvalidRange:
        return
    assert 0 <= minutes <= 1440


@given(st.text(max_size=30))
def test_any_text_is_a_timezone_or_invalid_timezone(text: str) -> None:
    with contextlib.suppress(InvalidTimezone):
        assert zone(text).key == text


@given(
    st.one_of(st.integers(-3000, 3000), st.none(), st.floats(), st.text(max_size=3)),
    st.one_of(st.integers(-3000, 3000), st.none(), st.floats(), st.text(max_size=3)),
)
def test_any_pair_of_values_is_a_time_range_or_a_domain_error(start: Any, end: Any) -> None:
    try:
        time_range = TimeRange(start, end)
    except AvailabilityError:
        return
    assert 0 <= time_range.start < time_range.end <= 1440


@given(
    st.timedeltas(min_value=timedelta(days=-10), max_value=timedelta(days=400)),
    st.sampled_from(["slot_length", "buffer_before", "buffer_after", "notice", "horizon"]),
    st.one_of(st.none(), st.integers(-3, 3)),
)
def test_any_policy_values_give_a_policy_or_invalid_policy(
    value: timedelta, name: str, cap: int | None
) -> None:
    try:
        policy = Policy(**{name: value}, day_cap=cap)  # type: ignore[arg-type]
    except InvalidPolicy:
        return
    # Accepted: it holds what was given, within the contract's bounds.
    assert getattr(policy, name) == value and timedelta(0) <= value
    assert cap is None or cap >= 0


@given(
    st.lists(
        st.tuples(st.integers(0, 10**15), st.integers(0, 10**9), st.integers(1, 10**9)),
        max_size=20,
    )
)
def test_the_trusted_constructors_build_what_the_validating_ones_build(
    rows: list[tuple[int, int, int]],
) -> None:
    """The loader's fast path (no re-validation of checked rows) gives equal values."""
    starts = tuple(start for start, _, _ in rows)
    occupied_starts = tuple(start - before for start, before, _ in rows)
    occupied_ends = tuple(start + length for start, _, length in rows)
    flat = [
        value for row in zip(starts, occupied_starts, occupied_ends, strict=True) for value in row
    ]
    assert BookingSpans.trusted(flat) == BookingSpans(starts, occupied_starts, occupied_ends)
    pairs = [value for start, _, length in rows for value in (start, start + length)]
    epoch = datetime(1970, 1, 1, tzinfo=UTC)
    assert Interval.trusted_many(pairs) == tuple(
        Interval(epoch + timedelta(microseconds=a), epoch + timedelta(microseconds=b))
        for a, b in zip(pairs[0::2], pairs[1::2], strict=True)
    )
