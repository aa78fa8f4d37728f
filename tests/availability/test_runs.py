"""Slots as runs: the same instants as the datetimes, and a union of mentors' runs."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from availability import SlotRun, free_slot_runs, free_slots, merged_runs, run_instants
from tests.availability.strategies import Scenario, scenarios

MINUTE = 60_000_000


@given(scenarios())
def test_the_runs_hold_exactly_the_free_slots(scenario: Scenario) -> None:
    runs = free_slot_runs(*scenario.args())
    assert all(count >= 1 and step > 0 for _, step, count in runs)
    assert run_instants(runs) == free_slots(*scenario.args())


runs_lists = st.lists(
    st.tuples(
        st.integers(0, 200).map(lambda m: m * 5 * MINUTE),
        st.sampled_from((5, 15, 30)).map(lambda m: m * MINUTE),
        st.integers(1, 12),
    ),
    max_size=6,
)


@given(st.lists(runs_lists, max_size=5))
def test_merged_runs_hold_each_instant_of_any_run_once_in_order(
    many: list[list[SlotRun]],
) -> None:
    merged = merged_runs(many)
    expected = sorted({instant for runs in many for instant in run_instants(runs)})
    assert run_instants(merged) == expected
    assert all(count >= 1 and step > 0 for _, step, count in merged)
