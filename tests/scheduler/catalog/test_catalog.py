"""Filières, mentors, availability storage and slot listing through the services."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from availability import (
    InvalidPolicy,
    InvalidRange,
    InvalidTimezone,
    InvalidWeekday,
    RangeNotOn5Minutes,
    RangeOutOfOrder,
)
from scheduler import catalog
from scheduler.catalog import Mentor, PolicyRow
from scheduler.platform import AuditEntry, Database, NotFound, ValidationFailed
from scheduler.schedules import (
    AvailabilityRule,
    DateOverrideRow,
    PolicySettings,
    filiere_slots,
    mentor_slots,
)
from scheduler.schedules import rules as schedules
from testkit.factories import NOW, STAFF, TUESDAY_18H, count, ensure_filiere, make_mentor

FIELDS = catalog.MentorFields(
    display_name="Camille Laurent",
    email="Camille.Laurent@Univ.Example.fr",
    university="Université Paris Cité",
    year_of_study=3,
    filieres=("droit",),
    bio="L3 de droit.",
    languages=("fr", "en"),
)


async def test_create_update_deactivate_a_mentor(db: Database) -> None:
    await ensure_filiere(db, "droit")
    await ensure_filiere(db, "medecine")
    async with db.sessions() as session:
        mentor = await catalog.create_mentor(session, FIELDS, STAFF)
        assert mentor.email == "camille.laurent@univ.example.fr"
        assert mentor.filieres == ("droit",) and mentor.active and not mentor.paused
        assert mentor.languages == ("fr", "en")
        updated = await catalog.update_mentor(
            session,
            mentor.id,
            catalog.MentorChanges(bio="M1 de droit.", filieres=("droit", "medecine"), paused=True),
            STAFF,
        )
        assert updated.bio == "M1 de droit." and updated.filieres == ("droit", "medecine")
        assert updated.paused
        assert [m.id for m in await catalog.list_mentors(session, "medecine")] == [mentor.id]
        await catalog.deactivate_mentor(session, mentor.id, STAFF)
        assert await catalog.list_mentors(session, "droit") == []
        assert len(await catalog.list_mentors(session, "droit", include_inactive=True)) == 1
        # A new mentor starts with the default policy.
        policy = (
            await session.execute(select(PolicyRow).where(PolicyRow.mentor_id == mentor.id))
        ).scalar_one()
        assert policy.notice_minutes == 120
    actions = await count(db, AuditEntry, AuditEntry.entity == "mentor")
    assert actions == 3


@pytest.mark.parametrize(
    ("change", "error"),
    [
        ({"email": "not an email"}, ValidationFailed),
        ({"year_of_study": 0}, ValidationFailed),
        ({"display_name": ""}, ValidationFailed),
        ({"timezone": "Europe/Lutece"}, InvalidTimezone),
        ({"languages": ("français",)}, ValidationFailed),
        ({"filieres": ("astrologie",)}, ValidationFailed),
        ({"filieres": ()}, ValidationFailed),
        ({"photo_url": "javascript:alert(1)"}, ValidationFailed),
    ],
)
async def test_invalid_mentor_fields_change_nothing(
    db: Database, change: dict, error: type
) -> None:  # type: ignore[type-arg]
    await ensure_filiere(db, "droit")
    import dataclasses

    async with db.sessions() as session:
        with pytest.raises(error):
            await catalog.create_mentor(session, dataclasses.replace(FIELDS, **change), STAFF)
        mentor = await catalog.create_mentor(session, FIELDS, STAFF)
        with pytest.raises(error):
            await catalog.update_mentor(session, mentor.id, catalog.MentorChanges(**change), STAFF)
        assert await catalog.get_mentor(session, mentor.id) == mentor
    assert await count(db, Mentor) == 1


async def test_duplicate_email_and_slug_are_refused(db: Database) -> None:
    await ensure_filiere(db, "droit")
    async with db.sessions() as session:
        await catalog.create_mentor(session, FIELDS, STAFF)
        with pytest.raises(ValidationFailed):
            await catalog.create_mentor(session, FIELDS, STAFF)
        with pytest.raises(ValidationFailed):
            await catalog.create_filiere(session, "droit", "Droit", "Law", STAFF)
        with pytest.raises(ValidationFailed):
            await catalog.create_filiere(session, "Pas un slug", "X", "X", STAFF)
        with pytest.raises(NotFound):
            await catalog.get_filiere(session, "astrologie")


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
