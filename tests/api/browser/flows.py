"""Steps a visitor takes, shared by the browser tests (Playwright's CSS locators pierce open
shadow roots, so ``thotis-dialog .slot`` reaches inside the widget)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from playwright.async_api import Locator, Page

DIALOG = "thotis-dialog dialog"
# Cards whose mentor has a free slot (the others say so and are not bookable right now).
BOOKABLE = "thotis-mentor-list[filiere='{filiere}'] .card:has(.next:not(.none)) button"


async def open_demo(page: Page, url: str, query: str = "") -> None:
    await page.goto(f"{url}/demo{query}")
    await page.locator("thotis-mentor-list[filiere='droit'] .card").first.wait_for()


def card_button(page: Page, filiere: str = "droit", index: int = 0) -> Locator:
    return page.locator(BOOKABLE.format(filiere=filiere)).nth(index)


async def wait_calendar(page: Page) -> None:
    await page.locator("thotis-dialog .slot").first.wait_for()


async def open_mentor(page: Page, filiere: str = "droit", index: int = 0) -> None:
    await card_button(page, filiere, index).click()
    await wait_calendar(page)


async def pick_slot(page: Page, index: int = 0) -> str:
    slot = page.locator("thotis-dialog .slot").nth(index)
    start = await slot.get_attribute("data-start")
    assert start
    await slot.click()
    await page.locator("thotis-dialog #f-first_name").wait_for()
    return start


async def fill_form(page: Page, first_name: str, email: str, question: str | None = None) -> None:
    await page.locator("thotis-dialog #f-first_name").fill(first_name)
    await page.locator("thotis-dialog #f-email").fill(email)
    if question is not None:
        await page.locator("thotis-dialog #f-question").fill(question)
    await page.locator("thotis-dialog #f-age").check()  # 15 or older
    await page.locator("thotis-dialog #f-consent").check()


async def fill_booking(
    page: Page, url: str, first_name: str, email: str, question: str | None = None
) -> str:
    """From the demo page to a filled form for the first mentor's first free slot: its start."""
    await open_demo(page, url)
    await open_mentor(page)
    start = await pick_slot(page)
    await fill_form(page, first_name, email, question)
    return start


async def submit(page: Page) -> None:
    await page.locator("thotis-dialog #submit").click()


async def confirmed(page: Page) -> None:
    await page.locator("thotis-dialog #done-title").wait_for()


async def host_events(page: Page, kind: str) -> list[dict[str, Any]]:
    """The ``thotis:*`` events the demo page received (its own listener records them)."""
    events: list[dict[str, Any]] = await page.evaluate("window.thotisEvents")
    return [e["detail"] for e in events if e["type"] == f"thotis:{kind}"]


async def deep_focus(page: Page) -> dict[str, Any]:
    """What has focus, looking through shadow roots."""
    found: dict[str, Any] = await page.evaluate(
        """() => {
      let a = document.activeElement, inDialog = a && a.localName === 'thotis-dialog';
      while (a && a.shadowRoot && a.shadowRoot.activeElement) a = a.shadowRoot.activeElement;
      return a ? { tag: a.localName, id: a.id, cls: a.className || '', inDialog,
                   date: a.getAttribute('data-date'), start: a.getAttribute('data-start'),
                   text: (a.textContent || '').trim() } : {};
    }"""
    )
    return found


async def free_starts(client: Any, mentor_id: str) -> set[str]:
    """Free slot starts of a mentor from the JSON API, as UTC instants (comparable strings)."""
    res = await client.get(f"/v1/mentors/{mentor_id}/slots", params={"tz": "Europe/Paris"})
    assert res.status_code == 200, res.text
    return {utc(s["start"]) for day in res.json()["days"] for s in day["slots"]}


def utc(instant: str) -> str:
    return datetime.fromisoformat(instant).astimezone(UTC).isoformat()
