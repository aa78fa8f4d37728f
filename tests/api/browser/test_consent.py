"""The age question in the widget: under 15, the booking waits for the statement that a parent
agreed, and the booking then records a parent's agreement as its basis."""

from __future__ import annotations

import pytest
from playwright.async_api import Page, expect

from tests.api.browser.conftest import Site
from tests.api.browser.flows import (
    confirmed,
    host_events,
    open_demo,
    open_mentor,
    pick_slot,
    submit,
)

pytestmark = pytest.mark.browser


async def test_under_15_a_parents_agreement_is_asked_then_sent(
    page: Page, site: Site, visitor_email: str
) -> None:
    await open_demo(page, site.url)
    await open_mentor(page)
    await pick_slot(page)
    await page.locator("thotis-dialog #f-first_name").fill("Lou")
    await page.locator("thotis-dialog #f-email").fill(visitor_email)
    parent = page.locator("thotis-dialog #f-parent_agreed")
    await expect(parent).to_be_hidden()
    await page.locator("thotis-dialog #f-age-under").check()
    await expect(parent).to_be_visible()
    await page.locator("thotis-dialog #f-consent").check()
    await submit(page)
    error = page.locator("thotis-dialog #f-parent_agreed-err")
    await expect(error).to_contain_text("l’accord d’un parent")
    assert await host_events(page, "booked") == []
    await parent.check()
    sent: list[str] = []
    page.on("request", lambda r: sent.append(r.post_data or "") if r.method == "POST" else None)
    await submit(page)
    await confirmed(page)
    assert any('"age":"under_15"' in body and '"parent_agreed":true' in body for body in sent)
