"""Invitations through the identity services: an invited mentor stays hidden until onboarding."""

from __future__ import annotations

from datetime import UTC, datetime

from scheduler import catalog
from scheduler.identity import invitations
from scheduler.platform import Actor, Database
from testkit import factories

NOW = datetime(2030, 1, 7, 6, 0, tzinfo=UTC)  # Monday 07:00 in Paris
STAFF = Actor.staff("equipe@thotis.fr")


async def test_an_invited_mentor_stays_hidden_until_onboarding(db: Database) -> None:
    await factories.ensure_filiere(db, "droit")
    async with db.session() as session:
        invited = await invitations.invite_mentor(
            session,
            catalog.MentorFields(
                "Zoé M.", "Zoe@Example.org", "Université de Strasbourg", 2, ("droit",)
            ),
            STAFF,
            NOW,
        )
        assert (
            invited.created and invited.mentor.paused and invited.mentor.email == "zoe@example.org"
        )
        again = await invitations.invite_mentor(
            session,
            catalog.MentorFields(
                "Zoé M.", "zoe@example.org", "Université de Strasbourg", 2, ("droit",)
            ),
            STAFF,
            NOW,
        )
        assert not again.created
        assert await invitations.finish_onboarding(session, invited.mentor.id, NOW) is True
        assert (await catalog.get_mentor(session, invited.mentor.id)).paused is False
        # Later completions (a mentor who paused since) leave the pause alone.
        await catalog.update_mentor(
            session, invited.mentor.id, catalog.MentorChanges(paused=True), STAFF
        )
        assert await invitations.finish_onboarding(session, invited.mentor.id, NOW) is False
        assert (await catalog.get_mentor(session, invited.mentor.id)).paused is True
