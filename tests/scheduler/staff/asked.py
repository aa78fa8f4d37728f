"""Test set-up the theme tests share: a mentor of Droit whose visitors asked in January 2030
and in the December before, one of them giving their name and phone number."""

from __future__ import annotations

from datetime import UTC, datetime

from scheduler.catalog import MentorRecord
from scheduler.platform import Database
from testkit import factories
from testkit.questions import sample, seed_questions

NAMED_QUESTION = "Bonjour Léa, je suis Camille, appelle-moi au 06 12 34 56 78 pour l'alternance"


async def two_months_asked(db: Database, january: int = 200, december: int = 40) -> MentorRecord:
    """``january`` questions of January 2030 (plus ``NAMED_QUESTION``), ``december`` of the
    December before."""
    mentor = await factories.make_mentor(db, filiere="droit", name="Léa Martin")
    items = [i.text for i in sample("droit", january + december)]
    await seed_questions(
        db, mentor.id, "droit", items[:january], datetime(2030, 1, 5, 10, tzinfo=UTC)
    )
    await seed_questions(
        db, mentor.id, "droit", items[january:], datetime(2029, 12, 5, 10, tzinfo=UTC)
    )
    await seed_questions(
        db,
        mentor.id,
        "droit",
        [NAMED_QUESTION],
        datetime(2030, 1, 6, 10, tzinfo=UTC),
        first_name="Camille",
    )
    return mentor
