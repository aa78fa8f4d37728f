"""The anonymised dataset: every question the job themed, scrubbed, with its filière, month and
theme, read in batches that together hold each line once; its size says how many lines come."""

from __future__ import annotations

from datetime import UTC, datetime

from scheduler.platform import Database
from scheduler.staff import question_dataset, theme_computation
from testkit import factories
from tests.scheduler.staff.asked import two_months_asked

NOW = datetime(2030, 1, 20, 9, 0, tzinfo=UTC)


async def test_the_dataset_has_every_themed_question_scrubbed_with_its_theme(
    db: Database,
) -> None:
    await two_months_asked(db, january=40, december=20)
    await theme_computation.themes_job(db, factories.Clock(NOW)).run()
    async with db.sessions() as session:
        lines = [
            line async for batch in question_dataset.dataset(session, batch=7) for line in batch
        ]
        size = await question_dataset.dataset_size(session)
    assert len(lines) == size == 61
    assert {(line.filiere, line.month) for line in lines} == {
        ("droit", "2030-01"),
        ("droit", "2029-12"),
    }
    assert not any("06 12" in line.question or "Camille" in line.question for line in lines)
    assert all(line.theme_key or line.theme == "" for line in lines)
