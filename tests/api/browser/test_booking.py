"""Booking from the demo page as a visitor does it, in a real chromium against the real app."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from playwright.async_api import Page, Request, Route, expect

from tests.api.browser.conftest import Site
from tests.api.browser.flows import (
    DIALOG,
    card_button,
    confirmed,
    deep_focus,
    fill_booking,
    free_starts,
    host_events,
    open_demo,
    open_mentor,
    pick_slot,
    submit,
    utc,
)

pytestmark = pytest.mark.browser


async def test_book_end_to_end_from_the_demo_page(
    page: Page, site: Site, visitor_email: str
) -> None:
    start = await fill_booking(
        page, site.url, "Camille", visitor_email, "Comment se passe la première année ?"
    )
    async with page.expect_request("**/v1/bookings") as sent:
        await submit(page)
    # The filière page it was opened from goes with the booking.
    assert (await sent.value).post_data_json["filiere"] == "droit"
    await confirmed(page)

    booked = await host_events(page, "booked")
    assert len(booked) == 1
    assert utc(booked[0]["start"]) == utc(start)
    mentor_id = booked[0]["mentorId"]
    assert booked[0]["bookingId"]
    assert [e["start"] for e in await host_events(page, "slot-selected")] == [start]
    done = page.locator("thotis-dialog .done")
    assert await done.locator("a[target='_blank'][href*='/manage/']").count() == 1
    assert (await done.locator("a[href$='invite.ics']").count()) == 1
    assert visitor_email in await done.inner_text()

    # The slot is gone for everyone: in the API and in the widget opened again.
    async with site.api() as client:
        assert utc(start) not in await free_starts(client, mentor_id)
    await page.keyboard.press("Escape")
    await page.locator(DIALOG).wait_for(state="hidden")
    assert (await host_events(page, "closed"))[-1] == {"mentorId": mentor_id, "booked": True}
    await open_mentor(page)
    day = page.locator(f"thotis-dialog .day[data-date='{start_local_date(start)}']")
    if await day.count() and await day.is_enabled():
        await day.click()
    assert await page.locator(f"thotis-dialog .slot[data-start='{start}']").count() == 0

    mail = await site.wait_for_mail(visitor_email)
    assert "Camille" in mail.get_body(("plain", "html")).get_content()  # type: ignore[union-attr]
    # Booked from the Droit page: the booking is kept in Droit (not "Sans filière").
    assert "(Droit)" in str(mail["Subject"])


def start_local_date(start: str) -> str:
    from datetime import datetime
    from zoneinfo import ZoneInfo

    return datetime.fromisoformat(start).astimezone(ZoneInfo("Europe/Paris")).date().isoformat()


async def test_keyboard_only_booking(page: Page, site: Site, visitor_email: str) -> None:
    await open_demo(page, site.url)
    opener = card_button(page)
    opener_text = (await opener.inner_text()).strip()
    await opener.focus()
    await page.keyboard.press("Enter")
    await page.locator("thotis-dialog .slot").first.wait_for()
    await expect_focus(page, lambda f: f["cls"].startswith("day"))

    # Arrows move between days (selecting them), Tab reaches the slots, arrows move, Enter picks.
    await page.keyboard.press("End")
    focused = await expect_focus(page, lambda f: f["cls"].startswith("day"))
    assert (
        await page.locator(f"thotis-dialog .day[data-date='{focused['date']}']").get_attribute(
            "aria-pressed"
        )
        == "true"
    )
    await page.keyboard.press("Tab")
    first_slot = await expect_focus(page, lambda f: f["cls"] == "slot")
    slots = page.locator("thotis-dialog .slot")
    if await slots.count() > 1:
        await page.keyboard.press("ArrowRight")
        chosen = await expect_focus(page, lambda f: f["start"] != first_slot["start"])
    else:
        chosen = first_slot
    await page.keyboard.press("Enter")
    await expect_focus(page, lambda f: f["id"] == "f-first_name")

    await page.keyboard.type("Noé")
    await page.keyboard.press("Tab")
    await page.keyboard.type(visitor_email)
    await page.keyboard.press("Tab")  # question (optional)
    await page.keyboard.press("Tab")
    await expect_focus(page, lambda f: f["id"] == "f-age")
    await page.keyboard.press("Space")  # 15 or older
    await page.keyboard.press("Tab")
    await expect_focus(page, lambda f: f["id"] == "f-consent")
    await page.keyboard.press("Space")
    await page.keyboard.press("Tab")  # the privacy link
    await page.keyboard.press("Tab")
    await expect_focus(page, lambda f: f["id"] == "submit")
    await page.keyboard.press("Enter")
    await confirmed(page)
    await expect_focus(page, lambda f: f["id"] == "done-title")
    booked = await host_events(page, "booked")
    assert utc(booked[0]["start"]) == utc(chosen["start"])

    # Escape closes and gives focus back to the button that opened the dialog.
    await page.keyboard.press("Escape")
    await page.locator(DIALOG).wait_for(state="hidden")
    await expect_focus(page, lambda f: f["text"] == opener_text)


async def test_focus_stays_in_the_dialog(page: Page, site: Site) -> None:
    await open_demo(page, site.url)
    await open_mentor(page)
    dialog = page.locator(DIALOG)
    assert await dialog.get_attribute("aria-modal") == "true"
    title = await page.locator("thotis-dialog #dlg-title").inner_text()
    assert await dialog.get_attribute("aria-labelledby") == "dlg-title" and title
    for key in ["Tab"] * 12 + ["Shift+Tab"] * 12:
        await page.keyboard.press(key)
        assert (await deep_focus(page))["inDialog"], f"focus left the dialog after {key}"


async def test_slot_taken_between_view_and_submit(
    page: Page, site: Site, visitor_email: str
) -> None:
    start = await fill_booking(page, site.url, "Léna", visitor_email)
    mentor_id = (await host_events(page, "slot-selected"))[0]["mentorId"]

    # Someone else books the same slot through the API behind the widget's back.
    async with site.api() as client:
        other = await client.post(
            "/v1/bookings",
            json={
                "mentor_id": mentor_id,
                "start": start,
                "first_name": "Autre",
                "email": f"autre-{visitor_email}",
                "question": None,
                "consent": True,
                "timezone": "Europe/Paris",
                "language": "fr",
            },
        )
    assert other.status_code == 201, other.text

    await submit(page)
    notice = page.locator("thotis-dialog .banner.warn[role='alert']")
    await notice.wait_for()
    assert "vient d’être réservé" in await notice.inner_text()
    await page.locator("thotis-dialog .slot").first.wait_for()
    assert await page.locator(f"thotis-dialog .slot[data-start='{start}']").count() == 0
    assert (await host_events(page, "error"))[-1]["code"] == "slot_taken"

    # What the visitor typed is still there for the next slot.
    await pick_slot(page)
    assert await page.locator("thotis-dialog #f-first_name").input_value() == "Léna"
    assert await page.locator("thotis-dialog #f-email").input_value() == visitor_email
    assert await page.locator("thotis-dialog #f-consent").is_checked()
    await submit(page)
    await confirmed(page)


async def test_network_failure_keeps_the_form_and_retries_with_the_same_key(
    page: Page, site: Site, visitor_email: str
) -> None:
    await fill_booking(
        page, site.url, "Sacha", visitor_email, "Y a-t-il des partiels en décembre ?"
    )

    keys: list[str | None] = []

    async def flaky(route: Route, request: Request) -> None:
        keys.append(await request.header_value("idempotency-key"))
        if len(keys) == 1:
            await route.abort("internetdisconnected")
        else:
            await route.continue_()

    await page.route("**/v1/bookings", flaky)
    await submit(page)
    banner = page.locator("thotis-dialog #form-banner")
    await banner.wait_for()
    assert "Connexion impossible" in await banner.inner_text()
    assert await page.locator("thotis-dialog #f-first_name").input_value() == "Sacha"
    assert await page.locator("thotis-dialog #f-question").input_value() == (
        "Y a-t-il des partiels en décembre ?"
    )
    assert await page.locator("thotis-dialog #submit").is_enabled()

    await banner.get_by_role("button").click()
    await confirmed(page)
    assert len(keys) == 2 and keys[0] and keys[0] == keys[1]


async def test_a_database_outage_keeps_the_form_and_says_to_retry(
    page: Page, site: Site, visitor_email: str
) -> None:
    await fill_booking(page, site.url, "Sacha", visitor_email)
    attempts: list[str] = []

    async def restarting(route: Route, request: Request) -> None:
        # The API's own answer while PostgreSQL restarts (tests/api/test_database_outage.py).
        attempts.append(request.url)
        if len(attempts) == 1:
            await route.fulfill(
                status=503,
                headers={"Retry-After": "5"},
                content_type="application/problem+json",
                json={
                    "type": "https://thotis.fr/problems/database-unavailable",
                    "title": "Service momentanément indisponible : nouvel essai possible dans un instant",
                    "status": 503,
                    "detail": "the database does not answer",
                    "code": "database_unavailable",
                },
            )
        else:
            await route.continue_()

    await page.route("**/v1/bookings", restarting)
    await submit(page)
    banner = page.locator("thotis-dialog #form-banner")
    await expect(banner).to_contain_text("Le service est momentanément indisponible")
    assert await page.locator("thotis-dialog #f-first_name").input_value() == "Sacha"
    await banner.get_by_role("button").click()
    await confirmed(page)
    assert len(attempts) == 2


async def test_double_submit_sends_one_booking(page: Page, site: Site, visitor_email: str) -> None:
    await fill_booking(page, site.url, "Maël", visitor_email)

    posts: list[str] = []
    release = asyncio.Event()

    async def held(route: Route, request: Request) -> None:
        posts.append(request.method)
        await release.wait()
        await route.continue_()

    await page.route("**/v1/bookings", held)
    # A click, then two more submissions while the first one is in flight.
    await page.locator("thotis-dialog #submit").evaluate(
        "b => { b.click(); b.form.requestSubmit(); b.click(); }"
    )
    assert await page.locator("thotis-dialog #submit").is_disabled()
    release.set()
    await confirmed(page)
    assert posts == ["POST"]
    assert len(await host_events(page, "booked")) == 1


async def test_open_by_button_element_and_by_script(page: Page, site: Site) -> None:
    await open_demo(page, site.url)
    await page.get_by_role("tab", name="Médecine").click()
    featured = page.locator("#featured[data-thotis-mentor]")
    await featured.wait_for()
    mentor_id = await featured.get_attribute("data-thotis-mentor")
    await featured.click()
    title = page.locator("thotis-dialog #dlg-title")
    name = (await featured.text_content() or "").removeprefix("Parler avec ").strip()
    await page.wait_for_function(
        "n => document.querySelector('thotis-dialog').shadowRoot"
        ".querySelector('#dlg-title').textContent.includes(n)",
        arg=name,
    )
    assert name in await title.inner_text()
    await page.locator("thotis-dialog .close").click()
    await page.locator(DIALOG).wait_for(state="hidden")
    assert (await deep_focus(page))["id"] == "featured"

    await page.evaluate("id => Thotis.open({ mentorId: id })", mentor_id)
    await page.locator("thotis-dialog .slot").first.wait_for()
    # Opened again while open: the popup is replaced, stays open, and says "closed" only once.
    closed_before = len(await host_events(page, "closed"))
    await page.evaluate("id => Thotis.open({ mentorId: id, lang: 'en' })", mentor_id)
    # Waits for the replacing popup: the slots of the one it replaces are still there at first.
    await expect(title).to_contain_text("15-minute call with")
    await page.locator("thotis-dialog .slot").first.wait_for()
    await page.locator("thotis-dialog .day[aria-pressed='true']").click()
    assert await page.locator(DIALOG).is_visible()
    assert len(await host_events(page, "closed")) == closed_before
    opened: list[Any] = await host_events(page, "open")
    assert [e["mentorId"] for e in opened] == [mentor_id, mentor_id, mentor_id]
    await page.keyboard.press("Escape")
    await page.locator(DIALOG).wait_for(state="hidden")

    # <thotis-booking mentor-id="…">: a button of the widget's own, labelled by its content.
    await page.evaluate(
        """id => {
      const el = document.createElement('thotis-booking');
      el.setAttribute('mentor-id', id);
      el.textContent = 'Réserver un échange';
      document.querySelector('#panel-medecine').append(el);
    }""",
        mentor_id,
    )
    own = page.locator("thotis-booking").get_by_role("button", name="Réserver un échange")
    await own.click()
    await expect(page.locator(DIALOG)).to_be_visible()
    await expect(title).to_contain_text(name)
    assert [e["mentorId"] for e in await host_events(page, "open")][-1] == mentor_id


async def test_visitor_timezone_can_be_changed(page: Page, site: Site) -> None:
    from datetime import datetime
    from zoneinfo import ZoneInfo

    await open_demo(page, site.url)
    await open_mentor(page)
    first = page.locator("thotis-dialog .slot").first
    start = await first.get_attribute("data-start")
    assert start
    paris = datetime.fromisoformat(start).astimezone(ZoneInfo("Europe/Paris")).strftime("%H:%M")
    assert (await first.inner_text()).strip() == paris

    # The zones are named in French (CLDR's cities), not by their English IANA names.
    options = await page.locator("thotis-dialog #cal-tz option").all_inner_texts()
    assert any(o.startswith("Bruxelles (") for o in options)
    assert any(o.startswith("La Réunion (") for o in options)
    assert not any(o.startswith(("Brussels", "Reunion")) for o in options)

    await page.locator("thotis-dialog #cal-tz").select_option("America/New_York")
    await page.locator("thotis-dialog .slot").first.wait_for()
    new_york = datetime.fromisoformat(start).astimezone(ZoneInfo("America/New_York"))
    day = page.locator(f"thotis-dialog .day[data-date='{new_york.date().isoformat()}']")
    if await day.get_attribute("aria-pressed") != "true":
        await day.click()
    # The same instant, now labelled in New York time (the API may spell it with any offset).
    labels = await page.locator("thotis-dialog .slot").evaluate_all(
        "els => els.map(el => [el.dataset.start, el.textContent.trim()])"
    )
    assert [label for at, label in labels if utc(at) == utc(start)] == [new_york.strftime("%H:%M")]


async def test_english_by_attribute(page: Page, site: Site) -> None:
    await open_demo(page, site.url, "?lang=en")
    button = card_button(page)
    assert (await button.inner_text()).startswith("Talk with ")
    await open_mentor(page)
    assert "15-minute call with" in await page.locator("thotis-dialog #dlg-title").inner_text()
    await pick_slot(page)
    await submit(page)
    assert await page.locator("thotis-dialog #f-first_name-err").inner_text() == (
        "Enter your first name."
    )
    await expect_focus(page, lambda f: f["id"] == "f-first_name")


async def test_mentor_list_error_state_retries(page: Page, site: Site) -> None:
    failing = True

    async def maybe_fail(route: Route) -> None:
        if failing:
            await route.abort("connectionrefused")
        else:
            await route.continue_()

    await page.route("**/v1/filieres/droit/mentors*", maybe_fail)
    await page.goto(f"{site.url}/demo")
    error = page.locator("thotis-mentor-list[filiere='droit'] .state.error")
    await error.wait_for()
    failing = False
    await error.get_by_role("button", name="Réessayer").click()
    await page.locator("thotis-mentor-list[filiere='droit'] .card").first.wait_for()


async def test_mentor_list_empty_state(page: Page, site: Site) -> None:
    # A filière with nobody yet; the API's answer is stood in for at the browser's network layer.
    async def nobody(route: Route) -> None:
        body = {"filiere": {"slug": "droit", "name_fr": "Droit", "name_en": "Law"}, "mentors": []}
        await route.fulfill(json=body)

    await page.route("**/v1/filieres/droit/mentors*", nobody)
    await page.goto(f"{site.url}/demo")
    empty = page.locator("thotis-mentor-list[filiere='droit'] .state.empty")
    await empty.wait_for()
    assert "Aucun mentor" in await empty.inner_text()
    assert await page.locator("thotis-mentor-list[filiere='droit'] .card").count() == 0


async def expect_focus(page: Page, check: Any, attempts: int = 50) -> dict[str, Any]:
    """Waits (bounded) until the focused element satisfies ``check``; returns it."""
    focused: dict[str, Any] = {}
    for _ in range(attempts):
        focused = await deep_focus(page)
        if focused and check(focused):
            return focused
        await asyncio.sleep(0.05)
    raise AssertionError(f"unexpected focus: {focused}")


async def test_the_form_uses_the_apis_limits_and_shows_its_refusals_in_french(
    page: Page, site: Site, visitor_email: str
) -> None:
    from api.schemas import FIELD_LIMITS

    await fill_booking(page, site.url, "Camille", visitor_email)
    first_name = page.locator("thotis-dialog #f-first_name")
    assert await first_name.get_attribute("maxlength") == str(FIELD_LIMITS["first_name"])
    assert await page.locator("thotis-dialog #f-question").get_attribute("maxlength") == str(
        FIELD_LIMITS["question"]
    )

    async def too_long(route: Route, request: Request) -> None:
        # What an older form (maxlength 80) sent: the real API's refusal reaches the widget.
        body = request.post_data_json | {"first_name": "C" * (FIELD_LIMITS["first_name"] + 1)}
        response = await route.fetch(post_data=body)
        assert response.status == 422
        await route.fulfill(response=response)

    await page.route("**/v1/bookings", too_long)
    await submit(page)
    error = page.locator("thotis-dialog #f-first_name-err")
    await expect(error).to_have_text(
        f"Ton prénom doit faire {FIELD_LIMITS['first_name']} caractères au plus."
    )
    dialog_text = await page.locator(DIALOG).inner_text()
    assert "Expected" not in dialog_text and "length" not in dialog_text
