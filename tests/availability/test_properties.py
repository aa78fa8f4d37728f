"""One hypothesis property per rule of the contract, checked against tests/availability/reference.

Scenarios mix weekly rules, overrides, busy time, bookings and policies in Europe/Paris,
America/New_York, America/Santiago, Australia/Lord_Howe (a 30-minute shift), Asia/Kolkata and
UTC, with query ranges placed around each zone's DST transitions.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from hypothesis import event, given
from hypothesis import strategies as st

from availability import (
    Booking,
    BookingSpans,
    Interval,
    MentorInput,
    bookings_window,
    free_slots,
    free_slots_for_many,
    is_bookable,
)
from tests.availability import reference
from tests.availability.strategies import Scenario, dst_days, scenarios


def offered(scenario: Scenario) -> list[datetime]:
    slots = free_slots(*scenario.args())
    # The "every offered slot ..." properties check nothing on a scenario that offers none:
    # `pytest --hypothesis-show-statistics` shows how many of those were drawn.
    event("offers slots" if slots else "offers no slot")
    return slots


@given(scenarios())
def test_offered_slots_are_sorted_unique_aware_utc_starts_within_the_query_range(
    scenario: Scenario,
) -> None:
    slots = offered(scenario)
    assert slots == sorted(set(slots))
    for slot in slots:
        assert slot.tzinfo is UTC
        assert scenario.start <= slot < scenario.end


@given(scenarios())
def test_every_offered_slot_lies_on_the_grid_of_a_window_and_fits_inside_it(
    scenario: Scenario,
) -> None:
    windows = reference.windows(scenario.schedule, scenario.start, scenario.end)
    length = scenario.policy.slot_length
    for slot in offered(scenario):
        assert any(
            window.start <= slot
            and slot + length <= window.end
            and (slot - window.start) % length == timedelta(0)
            for window in windows
        ), f"{slot} is on no window's grid: {windows}"


@given(scenarios())
def test_every_offered_slot_respects_notice_and_horizon(scenario: Scenario) -> None:
    policy = scenario.policy
    for slot in offered(scenario):
        assert slot >= scenario.now + policy.notice
        assert slot < scenario.now + policy.horizon


@given(scenarios())
def test_no_offered_slot_overlaps_busy_time_touching_allowed(scenario: Scenario) -> None:
    for slot in offered(scenario):
        mine = reference.occupied(slot, scenario.policy)
        for interval in scenario.busy:
            assert not reference.overlaps(*mine, interval.start, interval.end), (slot, interval)


@given(scenarios())
def test_no_offered_slot_overlaps_a_bookings_occupied_range_buffers_included(
    scenario: Scenario,
) -> None:
    for slot in offered(scenario):
        mine = reference.occupied(slot, scenario.policy)
        for booking in scenario.bookings:
            assert not reference.overlaps(*mine, *reference.booking_occupied(booking)), (
                slot,
                booking,
            )


@given(scenarios())
def test_no_slot_is_offered_on_a_local_day_or_iso_week_whose_cap_is_reached(
    scenario: Scenario,
) -> None:
    for slot in offered(scenario):
        assert reference.within_caps(scenario.schedule, scenario.policy, scenario.bookings, slot)


@given(scenarios())
def test_every_start_the_contract_allows_is_offered(scenario: Scenario) -> None:
    expected = reference.reference_slots(*scenario.args())
    slots = set(offered(scenario))
    missing = [slot for slot in expected if slot not in slots]
    assert not missing, f"allowed but not offered: {missing[:5]}"


@given(scenarios(), st.data())
def test_is_bookable_agrees_with_free_slots(scenario: Scenario, data: st.DataObject) -> None:
    slots = offered(scenario)
    args = scenario.args()[:5]
    for slot in slots[:5] + slots[-5:]:
        assert is_bookable(*args, slot)
    # Any other instant of the range, on the 5-minute grid or not, is bookable only if offered.
    for _ in range(5):
        seconds = data.draw(
            st.integers(0, int((scenario.end - scenario.start).total_seconds()) - 1)
        )
        candidate = scenario.start + timedelta(seconds=seconds)
        if data.draw(st.booleans()):
            candidate = candidate.replace(second=0, microsecond=0)
        if scenario.start <= candidate < scenario.end:
            assert is_bookable(*args, candidate) == (candidate in slots)


@given(scenarios())
def test_bookings_outside_bookings_window_do_not_change_the_answer(scenario: Scenario) -> None:
    span = bookings_window(scenario.schedule, scenario.policy, scenario.start, scenario.end)
    # What a loader reads: the bookings whose occupied range overlaps the span, and busy time
    # overlapping it.
    kept = [booking for booking in scenario.bookings if booking.occupied.overlaps(span)]
    busy = [b for b in scenario.busy if b.overlaps(span)]
    args = list(scenario.args())
    args[2], args[3] = busy, kept
    assert free_slots(*args) == offered(scenario)  # type: ignore[arg-type]


@given(scenarios())
def test_bookings_given_as_spans_give_the_same_answer_as_booking_values(
    scenario: Scenario,
) -> None:
    args = list(scenario.args())
    args[3] = BookingSpans.of(scenario.bookings)  # type: ignore[call-overload]
    assert free_slots(*args) == offered(scenario)  # type: ignore[arg-type]


@given(st.lists(scenarios(), min_size=1, max_size=3))
def test_free_slots_for_many_gives_each_mentor_their_own_slots_and_next_free(
    many: list[Scenario],
) -> None:
    first = many[0]
    mentors = {
        index: MentorInput(s.schedule, s.policy, tuple(s.busy), tuple(s.bookings))
        for index, s in enumerate(many)
    }
    answer = free_slots_for_many(mentors, first.now, first.start, first.end)
    assert set(answer) == set(mentors)
    for index, s in enumerate(many):
        args = (s.schedule, s.policy, s.busy, s.bookings, first.now)
        slots = free_slots(*args, first.start, first.end)
        assert list(answer[index].slots) == slots
        # next_free: the first slot at or after start, searched up to the horizon.
        limit = first.now + s.policy.horizon
        if limit <= first.start:
            assert answer[index].next_free is None
            continue
        wider = free_slots(*args, first.start, max(limit, first.start + timedelta(minutes=1)))
        assert answer[index].next_free == (wider[0] if wider else None)


@given(scenarios())
def test_the_answer_does_not_depend_on_the_offsets_the_inputs_are_written_in(
    scenario: Scenario,
) -> None:
    elsewhere = ZoneInfo("Pacific/Chatham")

    def moved(instant: datetime) -> datetime:
        return instant.astimezone(elsewhere)

    args = (
        scenario.schedule,
        scenario.policy,
        [Interval(moved(b.start), moved(b.end)) for b in scenario.busy],
        [
            Booking(moved(b.start), moved(b.end), b.buffer_before, b.buffer_after)
            for b in scenario.bookings
        ],
        moved(scenario.now),
        moved(scenario.start),
        moved(scenario.end),
    )
    assert free_slots(*args) == offered(scenario)


@given(dst_days())
def test_windows_across_dst_transitions_are_laid_exactly_as_the_reference_lays_them(
    scenario: Scenario,
) -> None:
    # Gaps move a wall time to the transition instant, repeated times take their first
    # occurrence, ranges that come to touch through a gap merge, and slots follow elapsed time.
    assert offered(scenario) == reference.reference_slots(*scenario.args())
