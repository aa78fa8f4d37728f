"""The stored themes: the worker's job computes and stores them scrubbed, staff approval
follows a theme across computations, and only approved themes reach visitors."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime

from sqlalchemy import text

from scheduler.platform import Actor, Database
from scheduler.staff import question_themes, theme_computation
from testkit import factories
from tests.scheduler.staff.asked import two_months_asked

NOW = datetime(2030, 1, 20, 9, 0, tzinfo=UTC)
STAFF = Actor.staff("equipe@thotis.fr")
JANUARY, DECEMBER = date(2030, 1, 1), date(2029, 12, 1)


async def test_the_job_stores_each_month_s_themes_scrubbed_with_the_month_before(
    db: Database,
) -> None:
    await two_months_asked(db)
    await theme_computation.themes_job(db, factories.Clock(NOW)).run()
    async with db.sessions() as session:
        january = await question_themes.stored_themes(session, filiere="droit", period=JANUARY)
        december = await question_themes.stored_themes(session, filiere="droit", period=DECEMBER)
        assert await question_themes.filiere_periods(session) == [JANUARY, DECEMBER]
        assert sum(t.count for t in january) == 201
        assert sum(t.previous_count for t in january) <= 40
        assert sum(t.count for t in december) == 40
        assert len(january) < 60
        questions = [
            q for t in january for q in (await question_themes.get_theme(session, t.id))[1]
        ]
    assert len(questions) == 201
    scrubbed = [q for q in questions if "appelle-moi" in q]
    assert scrubbed == [
        "Bonjour [nom], je suis [nom], appelle-moi au [téléphone] pour l'alternance"
    ]


async def test_staff_approval_shows_a_theme_to_visitors_and_survives_a_recomputation(
    db: Database,
) -> None:
    mentor = await two_months_asked(db)
    job = theme_computation.themes_job(db, factories.Clock(NOW))
    await job.run()
    async with db.sessions() as session:
        assert await question_themes.public_themes(session, "droit") == []
        top = (await question_themes.stored_themes(session, filiere="droit", period=None))[0]
        approved = await question_themes.approve_theme(session, top.id, True, STAFF)
        assert approved.approved
    await job.run()  # new rows, same subject: still approved
    async with db.sessions() as session:
        shown = await question_themes.public_themes(session, "droit")
        assert [(t.key, t.approved) for t in shown] == [(top.key, True)]
        assert await question_themes.public_themes(session, "medecine") == []
        mentor_sees = await question_themes.mentor_themes(session, mentor.id)
        assert top.key in {t.key for t in mentor_sees}
        assert all(t.count >= 2 for t in mentor_sees)
        await question_themes.approve_theme(session, shown[0].id, False, STAFF)
        assert await question_themes.public_themes(session, "droit") == []


async def test_two_workers_computing_at_once_leave_one_set_of_themes(db: Database) -> None:
    await two_months_asked(db)

    async def compute() -> int:
        async with db.sessions() as session:
            return await theme_computation.compute_themes(session, NOW)

    first, second = await asyncio.gather(compute(), compute())
    assert first == second
    async with db.sessions() as session:
        stored = await question_themes.stored_themes(session, filiere=None, period=JANUARY)
        december = await question_themes.stored_themes(session, filiere=None, period=DECEMBER)
    assert len(stored) + len(december) == first


async def test_questions_whose_bookings_were_purged_still_count_in_their_month(
    db: Database,
) -> None:
    await two_months_asked(db)
    async with db.sessions() as session:
        filiere_id = await session.scalar(text("SELECT id FROM filieres WHERE slug = 'droit'"))
        await session.execute(
            text(
                "INSERT INTO retained_questions (filiere_id, month, language, question)"
                " VALUES (:f, :m, 'fr', 'Quels débouchés après un master de droit ?')"
            ),
            {"f": filiere_id, "m": JANUARY},
        )
        await session.commit()
    await theme_computation.themes_job(db, factories.Clock(NOW)).run()
    async with db.sessions() as session:
        january = await question_themes.stored_themes(session, filiere="droit", period=JANUARY)
    assert sum(t.count for t in january) == 202
