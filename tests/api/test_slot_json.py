"""The answers built from runs are byte for byte the straightforward ones."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from uuid import UUID

from hypothesis import given
from hypothesis import strategies as st

from api import schemas
from api.slot_json import filiere_answer, plain_answer, plain_filiere_answer, slots_answer
from availability import SlotRun, free_slot_runs, run_instants
from tests.availability.strategies import Scenario, scenarios, transitions

MENTOR = UUID("12345678-1234-5678-1234-567812345678")
FILIERE = schemas.Filiere(slug="droit", name_fr="Droit « public »", name_en='Law "public"')
MINUTE = 60_000_000
# Clock changes of an hour, half an hour (Lord Howe), across local midnight (St Johns at 00:01
# until 2011 with a double summer time in 1988, Havana, Santiago, Gaza), none (Kolkata +05:30,
# Kathmandu +05:45, Eucla +08:45), of 45-minute offsets (Chatham), a day skipped (Apia,
# 2011-12-30), and local mean times with seconds in the offset (Paris before 1891, Amsterdam
# until 1937, Monrovia until 1972).
ZONES = (
    "Europe/Paris",
    "America/St_Johns",
    "America/Havana",
    "America/Santiago",
    "Asia/Gaza",
    "Asia/Kolkata",
    "Asia/Kathmandu",
    "Australia/Eucla",
    "Pacific/Chatham",
    "Australia/Lord_Howe",
    "Pacific/Apia",
    "Europe/Amsterdam",
    "Africa/Monrovia",
    "UTC",
)
YEARS = (1885, 1935, 1960, 1988, 2006, 2011, 2020, 2024, 2026, 2045)


@st.composite
def zoned_runs(draw: st.DrawFn) -> tuple[str, list[SlotRun]]:
    """A zone and runs of slots packed around one of its clock changes (or anywhere in a year),
    mostly on whole minutes, sometimes to the second."""
    timezone = draw(st.sampled_from(ZONES))
    year = draw(st.sampled_from(YEARS))
    changes = transitions(timezone, year, year)
    if changes and draw(st.booleans()):
        around = draw(st.sampled_from(changes))
    else:
        around = datetime(year, 1, 1, tzinfo=UTC) + timedelta(minutes=draw(st.integers(0, 525_000)))
    start = around.replace(second=0, microsecond=0)
    start -= timedelta(minutes=draw(st.integers(0, 3 * 1440)) + start.minute % 5)
    micros = (start - datetime(1970, 1, 1, tzinfo=UTC)) // timedelta(microseconds=1)
    if draw(st.integers(0, 15)) == 0:
        micros += draw(st.integers(1, 59)) * 1_000_000
    runs = []
    for _ in range(draw(st.integers(0, 12))):
        step = draw(st.sampled_from((5, 10, 15, 15, 15, 30, 45, 60, 1440))) * MINUTE
        count = draw(st.integers(1, 40))
        runs.append((micros, step, count))
        micros += step * count + draw(st.integers(0, 600)) * MINUTE
    return timezone, runs


@given(zoned_runs())
def test_the_widget_answer_from_runs_is_the_straightforward_one(
    zoned: tuple[str, list[SlotRun]],
) -> None:
    timezone, runs = zoned
    expected = plain_answer(MENTOR, timezone, run_instants(runs))
    assert slots_answer(MENTOR, timezone, runs) == expected


@given(zoned_runs())
def test_the_filiere_calendar_from_runs_is_the_straightforward_one(
    zoned: tuple[str, list[SlotRun]],
) -> None:
    timezone, runs = zoned
    expected = plain_filiere_answer(FILIERE, timezone, run_instants(runs))
    assert filiere_answer(FILIERE, timezone, runs) == expected


@given(scenarios(), st.sampled_from(ZONES))
def test_the_answer_from_the_engines_runs_is_the_straightforward_one(
    scenario: Scenario, timezone: str
) -> None:
    runs = free_slot_runs(*scenario.args())
    expected = plain_answer(MENTOR, timezone, run_instants(runs))
    assert slots_answer(MENTOR, timezone, runs) == expected


def test_slots_around_a_fall_back_across_midnight_keep_their_dates() -> None:
    # Santiago, 2024-04-07: 00:00 local happens twice (clocks go back from 00:00 to 23:00).
    start = datetime(2024, 4, 7, 2, 0, tzinfo=UTC)
    runs = [
        ((start - datetime(1970, 1, 1, tzinfo=UTC)) // timedelta(microseconds=1), 15 * MINUTE, 12)
    ]
    expected = plain_answer(MENTOR, "America/Santiago", run_instants(runs))
    assert slots_answer(MENTOR, "America/Santiago", runs) == expected
