"""The mentor's impact page and the attestation in Debian's chromium against the real app: the
figures, the PDF downloaded from the page (its first page rendered to an image and read), and
the verification link a university opens."""

from __future__ import annotations

import asyncio
import re
import uuid
from pathlib import Path

import pypdfium2 as pdfium
import pytest
from PIL import Image, ImageStat
from playwright.async_api import Page, expect

from scheduler import catalog
from scheduler.platform import Actor, Database
from scheduler.schedules import rules as schedules
from tests.space.a11y import assert_accessible
from tests.space.conftest import Space
from tests.space.flows import (
    book,
    csrf_of,
    google_sign_in,
    http_client,
    http_google_sign_in,
    mark_onboarded,
)

pytestmark = pytest.mark.browser

NAME = "Inès Benali"
UNIVERSITY = "Université de Lyon"


async def _new_mentor(space: Space, email: str) -> None:
    database = Database.from_url(space.database_url)
    try:
        async with database.session() as session:
            mentor = await catalog.create_mentor(
                session,
                catalog.MentorFields(
                    display_name=NAME,
                    email=email,
                    university=UNIVERSITY,
                    year_of_study=4,
                    filieres=("droit",),
                ),
                Actor.staff("tests"),
            )
            await schedules.set_weekly_rules(
                session,
                mentor.id,
                {d: [("08:00", "22:00")] for d in range(7)},
                Actor.staff("tests"),
            )
            await session.commit()
    finally:
        await database.dispose()


def _render(pdf: bytes, artifacts: Path) -> tuple[Image.Image, str]:
    document = pdfium.PdfDocument(pdf)
    try:
        first = document[0]
        text = first.get_textpage().get_text_range()
        image = first.render(scale=1.5).to_pil().convert("RGB")
        image.save(artifacts / "attestation-page-1.png")
    finally:
        document.close()
    return image, text


async def test_the_impact_page_counts_calls_and_its_attestation_is_a_verifiable_pdf(
    space: Space, page: Page, artifacts: Path
) -> None:
    email = f"ines-{uuid.uuid4().hex[:6]}@etu.example.fr"
    await _new_mentor(space, email)
    mark_onboarded(space, email)
    made = [await book(space, email, f"Élève{n}", "Et la L1 ?") for n in range(3)]
    # Two calls took place (moved to the days before), the third is still to come.
    for days, body in enumerate(made[:2], start=1):
        space.sql(
            "UPDATE bookings SET start_at = now() - make_interval(days => %s),"
            " end_at = now() - make_interval(days => %s) + interval '15 minutes' WHERE id = %s",
            days,
            days,
            uuid.UUID(body["booking"]["id"]),
        )
    space.sql(
        "INSERT INTO feedback (booking_id, helpful) VALUES (%s, true)",
        uuid.UUID(made[0]["booking"]["id"]),
    )
    space.google.add_account(email)
    await google_sign_in(page, space, "mentor", email)
    await page.goto(f"{space.url}/mentor/impact")
    await expect(page.locator("#calls-held")).to_have_text("2")
    await expect(page.locator("#students-helped")).to_have_text("2")
    await expect(page.locator("#feedback-received")).to_have_text("1")
    await expect(page.locator("#hours-given")).to_have_text("0,5 h")
    for width in (1280, 375):
        await page.set_viewport_size({"width": width, "height": 900})
        await assert_accessible(page)
        assert await page.evaluate("document.documentElement.scrollWidth") <= width
        await page.screenshot(path=str(artifacts / f"impact-{width}.png"), full_page=True)

    async with page.expect_download() as waiting:
        await page.locator("#download-attestation").click()
    download = await waiting.value
    assert re.fullmatch(r"attestation-thotis-\d{4}-\d{2}-\d{2}\.pdf", download.suggested_filename)
    pdf = Path(await download.path()).read_bytes()
    assert pdf.startswith(b"%PDF")
    image, text = await asyncio.to_thread(_render, pdf, artifacts)
    # Not blank: many pixels away from white, and the brand's band at the top.
    grey = image.convert("L")
    dark = sum(grey.histogram()[:200])
    assert dark > 0.05 * grey.width * grey.height
    band = ImageStat.Stat(image.crop((0, 0, image.width, 40))).mean
    assert band[2] > band[0] + 40  # the primary blue, #1d3a8a
    flat = " ".join(text.split())
    assert NAME in flat and UNIVERSITY in flat
    assert "Attestation de mentorat bénévole" in flat
    link = re.search(r"(http\S+/attestation/[0-9a-f-]{36})", flat)
    assert link is not None

    # The link printed on the document: genuine, with the same figures.
    await page.set_viewport_size({"width": 1280, "height": 900})
    await page.goto(link.group(1))
    await expect(page.locator("#verdict")).to_have_text("✓ Authentique")
    await expect(page.locator("#mentor-name")).to_have_text(NAME)
    await expect(page.locator("#calls-held")).to_have_text("2")
    await assert_accessible(page)
    # The page lists the attestation for downloading again.
    await page.goto(f"{space.url}/mentor/impact")
    await expect(page.locator("#attestations li")).to_have_count(1)


async def test_a_made_up_or_broken_verification_link_says_so_without_error(
    space: Space, page: Page
) -> None:
    unknown = await page.goto(f"{space.url}/attestation/{uuid.uuid4()}")
    assert unknown is not None and unknown.status == 404
    await expect(page.locator("#verdict")).to_have_text("Attestation inconnue")
    await assert_accessible(page)
    broken = await page.goto(f"{space.url}/attestation/pas-un-numero%00?lang=en")
    assert broken is not None and broken.status == 404
    await expect(page.locator("#verdict")).to_have_text("Invalid link")


async def test_another_mentors_attestation_is_not_found_and_issuing_needs_the_form_token(
    space: Space,
) -> None:
    owner = f"owner-{uuid.uuid4().hex[:6]}@etu.example.fr"
    other = f"other-{uuid.uuid4().hex[:6]}@etu.example.fr"
    for email in (owner, other):
        await _new_mentor(space, email)
        mark_onboarded(space, email)
        space.google.add_account(email)
    async with http_client(space) as client:
        await http_google_sign_in(client, space, "mentor", owner)
        token = csrf_of((await client.get("/mentor/impact")).text)
        refused = await client.post("/mentor/impact/attestations", data={})
        assert refused.status_code == 403
        made = await client.post("/mentor/impact/attestations", data={"csrf_token": token})
        assert made.status_code == 200
        assert made.headers["content-type"] == "application/pdf"
        own = str(made.url)
    async with http_client(space) as client:
        await http_google_sign_in(client, space, "mentor", other)
        stolen = await client.get(own)
        assert stolen.status_code == 404
        assert b"%PDF" not in stolen.content
