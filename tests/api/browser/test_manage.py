"""The visitor's manage page (/manage/{token}): cancel and reschedule, in a real chromium."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest
from playwright.async_api import Locator, Page

from tests.api.browser.conftest import Site
from tests.api.browser.flows import free_starts, utc

pytestmark = pytest.mark.browser


async def book_through_api(client: httpx.AsyncClient, email: str) -> dict[str, Any]:
    """A fresh booking with the first free slot of the first bookable mentor in Droit."""
    listing = await client.get("/v1/filieres/droit/mentors", params={"tz": "Europe/Paris"})
    assert listing.status_code == 200, listing.text
    mentor = next(m for m in listing.json()["mentors"] if m["next_free_slot"])
    res = await client.post(
        "/v1/bookings",
        json={
            "mentor_id": mentor["id"],
            "start": mentor["next_free_slot"],
            "first_name": "Zoé",
            "email": email,
            "question": None,
            "consent": True,
            "timezone": "Europe/Paris",
            "language": "fr",
        },
    )
    assert res.status_code == 201, res.text
    booked: dict[str, Any] = res.json()
    return booked


async def outcome(manage: Locator) -> str:
    """The success message, or the error the page showed instead (so a failure says why)."""
    shown = manage.locator("#m-message, #m-error:not([hidden])")
    await shown.first.wait_for()
    return f"{await shown.first.get_attribute('id')}: {await shown.first.inner_text()}"


async def test_cancel_with_a_reason(page: Page, site: Site, visitor_email: str) -> None:
    async with site.api() as client:
        booked = await book_through_api(client, visitor_email)
        start = booked["booking"]["start"]
        mentor_id = booked["booking"]["mentor_id"]
        assert utc(start) not in await free_starts(client, mentor_id)

        await page.goto(booked["manage_url"])
        manage = page.locator("thotis-manage")
        await manage.locator("#m-title").wait_for()
        assert "confirmé" in await manage.locator(".badge").inner_text()

        await manage.locator("#m-cancel").click()
        reason = manage.locator("#m-reason")
        await reason.wait_for()
        assert await reason.evaluate("el => el.getRootNode().activeElement === el")
        # The confirm step can be left without cancelling anything.
        await manage.get_by_role("button", name="Non, garder mon rendez-vous").click()
        await manage.locator("#m-cancel").wait_for()
        assert (await client.get(f"/v1/bookings/manage/{booked['manage_token']}")).json()[
            "booking"
        ]["status"] == "confirmed"

        await manage.locator("#m-cancel").click()
        await manage.locator("#m-reason").fill("Je me suis trompé de filière.")
        await manage.locator("#m-confirm-cancel").click()
        message = await outcome(manage)
        assert "annulé" in message
        assert "annulé" in await manage.locator(".badge").inner_text()
        assert await manage.locator("#m-cancel").count() == 0

        after = await client.get(f"/v1/bookings/manage/{booked['manage_token']}")
        assert after.json()["booking"]["status"] == "cancelled"
        assert utc(start) in await free_starts(client, mentor_id)

        # The way back: a page to book the same mentor again, or another one of Droit.
        again = manage.locator("#m-book-again")
        assert await again.get_attribute("href") == (f"{site.url}/book/{mentor_id}?filiere=droit")
        await again.click()
        await page.locator("thotis-mentor-list[filiere='droit'] .card").first.wait_for()
        await page.locator(f"thotis-booking[mentor-id='{mentor_id}'] button").click()
        # The same mentor's calendar opens from there.
        await page.locator("thotis-dialog .slot").first.wait_for()


async def test_reschedule_to_another_free_slot(page: Page, site: Site, visitor_email: str) -> None:
    async with site.api() as client:
        booked = await book_through_api(client, visitor_email)
        old_start = booked["booking"]["start"]
        mentor_id = booked["booking"]["mentor_id"]
        first_mail = await site.wait_for_mail(visitor_email)
        first_link = _manage_link(first_mail)

        await page.goto(booked["manage_url"])
        manage = page.locator("thotis-manage")
        await manage.locator("#m-reschedule").click()
        await manage.locator(".slot").first.wait_for()
        # The calendar opens on the booked week, the booked slot marked and not pickable.
        current = manage.locator(f".slot.current[data-start='{old_start}']")
        assert await current.count() == 1
        assert await current.is_disabled()
        assert "actuel" in await current.inner_text()
        slot = manage.locator(".slot:not([disabled])").first
        new_start = await slot.get_attribute("data-start")
        assert new_start
        await slot.click()
        await manage.locator("#m-ask").wait_for()
        await manage.locator("#m-confirm-reschedule").click()
        assert "déplacé" in await outcome(manage)

        # The page now shows (and its address points to) the booking at the new time.
        token = urlsplit(page.url).path.rsplit("/", 1)[-1]
        now = await client.get(f"/v1/bookings/manage/{token}")
        assert now.status_code == 200, now.text
        assert now.json()["booking"]["status"] == "confirmed"
        assert utc(now.json()["booking"]["start"]) == utc(new_start)
        free = await free_starts(client, mentor_id)
        assert utc(new_start) not in free
        assert utc(old_start) in free
        await page.reload()
        await manage.locator("#m-title").wait_for()
        assert "confirmé" in await manage.locator(".badge").inner_text()

        # The link in the first mail follows the series: the new time, the way in, the actions.
        await page.goto(first_link)
        await manage.locator("#m-title").wait_for()
        assert "confirmé" in await manage.locator(".badge").inner_text()
        assert "déplacé" not in await manage.locator(".badge").inner_text()
        shown = await manage.locator("#m-when").inner_text()
        assert shown.lower() == await page.evaluate(
            """(iso) => new Intl.DateTimeFormat('fr-FR', {timeZone: 'Europe/Paris',
                weekday: 'long', day: 'numeric', month: 'long', hour: '2-digit',
                minute: '2-digit'}).format(new Date(iso))""",
            new_start,
        )
        assert await manage.locator("#m-join").count() == 1
        assert await manage.locator("#m-reschedule").count() == 1
        assert await manage.locator("#m-cancel").count() == 1


def _manage_link(mail: Any) -> str:
    text = mail.get_body(("plain",)).get_content()
    return next(word for word in text.split() if "/manage/" in word).strip("<>()")


async def test_unknown_token_says_so(page: Page, site: Site) -> None:
    await page.goto(f"{site.url}/manage/not-a-real-token")
    error = page.locator("thotis-manage .state.error[role='alert']")
    await error.wait_for()
    assert "lien" in (await error.inner_text()).lower()
