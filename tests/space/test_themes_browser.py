"""The question themes in the browser: the staff page (axe at 1280 and 375 px), approving a
theme, its drill-down, the mentor's section, and the approved theme on the filière page."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from pathlib import Path

import pytest
from playwright.async_api import Page, expect

from scheduler.platform import Database
from scheduler.staff import theme_computation
from testkit.questions import sample, seed_questions
from tests.space.conftest import STAFF_EMAIL, Space
from tests.space.flows import google_sign_in, mark_onboarded, mentor_id
from tests.space.test_mentor_browser import shoot

pytestmark = pytest.mark.browser

CAMILLE = "camille.laurent@demo.thotis.fr"  # a Droit mentor of the demo


async def _themes(space: Space) -> None:
    database = Database.from_url(space.database_url)
    try:
        texts = [i.text for i in sample("droit", 150)]
        texts.append("Bonjour, je m'appelle Inès Moreau, 06 12 34 56 78, pour l'alternance ?")
        now = datetime.now(UTC)
        await seed_questions(database, mentor_id(space, CAMILLE), "droit", texts, now)
        async with database.sessions() as session:
            await theme_computation.compute_themes(session, now)
    finally:
        await database.dispose()


async def test_staff_approve_a_theme_that_mentors_and_visitors_then_see(
    space: Space, page: Page, artifacts: Path
) -> None:
    await _themes(space)
    await google_sign_in(page, space, "staff", STAFF_EMAIL)
    await page.goto(f"{space.url}/staff/themes?filiere=droit")
    await expect(page.get_by_role("heading", name="Thèmes des questions")).to_be_visible()
    await shoot(page, artifacts, "staff-themes")
    first = page.locator("li.booking").first
    label = (await first.locator("strong").first.inner_text()).strip()
    await first.get_by_role("button", name=re.compile("Approuver pour les lycéens")).click()
    approved = page.locator("li.booking", has=page.get_by_text("visible des lycéens"))
    await expect(approved.first.locator("strong").first).to_have_text(label)
    await approved.first.get_by_role("link", name=re.compile("Voir les questions")).click()
    await expect(page.get_by_role("heading", name="Questions anonymisées")).to_be_visible()
    await shoot(page, artifacts, "staff-theme")
    # Nothing that identified anyone reached the console.
    assert "06 12 34 56 78" not in await page.content()
    assert "Inès" not in await page.content()
    export = await page.request.get(f"{space.url}/staff/themes/dataset.jsonl")
    assert export.ok and export.headers["content-type"].startswith("application/x-ndjson")
    lines = [json.loads(line) for line in (await export.text()).splitlines()]
    assert any(line["theme"] == label for line in lines)
    assert not any("Inès" in line["question"] or "06 12" in line["question"] for line in lines)

    mark_onboarded(space, CAMILLE)
    await page.context.clear_cookies()
    await google_sign_in(page, space, "mentor", CAMILLE)
    await page.goto(f"{space.url}/mentor")
    asked = page.locator("#asked")
    await expect(
        asked.get_by_role("heading", name="Ce que les lycéens demandent avant un appel avec vous")
    ).to_be_visible()
    await expect(asked.locator("li")).not_to_have_count(0)

    await page.goto(f"{space.url}/demo")
    faq = page.locator("thotis-frequent-questions[filiere=droit]")
    await expect(
        faq.get_by_role("heading", name="Ce que les lycéens demandent souvent")
    ).to_be_visible()
    await expect(faq.get_by_text(label, exact=False).first).to_be_visible()
