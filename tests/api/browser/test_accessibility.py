"""axe-core (the npm package, injected into the page) on every screen of the widget: no serious
or critical violation, shadow roots included."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from playwright.async_api import Browser, Page

from tests.api.browser.conftest import Site
from tests.api.browser.flows import confirmed, fill_form, open_demo, open_mentor, pick_slot, submit
from tests.api.browser.test_manage import book_through_api

pytestmark = pytest.mark.browser


async def serious_violations(page: Page, axe: Path) -> list[dict[str, Any]]:
    if not await page.evaluate("typeof window.axe !== 'undefined'"):
        await page.add_script_tag(path=str(axe))
    result: list[dict[str, Any]] = await page.evaluate(
        """async () => {
      const r = await axe.run(document, { resultTypes: ['violations'] });
      return r.violations
        .filter(v => v.impact === 'serious' || v.impact === 'critical')
        .map(v => ({ id: v.id, impact: v.impact, help: v.help,
                     targets: v.nodes.map(n => n.target) }));
    }"""
    )
    return result


@pytest.mark.parametrize("width", [375, 1280])
async def test_booking_screens_have_no_serious_violation(
    page: Page, site: Site, axe_source: Path, visitor_email: str, width: int
) -> None:
    await page.set_viewport_size({"width": width, "height": 900})
    await open_demo(page, site.url)
    assert await serious_violations(page, axe_source) == []

    await open_mentor(page)
    assert await serious_violations(page, axe_source) == []

    await pick_slot(page)
    await submit(page)  # empty: every field error is shown
    await page.locator("thotis-dialog #f-email-err").wait_for()
    assert await serious_violations(page, axe_source) == []

    await fill_form(page, "Alix", visitor_email)
    await submit(page)
    await confirmed(page)
    assert await serious_violations(page, axe_source) == []


async def test_manage_page_has_no_serious_violation(
    browser: Browser, site: Site, axe_source: Path, visitor_email: str
) -> None:
    async with site.api() as client:
        booked = await book_through_api(client, visitor_email)
    # The manage page's CSP (script-src 'self') would block axe's injected inline script.
    context = await browser.new_context(locale="fr-FR", timezone_id="Europe/Paris", bypass_csp=True)
    page = await context.new_page()
    await page.goto(booked["manage_url"])
    manage = page.locator("thotis-manage")
    await manage.locator("#m-title").wait_for()
    assert await serious_violations(page, axe_source) == []
    await manage.locator("#m-reschedule").click()
    await manage.locator(".slot").first.wait_for()
    assert await serious_violations(page, axe_source) == []
    await manage.get_by_role("button", name="Retour").click()
    await manage.locator("#m-cancel").click()
    await manage.locator("#m-reason").wait_for()
    assert await serious_violations(page, axe_source) == []
    await context.close()


async def test_privacy_page_has_no_serious_violation(
    page: Page, site: Site, axe_source: Path
) -> None:
    await page.goto(f"{site.url}/privacy")
    assert await serious_violations(page, axe_source) == []


async def test_after_a_cancellation_the_way_back_works_by_keyboard_without_violation(
    browser: Browser, site: Site, axe_source: Path, visitor_email: str
) -> None:
    async with site.api() as client:
        booked = await book_through_api(client, visitor_email)
        cancelled = await client.post(
            f"/v1/bookings/manage/{booked['manage_token']}/cancel", json={"reason": None}
        )
        assert cancelled.status_code == 200, cancelled.text
    context = await browser.new_context(
        locale="fr-FR",
        timezone_id="Europe/Paris",
        bypass_csp=True,
        viewport={"width": 375, "height": 800},
    )
    page = await context.new_page()
    await page.goto(booked["manage_url"])
    again = page.locator("thotis-manage #m-book-again")
    await again.wait_for()
    assert await serious_violations(page, axe_source) == []
    # Keyboard only: Tab reaches the link, Enter follows it.
    for _ in range(20):
        await page.keyboard.press("Tab")
        if await again.evaluate("el => el.getRootNode().activeElement === el"):
            break
    else:
        raise AssertionError("the book-again link is not reachable by Tab")
    await page.keyboard.press("Enter")
    await page.wait_for_url("**/book/**")
    # The same mentor's button always; the filière's other mentors when the mentor has one
    # (which demo mentor the API booking took depends on the tests run before this one).
    await page.locator("thotis-booking").first.wait_for()
    if "filiere=" in page.url:
        await page.locator("thotis-mentor-list .card").first.wait_for()
    assert await page.evaluate("document.documentElement.scrollWidth") <= 375
    assert await serious_violations(page, axe_source) == []
    await context.close()
