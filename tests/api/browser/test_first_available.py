""" "Le premier étudiant disponible" in a real chromium against the real app: the filière's
merged calendar books end to end without choosing a mentor, and the confirmation names the
mentor the booking went to."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.async_api import Page

from tests.api.browser.conftest import Site
from tests.api.browser.flows import confirmed, fill_form, free_starts, host_events, open_demo, utc
from tests.api.browser.test_accessibility import serious_violations

pytestmark = pytest.mark.browser

ENTRY = "thotis-mentor-list#first #first-available"


async def _open_filiere_calendar(page: Page, url: str) -> None:
    await open_demo(page, url)
    # The attribute on a mentor list of the page, as a host would write it.
    await page.evaluate(
        """() => {
      const list = document.createElement('thotis-mentor-list');
      list.id = 'first';
      list.setAttribute('filiere', 'droit');
      list.setAttribute('first-available', '');
      document.querySelector('main, body').prepend(list);
    }"""
    )
    await page.locator(ENTRY).click()
    await page.locator("thotis-dialog .slot").first.wait_for()


async def test_the_filiere_calendar_books_end_to_end_with_a_mentor_chosen_for_the_visitor(
    page: Page, site: Site, visitor_email: str
) -> None:
    await _open_filiere_calendar(page, site.url)
    title = await page.locator("thotis-dialog #dlg-title").inner_text()
    assert "premier étudiant disponible" in title
    async with site.api() as client:
        merged = (await client.get("/v1/filieres/droit/slots")).json()
        mentors = (await client.get("/v1/filieres/droit/mentors")).json()["mentors"]
    slot = page.locator("thotis-dialog .slot").first
    start = await slot.get_attribute("data-start")
    assert start is not None
    assert utc(start) in {utc(s["start"]) for d in merged["days"] for s in d["slots"]}
    await slot.click()
    await fill_form(page, "Camille", visitor_email, "Quelle charge de travail en L1 ?")
    await page.locator("thotis-dialog #submit").click()
    await confirmed(page)

    booked = (await host_events(page, "booked"))[-1]
    assert utc(booked["start"]) == utc(start)
    names = {m["id"]: m["display_name"] for m in mentors}
    assert booked["mentorId"] in names
    chosen = names[booked["mentorId"]]
    done = await page.locator("thotis-dialog .done").inner_text()
    assert chosen in done
    assert chosen in await page.locator("thotis-dialog #dlg-title").inner_text()
    async with site.api() as client:
        assert utc(start) not in await free_starts(client, booked["mentorId"])
    mail = await site.wait_for_mail(visitor_email)
    assert chosen in mail.get_body(("plain", "html")).get_content()  # type: ignore[union-attr]


@pytest.mark.parametrize("width", [375, 1280])
async def test_the_first_available_entry_and_calendar_have_no_serious_violation(
    page: Page, site: Site, axe_source: Path, width: int
) -> None:
    await page.set_viewport_size({"width": width, "height": 900})
    await _open_filiere_calendar(page, site.url)
    assert await serious_violations(page, axe_source) == []
