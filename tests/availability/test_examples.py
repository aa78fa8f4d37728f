"""The contract, one readable example at a time (instants written in UTC unless said)."""

from __future__ import annotations

import dataclasses
import json
import os
import subprocess
import sys
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from availability import (
    Booking,
    BookingSpans,
    DateOverride,
    Interval,
    MentorInput,
    Policy,
    Schedule,
    TimeRange,
    WeeklyRules,
    bookings_window,
    free_slots,
    free_slots_for_many,
    group_by_local_date,
    is_bookable,
)

ROOT = Path(__file__).resolve().parents[2]
# Nothing but the rules limits these examples unless a test says otherwise.
OPEN = Policy(notice=timedelta(0), horizon=timedelta(days=366))


def open_policy(**changes: object) -> Policy:
    """OPEN with some changes."""
    return dataclasses.replace(OPEN, **changes)  # type: ignore[arg-type]


LONG_AGO = datetime(2026, 1, 1, tzinfo=UTC)


MINUTES_20 = timedelta(minutes=20)


def to_us(text: str) -> int:
    return (utc(text) - datetime(1970, 1, 1, tzinfo=UTC)) // timedelta(microseconds=1)


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def hhmm(slots: list[datetime]) -> list[str]:
    return [slot.strftime("%H:%M") for slot in slots]


def one_day(timezone: str, day: date, *ranges: tuple[str, str]) -> Schedule:
    """A schedule open only on ``day``, with these wall-clock ranges."""
    return Schedule(
        timezone,
        overrides={day: DateOverride(day, tuple(TimeRange.parse(a, b) for a, b in ranges))},
    )


def slots_between(
    schedule: Schedule,
    start: str,
    end: str,
    policy: Policy = OPEN,
    busy: tuple[Interval, ...] = (),
    bookings: tuple[Booking, ...] = (),
    now: datetime = LONG_AGO,
) -> list[datetime]:
    return free_slots(schedule, policy, busy, bookings, now, utc(start), utc(end))


# --- DST ------------------------------------------------------------------------------------


def test_a_paris_spring_forward_night_from_01_00_to_04_00_lasts_two_hours_so_holds_8_slots() -> (
    None
):
    schedule = one_day("Europe/Paris", date(2026, 3, 29), ("01:00", "04:00"))
    slots = slots_between(schedule, "2026-03-28T12:00", "2026-03-29T12:00")
    # 01:00 CET = 00:00 UTC, 04:00 CEST = 02:00 UTC.
    assert hhmm(slots) == ["00:00", "00:15", "00:30", "00:45", "01:00", "01:15", "01:30", "01:45"]


def test_a_paris_fall_back_night_from_01_00_to_04_00_lasts_four_hours_so_holds_16_slots() -> None:
    schedule = one_day("Europe/Paris", date(2026, 10, 25), ("01:00", "04:00"))
    slots = slots_between(schedule, "2026-10-24T12:00", "2026-10-25T12:00")
    assert len(slots) == 16
    assert slots[0] == utc("2026-10-24T23:00")  # 01:00 CEST
    assert slots[-1] == utc("2026-10-25T02:45")  # 03:45 CET


def test_a_range_starting_at_02_30_in_the_paris_gap_starts_at_03_00_cest() -> None:
    schedule = one_day("Europe/Paris", date(2026, 3, 29), ("02:30", "05:00"))
    slots = slots_between(schedule, "2026-03-28T12:00", "2026-03-29T12:00")
    # Not 01:30 UTC (what zoneinfo's fold=0 gives): the first instant that exists, 03:00 CEST.
    assert slots[0] == utc("2026-03-29T01:00")
    assert len(slots) == 8  # 03:00-05:00 CEST


def test_a_range_ending_in_the_paris_gap_ends_at_the_transition() -> None:
    schedule = one_day("Europe/Paris", date(2026, 3, 29), ("01:00", "02:30"))
    slots = slots_between(schedule, "2026-03-28T12:00", "2026-03-29T12:00")
    assert hhmm(slots) == ["00:00", "00:15", "00:30", "00:45"]


def test_ranges_that_come_to_touch_through_the_gap_form_one_window() -> None:
    # 01:00-02:10 and 02:50-03:40 both reach 03:00 CEST: one window 00:00-01:40 UTC, so the
    # slots run on one grid from 00:00 UTC.
    schedule = one_day("Europe/Paris", date(2026, 3, 29), ("01:00", "02:10"), ("02:50", "03:40"))
    slots = slots_between(schedule, "2026-03-28T12:00", "2026-03-29T12:00")
    assert hhmm(slots) == ["00:00", "00:15", "00:30", "00:45", "01:00", "01:15"]


def test_an_ambiguous_02_30_on_the_paris_fall_back_night_is_its_first_occurrence() -> None:
    schedule = one_day("Europe/Paris", date(2026, 10, 25), ("02:30", "04:00"))
    slots = slots_between(schedule, "2026-10-24T12:00", "2026-10-25T12:00")
    assert slots[0] == utc("2026-10-25T00:30")  # 02:30 CEST, not 02:30 CET
    assert slots[-1] == utc("2026-10-25T02:45")  # 03:45 CET
    assert len(slots) == 10


def test_new_york_nights_of_change_hold_8_and_16_slots_between_01_00_and_04_00() -> None:
    spring = one_day("America/New_York", date(2026, 3, 8), ("01:00", "04:00"))
    fall = one_day("America/New_York", date(2026, 11, 1), ("01:00", "04:00"))
    spring_slots = slots_between(spring, "2026-03-07T12:00", "2026-03-08T12:00")
    fall_slots = slots_between(fall, "2026-10-31T12:00", "2026-11-01T12:00")
    assert (len(spring_slots), spring_slots[0]) == (8, utc("2026-03-08T06:00"))
    assert (len(fall_slots), fall_slots[0]) == (16, utc("2026-11-01T05:00"))


def test_lord_howe_shifts_by_30_minutes_so_01_00_to_04_00_holds_10_or_14_slots() -> None:
    spring = one_day("Australia/Lord_Howe", date(2026, 10, 4), ("01:00", "04:00"))
    fall = one_day("Australia/Lord_Howe", date(2026, 4, 5), ("01:00", "04:00"))
    assert len(slots_between(spring, "2026-10-03T00:00", "2026-10-04T12:00")) == 10
    assert len(slots_between(fall, "2026-04-04T00:00", "2026-04-05T12:00")) == 14


def test_a_lord_howe_02_15_start_in_its_half_hour_gap_moves_to_02_30() -> None:
    schedule = one_day("Australia/Lord_Howe", date(2026, 10, 4), ("02:15", "03:00"))
    slots = slots_between(schedule, "2026-10-03T00:00", "2026-10-04T12:00")
    local = [slot.astimezone(ZoneInfo("Australia/Lord_Howe")).strftime("%H:%M") for slot in slots]
    assert local == ["02:30", "02:45"]


def test_santiago_changes_at_midnight_and_24_00_follows_it() -> None:
    # 2026-09-06 00:00 does not exist in Santiago (clocks go to 01:00, 04:00 UTC).
    before = one_day("America/Santiago", date(2026, 9, 5), ("23:00", "24:00"))
    assert hhmm(slots_between(before, "2026-09-05T00:00", "2026-09-07T00:00")) == [
        "03:00",
        "03:15",
        "03:30",
        "03:45",
    ]
    after = one_day("America/Santiago", date(2026, 9, 6), ("00:00", "02:00"))
    assert hhmm(slots_between(after, "2026-09-05T00:00", "2026-09-07T00:00")) == [
        "04:00",
        "04:15",
        "04:30",
        "04:45",
    ]
    # 2026-04-04 23:00-24:00 happens twice: the window runs from its first 23:00 (02:00 UTC)
    # to the next midnight (04:00 UTC).
    repeated = one_day("America/Santiago", date(2026, 4, 4), ("23:00", "24:00"))
    assert len(slots_between(repeated, "2026-04-04T00:00", "2026-04-06T00:00")) == 8


def test_a_09_00_rule_is_09_00_paris_time_on_both_sides_of_a_change() -> None:
    schedule = Schedule(
        "Europe/Paris", WeeklyRules({5: (TimeRange.parse("09:00", "09:15"),), 6: ()})
    )
    slots = slots_between(schedule, "2026-03-20T00:00", "2026-04-06T00:00")
    assert slots == [utc("2026-03-21T08:00"), utc("2026-03-28T08:00"), utc("2026-04-04T07:00")]


# --- rules ----------------------------------------------------------------------------------

MONDAYS_NINE_TO_TEN = WeeklyRules({0: (TimeRange.parse("09:00", "10:00"),)})


def test_an_empty_override_makes_the_day_off() -> None:
    schedule = Schedule(
        "UTC", MONDAYS_NINE_TO_TEN, {date(2026, 6, 1): DateOverride(date(2026, 6, 1), ())}
    )
    slots = slots_between(schedule, "2026-06-01T00:00", "2026-06-09T00:00")
    assert [slot.date() for slot in slots] == [date(2026, 6, 8)] * 4


def test_an_override_replaces_the_weekly_hours_of_its_date_only() -> None:
    special = DateOverride(date(2026, 6, 1), (TimeRange.parse("14:00", "15:00"),))
    schedule = Schedule("UTC", MONDAYS_NINE_TO_TEN, {special.day: special})
    slots = slots_between(schedule, "2026-06-01T00:00", "2026-06-09T00:00")
    assert [slot.isoformat() for slot in slots] == [
        "2026-06-01T14:00:00+00:00",
        "2026-06-01T14:15:00+00:00",
        "2026-06-01T14:30:00+00:00",
        "2026-06-01T14:45:00+00:00",
        "2026-06-08T09:00:00+00:00",
        "2026-06-08T09:15:00+00:00",
        "2026-06-08T09:30:00+00:00",
        "2026-06-08T09:45:00+00:00",
    ]


def test_24_00_ends_a_range_at_the_next_local_midnight() -> None:
    schedule = Schedule("Europe/Paris", WeeklyRules({2: (TimeRange.parse("23:00", "24:00"),)}))
    slots = slots_between(schedule, "2026-06-02T00:00", "2026-06-05T00:00")
    assert hhmm(slots) == ["21:00", "21:15", "21:30", "21:45"]  # 23:00-23:45 CEST


def test_windows_of_consecutive_dates_touching_at_midnight_do_not_merge() -> None:
    schedule = Schedule(
        "UTC",
        WeeklyRules(
            {0: (TimeRange.parse("23:50", "24:00"),), 1: (TimeRange.parse("00:00", "00:10"),)}
        ),
    )
    assert slots_between(schedule, "2026-06-01T00:00", "2026-06-03T00:00") == []


def test_overlapping_or_touching_ranges_of_one_date_form_one_window() -> None:
    schedule = one_day(
        "UTC", date(2026, 6, 1), ("09:00", "09:10"), ("09:10", "09:25"), ("09:20", "09:35")
    )
    # One window 09:00-09:35: slots at 09:00 and 09:15 (apart, no range would hold one).
    assert hhmm(slots_between(schedule, "2026-06-01T00:00", "2026-06-02T00:00")) == [
        "09:00",
        "09:15",
    ]


def test_slots_are_laid_from_the_window_start_and_must_fit() -> None:
    schedule = one_day("UTC", date(2026, 6, 1), ("09:05", "10:00"))
    assert hhmm(slots_between(schedule, "2026-06-01T00:00", "2026-06-02T00:00")) == [
        "09:05",
        "09:20",
        "09:35",
    ]


def test_a_policy_slot_length_other_than_15_minutes_lays_its_own_grid() -> None:
    schedule = one_day("UTC", date(2026, 6, 1), ("09:00", "10:40"))
    policy = open_policy(slot_length=timedelta(minutes=30))
    slots = slots_between(schedule, "2026-06-01T00:00", "2026-06-02T00:00", policy=policy)
    assert hhmm(slots) == ["09:00", "09:30", "10:00"]


# --- busy time, bookings and buffers --------------------------------------------------------

NINE_TO_TEN = one_day("UTC", date(2026, 6, 1), ("09:00", "10:00"))


def test_busy_time_touching_a_slot_leaves_it_offered() -> None:
    busy = (Interval(utc("2026-06-01T09:15"), utc("2026-06-01T09:30")),)
    slots = slots_between(NINE_TO_TEN, "2026-06-01T00:00", "2026-06-02T00:00", busy=busy)
    assert hhmm(slots) == ["09:00", "09:30", "09:45"]


def test_busy_time_overlapping_a_slot_by_a_second_removes_it() -> None:
    busy = (Interval(utc("2026-06-01T09:14:59"), utc("2026-06-01T09:15")),)
    slots = slots_between(NINE_TO_TEN, "2026-06-01T00:00", "2026-06-02T00:00", busy=busy)
    assert hhmm(slots) == ["09:15", "09:30", "09:45"]


def test_an_empty_busy_interval_blocks_nothing() -> None:
    busy = (Interval(utc("2026-06-01T09:20"), utc("2026-06-01T09:20")),)
    slots = slots_between(NINE_TO_TEN, "2026-06-01T00:00", "2026-06-02T00:00", busy=busy)
    assert len(slots) == 4


def test_a_bookings_buffer_pushes_the_neighbouring_slot_out() -> None:
    booking = Booking(
        utc("2026-06-01T09:15"), utc("2026-06-01T09:30"), buffer_after=timedelta(minutes=5)
    )
    slots = slots_between(NINE_TO_TEN, "2026-06-01T00:00", "2026-06-02T00:00", bookings=(booking,))
    # Occupied 09:15-09:35: 09:30 overlaps it, 09:00 (ending 09:15) only touches it.
    assert hhmm(slots) == ["09:00", "09:45"]


def test_the_mentors_current_buffers_widen_each_candidate_slot() -> None:
    booking = Booking(utc("2026-06-01T09:15"), utc("2026-06-01T09:30"))
    policy = open_policy(buffer_after=timedelta(minutes=10))
    slots = slots_between(
        NINE_TO_TEN, "2026-06-01T00:00", "2026-06-02T00:00", policy=policy, bookings=(booking,)
    )
    # 09:00 now occupies 09:00-09:25 and overlaps the booking; 09:30 occupies 09:30-09:55.
    assert hhmm(slots) == ["09:30", "09:45"]


# --- policy ---------------------------------------------------------------------------------

WEEKDAYS_NINE_TO_TEN = Schedule(
    "Europe/Paris", WeeklyRules({day: (TimeRange.parse("09:00", "10:00"),) for day in range(7)})
)


def booked(start: str) -> Booking:
    return Booking(utc(start), utc(start) + timedelta(minutes=15))


def test_a_day_cap_reached_closes_that_day_but_not_the_next() -> None:
    policy = open_policy(day_cap=1)
    slots = slots_between(
        WEEKDAYS_NINE_TO_TEN,
        "2026-06-01T00:00",
        "2026-06-03T00:00",
        policy=policy,
        bookings=(booked("2026-06-01T15:00"),),
    )
    assert {slot.date() for slot in slots} == {date(2026, 6, 2)}


def test_the_day_cap_counts_bookings_by_the_mentors_local_day() -> None:
    # 22:30 UTC on Monday is already Tuesday 00:30 in Paris: Tuesday is full, not Monday.
    policy = open_policy(day_cap=1)
    slots = slots_between(
        WEEKDAYS_NINE_TO_TEN,
        "2026-06-01T00:00",
        "2026-06-03T00:00",
        policy=policy,
        bookings=(booked("2026-06-01T22:30"),),
    )
    assert {slot.date() for slot in slots} == {date(2026, 6, 1)}


def test_a_week_cap_reached_closes_the_iso_week_in_the_mentors_timezone() -> None:
    policy = open_policy(week_cap=2)
    # Sunday 2026-06-07 22:30 UTC is Monday 00:30 in Paris: it counts for the next week.
    bookings = (booked("2026-06-01T12:00"), booked("2026-06-03T12:00"), booked("2026-06-07T22:30"))
    slots = slots_between(
        WEEKDAYS_NINE_TO_TEN,
        "2026-06-01T00:00",
        "2026-06-15T00:00",
        policy=policy,
        bookings=bookings,
    )
    assert {slot.date() for slot in slots} == {
        date(2026, 6, 8) + timedelta(days=i) for i in range(7)
    }
    policy = open_policy(week_cap=1)
    slots = slots_between(
        WEEKDAYS_NINE_TO_TEN,
        "2026-06-01T00:00",
        "2026-06-15T00:00",
        policy=policy,
        bookings=bookings,
    )
    assert slots == []


def test_a_cap_of_zero_closes_every_day() -> None:
    policy = open_policy(day_cap=0)
    assert slots_between(WEEKDAYS_NINE_TO_TEN, "2026-06-01T00:00", "2026-06-08T00:00", policy) == []


def test_a_slot_exactly_at_now_plus_notice_is_offered_and_one_earlier_is_not() -> None:
    policy = Policy(notice=timedelta(hours=1))
    slots = slots_between(
        NINE_TO_TEN, "2026-06-01T00:00", "2026-06-02T00:00", policy, now=utc("2026-06-01T08:15")
    )
    assert hhmm(slots) == ["09:15", "09:30", "09:45"]


def test_a_slot_exactly_at_now_plus_horizon_is_not_offered() -> None:
    policy = Policy(notice=timedelta(0), horizon=timedelta(hours=1))
    slots = slots_between(
        NINE_TO_TEN, "2026-06-01T00:00", "2026-06-02T00:00", policy, now=utc("2026-06-01T08:30")
    )
    assert hhmm(slots) == ["09:00", "09:15"]


def test_the_query_range_is_half_open() -> None:
    slots = slots_between(NINE_TO_TEN, "2026-06-01T09:15", "2026-06-01T09:45")
    assert hhmm(slots) == ["09:15", "09:30"]


def test_a_query_range_starting_mid_window_keeps_the_windows_grid() -> None:
    slots = slots_between(NINE_TO_TEN, "2026-06-01T09:20", "2026-06-01T12:00")
    assert hhmm(slots) == ["09:30", "09:45"]


# --- the other entry points -----------------------------------------------------------------


def test_is_bookable_accepts_an_offered_slot_and_refuses_an_instant_off_its_grid() -> None:
    args = (NINE_TO_TEN, OPEN, [], [], LONG_AGO)
    assert is_bookable(*args, utc("2026-06-01T09:45"))
    assert not is_bookable(*args, utc("2026-06-01T09:50"))
    assert not is_bookable(*args, utc("2026-06-01T09:45:00.000001"))
    assert not is_bookable(*args, utc("2026-06-01T10:00"))  # would not fit


def test_bookings_window_without_caps_is_the_occupied_range_of_the_candidate_slots() -> None:
    policy = Policy(buffer_before=timedelta(minutes=10), buffer_after=timedelta(minutes=5))
    span = bookings_window(
        WEEKDAYS_NINE_TO_TEN, policy, utc("2026-06-03T12:00"), utc("2026-06-04T12:00")
    )
    # From the first start less its buffer to past the last start plus a slot and its buffer.
    assert span == Interval(utc("2026-06-03T11:50"), utc("2026-06-04T12:20"))


def test_bookings_window_with_a_week_cap_spans_whole_local_iso_weeks() -> None:
    span = bookings_window(
        WEEKDAYS_NINE_TO_TEN, Policy(week_cap=3), utc("2026-06-03T12:00"), utc("2026-06-04T12:00")
    )
    # Local dates Tue 2 .. Fri 5 June: ISO week Mon 1 .. Sun 7, its Paris midnights in UTC.
    assert span == Interval(utc("2026-05-31T22:00"), utc("2026-06-07T22:00"))


def test_bookings_window_with_a_day_cap_spans_the_local_dates_and_one_either_side() -> None:
    span = bookings_window(
        WEEKDAYS_NINE_TO_TEN, Policy(day_cap=2), utc("2026-06-03T12:00"), utc("2026-06-04T12:00")
    )
    assert span == Interval(utc("2026-06-01T22:00"), utc("2026-06-05T22:00"))


def test_bookings_given_as_spans_give_the_same_slots_as_booking_values() -> None:
    bookings = [
        Booking(utc("2026-06-01T09:15"), utc("2026-06-01T09:30")),
        Booking(utc("2026-06-02T09:00"), utc("2026-06-02T09:15"), timedelta(0), MINUTES_20),
    ]
    policy = dataclasses.replace(OPEN, day_cap=1)
    start, end = utc("2026-06-01T00:00"), utc("2026-06-04T00:00")
    spans = BookingSpans.of(bookings)
    assert spans == BookingSpans(
        (to_us("2026-06-01T09:15"), to_us("2026-06-02T09:00")),
        (to_us("2026-06-01T09:15"), to_us("2026-06-02T09:00")),
        (to_us("2026-06-01T09:30"), to_us("2026-06-02T09:35")),
    )
    with_values = free_slots(WEEKDAYS_NINE_TO_TEN, policy, [], bookings, LONG_AGO, start, end)
    with_spans = free_slots(WEEKDAYS_NINE_TO_TEN, policy, [], spans, LONG_AGO, start, end)
    assert with_spans == with_values
    # The day cap of 1 closes 1 and 2 June; 3 June is open from 09:00 Paris time.
    assert with_values[0] == utc("2026-06-03T07:00")


def test_group_by_local_date_groups_by_the_visitors_own_dates() -> None:
    slots = [utc("2026-06-01T13:30"), utc("2026-06-01T14:30"), utc("2026-06-01T15:30")]
    grouped = group_by_local_date(slots, "Asia/Tokyo")  # UTC+9: 15:00 UTC is midnight
    assert {day: [s.strftime("%H:%M") for s in group] for day, group in grouped.items()} == {
        date(2026, 6, 1): ["22:30", "23:30"],
        date(2026, 6, 2): ["00:30"],
    }
    assert all(s.utcoffset() == timedelta(hours=9) for group in grouped.values() for s in group)


def test_free_slots_for_many_finds_next_free_beyond_the_range() -> None:
    tuesday_only = Schedule("UTC", WeeklyRules({1: (TimeRange.parse("09:00", "09:30"),)}))
    closed = Schedule("UTC")
    answer = free_slots_for_many(
        {
            "open": MentorInput(NINE_TO_TEN, OPEN),
            "later": MentorInput(tuesday_only, OPEN),
            "closed": MentorInput(closed, OPEN),
        },
        LONG_AGO,
        utc("2026-06-01T00:00"),  # Monday
        utc("2026-06-02T00:00"),
    )
    assert hhmm(list(answer["open"].slots)) == ["09:00", "09:15", "09:30", "09:45"]
    assert answer["open"].next_free == utc("2026-06-01T09:00")
    assert answer["later"].slots == ()
    assert answer["later"].next_free == utc("2026-06-02T09:00")
    assert answer["closed"].next_free is None


def test_free_slots_for_many_stops_looking_at_the_horizon() -> None:
    tuesday_only = Schedule("UTC", WeeklyRules({1: (TimeRange.parse("09:00", "09:30"),)}))
    short = Policy(notice=timedelta(0), horizon=timedelta(hours=30))
    answer = free_slots_for_many(
        {"m": MentorInput(tuesday_only, short)},
        utc("2026-05-31T12:00"),
        utc("2026-06-01T00:00"),
        utc("2026-06-01T12:00"),
    )
    assert answer["m"].next_free is None  # Tuesday 09:00 is 45 h after now


# --- determinism ----------------------------------------------------------------------------

_SCRIPT = """
import json
from datetime import UTC, date, datetime, timedelta
from availability import Booking, DateOverride, Policy, Schedule, TimeRange, WeeklyRules
from availability import free_slots, group_by_local_date

schedule = Schedule(
    "Europe/Paris",
    WeeklyRules({d: (TimeRange.parse("01:00", "04:00"), TimeRange.parse("09:00", "12:00"))
                 for d in range(7)}),
    {date(2026, 3, 30): DateOverride(date(2026, 3, 30), ())},
)
policy = Policy(buffer_after=timedelta(minutes=5), day_cap=3)
now = datetime(2026, 3, 27, 8, tzinfo=UTC)
bookings = [Booking(datetime(2026, 3, 28, 9, tzinfo=UTC), datetime(2026, 3, 28, 9, 15, tzinfo=UTC))]
slots = free_slots(schedule, policy, [], bookings, now, now, now + timedelta(days=5))
grouped = group_by_local_date(slots, "America/New_York")
print(json.dumps({
    "slots": [s.isoformat() for s in slots],
    "grouped": {str(d): [s.isoformat() for s in g] for d, g in grouped.items()},
}))
"""


def _run_with_tz(timezone: str) -> dict[str, object]:
    env = {**os.environ, "TZ": timezone, "PYTHONPATH": str(ROOT)}
    done = subprocess.run(
        [sys.executable, "-c", _SCRIPT], env=env, capture_output=True, text=True, check=True
    )
    result: dict[str, object] = json.loads(done.stdout)
    return result


def test_the_answer_is_the_same_in_a_process_running_in_auckland_time() -> None:
    in_utc = _run_with_tz("UTC")
    in_auckland = _run_with_tz("Pacific/Auckland")
    assert in_utc == in_auckland
    assert len(in_utc["slots"]) > 30  # type: ignore[arg-type]
