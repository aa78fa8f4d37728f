"""``thotis questions themes`` computes the themes now; ``thotis questions export --out FILE``
writes the anonymised dataset as JSONL with a progress count on stderr."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from api.cli import main
from scheduler.platform import Database
from testkit import factories
from testkit.questions import sample, seed_questions

pytestmark = pytest.mark.usefixtures("logging_left_as_found")


async def _seed(url: str) -> None:
    database = Database.from_url(url)
    try:
        mentor = await factories.make_mentor(database, filiere="droit", name="Hugo Bernard")
        texts = [i.text for i in sample("droit", 60)]
        texts.append("Hugo, tu peux me rappeler au +33 6 12 34 56 78 ? Voir www.monprofil.fr")
        await seed_questions(database, mentor.id, "droit", texts, datetime.now(UTC))
    finally:
        await database.dispose()


def test_the_export_writes_every_question_scrubbed_and_counts_its_progress(
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    database_url: str,
    tmp_path: Path,
) -> None:
    monkeypatch.setenv("DATABASE_URL", database_url)
    asyncio.run(_seed(database_url))
    assert main(["questions", "themes"]) == 0
    assert "themes stored" in capsys.readouterr().err
    out = tmp_path / "questions.jsonl"
    assert main(["questions", "export", "--out", str(out)]) == 0
    err = capsys.readouterr().err
    assert "61/61 questions" in err and "61 anonymised questions written" in err
    lines = [json.loads(line) for line in out.read_text("utf-8").splitlines()]
    assert len(lines) == 61
    (mine,) = [line for line in lines if "rappeler" in line["question"]]
    assert mine["question"] == "[nom], tu peux me rappeler au [téléphone] ? Voir [lien]"
    paris = datetime.now(ZoneInfo("Europe/Paris"))
    assert mine["filiere"] == "droit" and mine["month"] == paris.strftime("%Y-%m")
