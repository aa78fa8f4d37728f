"""The widget calendar's fast answer is byte for byte the straightforward one."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from uuid import UUID

from hypothesis import given
from hypothesis import strategies as st

from api.slot_json import plain_answer, slots_answer
from availability import free_slots
from tests.availability.strategies import Scenario, scenarios

MENTOR = UUID("12345678-1234-5678-1234-567812345678")
# Zones with clock changes of an hour, half an hour (Lord Howe), across midnight (Santiago,
# St Johns in 2006, Havana), none (Kolkata), and a day skipped (Apia, 2011-12-30).
ZONES = (
    "Europe/Paris",
    "America/New_York",
    "America/Santiago",
    "America/St_Johns",
    "America/Havana",
    "Australia/Lord_Howe",
    "Asia/Kolkata",
    "Pacific/Apia",
    "Europe/London",
    "UTC",
)


@st.composite
def slot_lists(draw: st.DrawFn) -> list[datetime]:
    """Ascending UTC instants on 5-minute boundaries, packed around 1970–2060 clock changes."""
    start = draw(st.datetimes(datetime(1970, 1, 1), datetime(2060, 1, 1))).replace(
        second=0, microsecond=0, tzinfo=UTC
    )
    start -= timedelta(minutes=start.minute % 5)
    steps = draw(st.lists(st.sampled_from((5, 15, 15, 15, 30, 60, 240, 1440)), max_size=200))
    slots = [start]
    for step in steps:
        slots.append(slots[-1] + timedelta(minutes=step))
    return slots


@given(slot_lists(), st.sampled_from(ZONES))
def test_the_fast_answer_is_the_straightforward_one_in_every_zone(
    slots: list[datetime], timezone: str
) -> None:
    assert slots_answer(MENTOR, timezone, slots) == plain_answer(MENTOR, timezone, slots)


@given(scenarios(), st.sampled_from(ZONES))
def test_the_fast_answer_of_the_engines_slots_is_the_straightforward_one(
    scenario: Scenario, timezone: str
) -> None:
    slots = free_slots(*scenario.args())
    assert slots_answer(MENTOR, timezone, slots) == plain_answer(MENTOR, timezone, slots)


def test_slots_around_a_fall_back_across_midnight_keep_their_dates() -> None:
    # Santiago, 2024-04-07: 00:00 local happens twice (clocks go back from 00:00 to 23:00).
    start = datetime(2024, 4, 7, 2, 0, tzinfo=UTC)
    slots = [start + timedelta(minutes=15 * n) for n in range(12)]
    assert slots_answer(MENTOR, "America/Santiago", slots) == plain_answer(
        MENTOR, "America/Santiago", slots
    )
