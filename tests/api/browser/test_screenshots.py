"""Screenshots at phone and desktop widths (written to test-artifacts/widget/), and the layout
facts they are meant to show: a full-screen sheet under 600 px, a centred dialog above."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.async_api import Page

from tests.api.browser.conftest import Site
from tests.api.browser.flows import (
    DIALOG,
    confirmed,
    fill_form,
    open_demo,
    open_mentor,
    pick_slot,
    submit,
)
from tests.api.browser.test_manage import book_through_api

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("width", [375, 1280])
async def test_screenshots(
    page: Page, site: Site, artifacts: Path, visitor_email: str, width: int
) -> None:
    height = 812 if width == 375 else 900
    await page.set_viewport_size({"width": width, "height": height})
    await open_demo(page, site.url)
    await page.locator("thotis-mentor-list[filiere='droit']").scroll_into_view_if_needed()
    await page.screenshot(path=artifacts / f"demo-{width}.png")

    await open_mentor(page)
    box = await page.locator(DIALOG).bounding_box()
    assert box is not None
    if width < 600:
        assert (box["x"], box["y"], box["width"], box["height"]) == (0, 0, width, height)
    else:
        assert box["width"] <= 720 and box["x"] > 0
    await page.screenshot(path=artifacts / f"calendar-{width}.png")

    await pick_slot(page)
    await page.screenshot(path=artifacts / f"form-{width}.png")
    await fill_form(page, "Jade", visitor_email, "Quelle charge de travail en première année ?")
    await submit(page)
    await confirmed(page)
    await page.screenshot(path=artifacts / f"confirmation-{width}.png")

    async with site.api() as client:
        booked = await book_through_api(client, f"m-{visitor_email}")
    await page.goto(booked["manage_url"])
    await page.locator("thotis-manage #m-title").wait_for()
    await page.screenshot(path=artifacts / f"manage-{width}.png", full_page=True)
    for name in ("demo", "calendar", "form", "confirmation", "manage"):
        assert (artifacts / f"{name}-{width}.png").stat().st_size > 0
