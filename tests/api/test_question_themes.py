"""The themes over HTTP: staff read, drill down, approve and export; visitors see only what
the team approved, on the filière's public route."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest_asyncio
from litestar.testing import AsyncTestClient

from api.wiring import Parts, build_worker
from integrations.mail import mailer_from_settings
from scheduler.identity import credentials
from scheduler.platform import Actor, Database, Settings
from scheduler.staff import question_themes, theme_computation
from testkit.factories import Clock
from testkit.questions import sample, seed_questions
from tests.api.conftest import World

Client = AsyncTestClient  # type: ignore[type-arg]
STAFF = Actor.staff("tests")


@pytest_asyncio.fixture(loop_scope="session")
async def staff_key(db: Database, world: World, clock: Clock) -> dict[str, str]:
    texts = [i.text for i in sample("droit", 120)]
    texts.append("Je m'appelle Inès, mon mail ines.d@gmail.com, Léa peut m'appeler au 0612345678 ?")
    await seed_questions(db, world.mentor_id, "droit", texts, clock.now, first_name="Inès")
    await theme_computation.themes_job(db, clock).run()
    async with db.session() as session:
        _, key = await credentials.create_staff_api_key(session, "site", STAFF)
    return {"X-API-Key": key}


async def test_staff_approval_puts_a_theme_on_the_filiere_page(
    client: Client, staff_key: dict[str, str]
) -> None:
    assert (await client.get("/v1/filieres/droit/frequent-questions")).json() == []
    themes = (await client.get("/v1/staff/question-themes?filiere=droit", headers=staff_key)).json()
    assert sum(t["count"] for t in themes) == 121
    top = themes[0]
    assert top["period"] == "2026-11" and top["count"] >= 2 and top["examples"]
    detail = (await client.get(f"/v1/staff/question-themes/{top['id']}", headers=staff_key)).json()
    assert len(detail["questions"]) == top["count"]
    approved = await client.post(
        f"/v1/staff/question-themes/{top['id']}/approval",
        json={"approved": True},
        headers=staff_key,
    )
    assert approved.status_code == 200 and approved.json()["approved"] is True
    shown = (await client.get("/v1/filieres/droit/frequent-questions")).json()
    assert shown == [{"label": top["label"], "question": top["question"], "count": top["count"]}]
    await client.post(
        f"/v1/staff/question-themes/{top['id']}/approval",
        json={"approved": False},
        headers=staff_key,
    )
    assert (await client.get("/v1/filieres/droit/frequent-questions")).json() == []


async def test_the_dataset_is_jsonl_of_scrubbed_questions_with_their_theme(
    client: Client, staff_key: dict[str, str]
) -> None:
    answer = await client.get("/v1/staff/questions/dataset.jsonl", headers=staff_key)
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("application/x-ndjson")
    lines = [json.loads(line) for line in answer.text.splitlines()]
    assert len(lines) == 121
    assert set(lines[0]) == {"filiere", "month", "question", "theme", "theme_key"}
    (mine,) = [line for line in lines if "appeler" in line["question"]]
    assert (
        mine["question"]
        == "Je m'appelle [nom], mon mail [email], [nom] peut m'appeler au [téléphone] ?"
    )


async def test_bad_periods_unknown_themes_and_unknown_filieres_are_4xx(
    client: Client, staff_key: dict[str, str]
) -> None:
    bad = await client.get("/v1/staff/question-themes?period=2026-13", headers=staff_key)
    assert (bad.status_code, bad.json()["code"]) == (422, "validation_failed")
    missing = await client.get("/v1/staff/question-themes/999999", headers=staff_key)
    assert (missing.status_code, missing.json()["code"]) == (404, "not_found")
    refused = await client.post(
        "/v1/staff/question-themes/1/approval", json={"approved": "yes"}, headers=staff_key
    )
    assert (refused.status_code, refused.json()["code"]) == (422, "validation_failed")
    assert (await client.get("/v1/filieres/astrophysique/frequent-questions")).status_code == 404
    assert (await client.get("/v1/staff/question-themes")).status_code == 401


async def test_the_worker_computes_the_themes_every_six_hours(
    db: Database, settings: Settings, clock: Clock, world: World
) -> None:
    worker = build_worker(settings, Parts(db, mailer_from_settings(settings.smtp), clock=clock))
    (job,) = [job for job in worker.periodic if job.name == "question_themes"]
    assert job.every == timedelta(hours=6)
    await seed_questions(db, world.mentor_id, "droit", ["Des stages en L3 ?"] * 2, clock.now)
    await job.run()
    async with db.session() as session:
        (theme,) = await question_themes.stored_themes(session, filiere="droit", period=None)
    assert (theme.count, theme.representative) == (2, "Des stages en L3 ?")
