"""The visitors' questions as staff read them: searched literally (``%`` and ``_`` are
characters, not wildcards), by filière."""

from __future__ import annotations

from datetime import UTC, datetime

from scheduler import booking, catalog
from scheduler.platform import Actor, Database
from scheduler.staff import questions
from testkit import factories

NOW = datetime(2030, 1, 7, 6, 0, tzinfo=UTC)  # Monday 07:00 in Paris
STAFF = Actor.staff("equipe@thotis.fr")


async def test_questions_are_searched_literally_and_by_filiere(db: Database) -> None:
    mentor = await factories.make_mentor(db)
    async with db.session() as session:
        await catalog.create_filiere(session, "medecine", "Médecine", "Medicine", STAFF)
        await booking.book(
            session,
            mentor_id=mentor.id,
            slot_start=datetime(2030, 1, 7, 17, 0, tzinfo=UTC),
            visitor=booking.Visitor("Noé", "noe@example.fr", "Comment réviser le 100% partiel ?"),
            now=NOW,
            filiere="droit",
        )
        found = await questions.questions(session, search="100%")
        assert [q.question for q in found] == ["Comment réviser le 100% partiel ?"]
        assert await questions.questions(session, search="100_") == []
        assert await questions.questions(session, filiere="medecine") == []
