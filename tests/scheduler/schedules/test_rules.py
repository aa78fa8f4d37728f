"""A mentor's stored weekly rules, date overrides and policy through the schedules services:
refusals that change nothing, and the slots they shape for one mentor and for a filière."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from availability import (
    InvalidPolicy,
    InvalidRange,
    InvalidWeekday,
    RangeNotOn5Minutes,
    RangeOutOfOrder,
    run_instants,
)
from scheduler import catalog
from scheduler.platform import Database
from scheduler.schedules import (
    AvailabilityRule,
    DateOverrideRow,
    PolicySettings,
    filiere_slots,
    mentor_slot_runs,
    mentor_slots,
)
from scheduler.schedules import rules as schedules
from testkit.factories import NOW, STAFF, TUESDAY_18H, count, make_mentor


@pytest.mark.parametrize(
    ("weekly", "error"),
    [
        ({7: [("18:00", "20:00")]}, InvalidWeekday),
        ({0: [("20:00", "18:00")]}, RangeOutOfOrder),
        ({0: [("18:00", "25:00")]}, InvalidRange),
        ({0: [("18:00", "18:07")]}, RangeNotOn5Minutes),
    ],
)
async def test_invalid_rules_raise_the_engine_errors_and_change_nothing(
    db: Database,
    weekly: dict,
    error: type,  # type: ignore[type-arg]
) -> None:
    mentor = await make_mentor(db)
    before = await count(db, AvailabilityRule)
    async with db.sessions() as session:
        with pytest.raises(error):
            await schedules.set_weekly_rules(session, mentor.id, weekly, STAFF)
        with pytest.raises(InvalidPolicy):
            await schedules.set_policy(
                session, mentor.id, PolicySettings(buffer_before_minutes=-5), STAFF
            )
        with pytest.raises(RangeOutOfOrder):
            await schedules.set_date_override(
                session, mentor.id, date(2030, 1, 8), [("12:00", "11:00")], STAFF
            )
        stored = await schedules.load_availability(session, mentor.id)
    assert await count(db, AvailabilityRule) == before
    assert await count(db, DateOverrideRow) == 0
    assert stored.policy.buffer_before_minutes == 0
    assert stored.schedule.weekly.ranges_for(1)[0].start == 18 * 60


async def test_overrides_and_policy_shape_the_slots(db: Database) -> None:
    mentor = await make_mentor(db)
    day = (TUESDAY_18H - timedelta(hours=1), TUESDAY_18H + timedelta(hours=5))
    async with db.sessions() as session:
        assert len((await mentor_slots(session, mentor.id, NOW, *day)).slots) == 12
        await schedules.set_date_override(session, mentor.id, date(2030, 1, 8), [], STAFF)
        off = await mentor_slots(session, mentor.id, NOW, *day)
        assert off.slots == () and off.next_free is not None and off.next_free > day[1]
        await schedules.set_date_override(
            session, mentor.id, date(2030, 1, 8), [("19:00", "19:30")], STAFF
        )
        assert len((await mentor_slots(session, mentor.id, NOW, *day)).slots) == 2
        await schedules.delete_date_override(session, mentor.id, date(2030, 1, 8), STAFF)
        await schedules.set_policy(
            session,
            mentor.id,
            PolicySettings(buffer_before_minutes=0, buffer_after_minutes=0, horizon_days=1),
            STAFF,
        )
        assert (await mentor_slots(session, mentor.id, NOW, *day)).slots == ()
        stored = await schedules.load_availability(session, mentor.id)
    assert stored.policy.horizon_days == 1 and stored.schedule.overrides == {}


async def test_a_mentors_slot_runs_hold_the_same_instants_as_its_slots(db: Database) -> None:
    mentor = await make_mentor(db)
    day = (TUESDAY_18H - timedelta(hours=1), TUESDAY_18H + timedelta(hours=5))
    async with db.sessions() as session:
        await schedules.set_date_override(
            session, mentor.id, date(2030, 1, 8), [("18:00", "19:00"), ("19:30", "21:00")], STAFF
        )
        runs = await mentor_slot_runs(session, mentor.id, NOW, *day)
        found = await mentor_slots(session, mentor.id, NOW, *day)
    assert len(runs) == 2
    assert tuple(run_instants(runs)) == found.slots


async def test_filiere_slots_list_active_mentors_by_next_free_slot(db: Database) -> None:
    early = await make_mentor(db, name="Zoé Early")
    late = await make_mentor(db, name="Adam Late", weekly={3: [("18:00", "19:00")]})
    paused = await make_mentor(db, name="Paula Paused")
    other = await make_mentor(db, name="Olivier Other", filiere="medecine")
    async with db.sessions() as session:
        await catalog.update_mentor(session, paused.id, catalog.MentorChanges(paused=True), STAFF)
        offer = await filiere_slots(session, "droit", NOW, NOW, NOW + timedelta(days=7))
    assert offer.filiere.slug == "droit"
    assert [o.mentor.id for o in offer.mentors] == [early.id, late.id]
    assert offer.mentors[0].next_free == offer.mentors[0].slots[0]
    assert all(s.weekday() == 3 for s in offer.mentors[1].slots)
    assert other.id not in {o.mentor.id for o in offer.mentors}
