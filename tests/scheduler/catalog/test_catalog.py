"""Filières and mentors through the catalog services: creation, changes, deactivation, and
refusals that change nothing."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from availability import InvalidTimezone
from scheduler import catalog
from scheduler.catalog import Mentor, PolicyRow
from scheduler.platform import AuditEntry, Database, NotFound, ValidationFailed
from testkit.factories import STAFF, count, ensure_filiere

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
