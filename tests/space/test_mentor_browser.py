"""The mentor space and the staff console in Debian's chromium, against the real app, real
PostgreSQL, real SMTP (aiosmtpd) and the real Google client libraries talking to the fake Google.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from playwright.async_api import BrowserContext, Page, expect

from tests.space.a11y import assert_accessible
from tests.space.conftest import STAFF_EMAIL, Space
from tests.space.flows import book, google_sign_in, mark_onboarded

pytestmark = pytest.mark.browser

PARIS = ZoneInfo("Europe/Paris")
CAMILLE = "camille.laurent@demo.thotis.fr"
HUGO = "hugo.moreau@demo.thotis.fr"


async def shoot(page: Page, artifacts: Path, name: str) -> None:
    """The page at a desktop width and at a phone's (375 px), checked by axe-core at both."""
    await page.set_viewport_size({"width": 1280, "height": 900})
    await assert_accessible(page)
    await page.screenshot(path=str(artifacts / f"{name}-1280.png"), full_page=True)
    await page.set_viewport_size({"width": 375, "height": 740})
    await page.screenshot(path=str(artifacts / f"{name}-375.png"), full_page=True)
    # Nothing wider than the phone: the page scrolls vertically only.
    width = await page.evaluate("document.documentElement.scrollWidth")
    assert width <= 375, f"{name} is {width}px wide on a phone"
    await assert_accessible(page)
    await page.set_viewport_size({"width": 1280, "height": 900})


async def test_mentor_onboards_edits_hours_and_visitors_see_the_new_slots(
    space: Space, page: Page, artifacts: Path
) -> None:
    space.google.add_account(CAMILLE)
    await google_sign_in(page, space, "mentor", CAMILLE)

    # Step 1: profile.
    await expect(page).to_have_url(re.compile(r"/mentor/onboarding/profile$"))
    await page.locator("#bio").fill("")
    await page.get_by_role("button", name="Continuer").click()
    await expect(page).to_have_url(re.compile(r"/onboarding/hours$"))  # an empty bio is allowed
    await page.get_by_role("link", name="Retour").click()
    await expect(page).to_have_url(re.compile(r"/onboarding/profile$"))
    await page.locator("#bio").fill("L3 de droit à Paris Cité. Parlons méthodologie et partiels !")
    await page.locator("label.check", has_text="Anglais").locator("input").check()
    await shoot(page, artifacts, "onboarding-profile")
    await page.get_by_role("button", name="Continuer").click()
    await expect(page).to_have_url(re.compile(r"/onboarding/hours$"))
    await assert_accessible(page)

    # Step 2: hours, in the time zone the browser's (Europe/Paris) is preselected.
    await expect(page.locator("#timezone")).to_have_value("Europe/Paris")
    await page.get_by_role("button", name="Enregistrer et continuer").click()
    await expect(page).to_have_url(re.compile(r"/onboarding/calendar$"))

    # Step 3: Google Calendar through the fake Google, then the calendars.
    await page.locator("#connect-google").click()
    await expect(page.get_by_text("Google Agenda est connecté.")).to_be_visible()
    await page.get_by_role("button", name="Enregistrer ces agendas").click()
    await expect(page).to_have_url(re.compile(r"/onboarding/calendar\?google=saved$"))
    await assert_accessible(page)
    await page.locator("#finish").click()
    await expect(page).to_have_url(re.compile(r"/mentor/availability"))
    assert space.sql("SELECT bio, languages FROM mentors WHERE email = %s", CAMILLE) == [
        ("L3 de droit à Paris Cité. Parlons méthodologie et partiels !", ["fr", "en"])
    ]

    # Hours: a new range two days from now at 07:00, a time no demo rule covers.
    day = (datetime.now(PARIS) + timedelta(days=2)).date()
    start = datetime(day.year, day.month, day.day, 7, 0, tzinfo=PARIS).astimezone(UTC)
    iso = start.isoformat()
    preview_slot = page.locator(f"#preview li[data-start='{iso}']")
    await expect(preview_slot).to_have_count(0)
    weekday = page.locator(f"#day-{day.weekday()}")
    await weekday.get_by_role("button", name="+ Ajouter").click()
    rows = weekday.locator("[data-range]")
    last = rows.last
    await last.locator("input").nth(0).fill("07:00")
    await last.locator("input").nth(1).fill("08:00")
    await page.locator("#save-weekly").click()
    await expect(page.get_by_text("Enregistré.")).to_be_visible()
    await expect(preview_slot).to_have_count(1)
    await expect(
        page.locator(f"#preview li[data-start='{(start + timedelta(minutes=45)).isoformat()}']")
    ).to_have_count(1)

    # An invalid range is refused inline, in French, and nothing is stored.
    await weekday.get_by_role("button", name="+ Ajouter").click()
    await weekday.locator("[data-range]").last.locator("input").nth(0).fill("12:00")
    await weekday.locator("[data-range]").last.locator("input").nth(1).fill("11:00")
    await page.locator("#save-weekly").click()
    await expect(page.locator(f"#err-day-{day.weekday()}")).to_contain_text("après son début")
    assert space.sql(
        "SELECT count(*) FROM availability_rules r JOIN mentors m ON m.id = r.mentor_id "
        "WHERE m.email = %s AND r.weekday = %s AND r.start_minute = 720",
        CAMILLE,
        day.weekday(),
    ) == [(0,)]
    await page.goto(f"{space.url}/mentor/availability")
    await shoot(page, artifacts, "availability")

    # The widget on the demo page offers the new slot.
    await page.goto(f"{space.url}/demo")
    card = page.locator("thotis-mentor-list[filiere='droit'] .card", has_text="Camille Laurent")
    await card.locator("button").first.click()
    await page.locator("thotis-dialog .slot").first.wait_for()
    day_button = page.locator(f"thotis-dialog .day[data-date='{day.isoformat()}']")
    if not await day_button.count():
        await page.locator("thotis-dialog [data-nav='next']").click()
    await day_button.click()
    await expect(
        page.locator(
            f"thotis-dialog .slot[data-start='{iso.replace('+00:00', 'Z')}'], thotis-dialog .slot[data-start='{iso}']"
        )
    ).to_have_count(1)


async def test_mentor_cancels_a_booking_and_the_visitor_is_told(
    space: Space, page: Page, artifacts: Path
) -> None:
    mark_onboarded(space, HUGO)
    made = await book(space, HUGO, "Léonie", "Comment se passent les partiels de L1 ?")
    booking_id = made["booking"]["id"]
    await google_sign_in(page, space, "mentor", HUGO)
    item = page.locator(f"#b-{booking_id}")
    await expect(item.locator(".visitor")).to_have_text("Léonie")
    await expect(item.locator(".q")).to_contain_text("partiels de L1")
    await shoot(page, artifacts, "bookings")

    await item.get_by_role("link", name="Détails et actions").click()
    await assert_accessible(page)
    # The cancel form is folded behind its button.
    await expect(page.locator("#reason")).to_be_hidden()
    await page.locator("#cancel-toggle").click()
    await page.locator("#reason").fill("Désolé, j'ai un partiel déplacé ce jour-là.")
    await page.locator("#confirm-cancel").click()
    await expect(page.get_by_text("Le rendez-vous est annulé")).to_be_visible()
    # Cancelled bookings are folded away under the upcoming ones.
    await expect(page.locator(f"#b-{booking_id} .badge.cancelled")).to_be_hidden()
    await page.locator("#upcoming-cancelled > summary").click()
    await expect(page.locator(f"#b-{booking_id} .badge.cancelled")).to_be_visible()

    mail = await space.wait_for_mail(made["visitor_email"], kind="cancelled")
    text = mail.get_body(preferencelist=("plain",)).get_content()  # type: ignore[union-attr]
    assert "partiel déplacé" in text


async def test_staff_invites_a_mentor_who_signs_in_with_the_emailed_link(
    space: Space, page: Page, context: BrowserContext, artifacts: Path
) -> None:
    await google_sign_in(page, space, "staff", STAFF_EMAIL)
    await expect(page.locator("#mentors")).to_be_visible()
    await page.locator("#invite-display_name").fill("Zoé M.")
    await page.locator("#invite-email").fill("Zoe.Martin@Example.ORG")
    await page.locator("#invite-university").fill("Université de Strasbourg")
    await page.locator("#invite-form label.check", has_text="Psychologie").locator("input").check()
    await page.locator("#invite-form button[type=submit]").click()
    await expect(page.get_by_text("Invitation envoyée.")).to_be_visible()
    row = page.locator("#mentors tr[data-email='zoe.martin@example.org']")
    await expect(row).to_contain_text("masqué")
    await shoot(page, artifacts, "staff-mentors")
    await page.goto(f"{space.url}/staff/stats")
    await page.locator("#chart-utilisation").wait_for()
    await shoot(page, artifacts, "staff-stats")

    mail = await space.wait_for_mail("zoe.martin@example.org", kind="invitation")
    assert mail["Subject"].startswith("Votre espace mentor Thotis")
    text = mail.get_body(preferencelist=("plain",)).get_content()  # type: ignore[union-attr]
    link = re.search(r"http://\S+/mentor/sign-in/link/\S+", text)
    assert link is not None

    # The invited mentor, in another browser (no staff cookie), uses the link once.
    guest = await context.browser.new_context(locale="fr-FR")  # type: ignore[union-attr]
    try:
        mentor_page = await guest.new_page()
        await mentor_page.goto(link.group(0))
        await mentor_page.locator("#use-link").click()
        await expect(mentor_page).to_have_url(re.compile(r"/mentor/onboarding/profile$"))
        await expect(mentor_page.locator("#display_name")).to_have_value("Zoé M.")
        # The staff pages stay closed to a mentor.
        await mentor_page.goto(f"{space.url}/staff")
        await expect(mentor_page).to_have_url(re.compile(r"/staff/sign-in"))
        # A used link does not sign in again.
        await mentor_page.goto(link.group(0))
        await mentor_page.locator("#use-link").click()
        await expect(mentor_page.get_by_role("alert")).to_contain_text("n'est plus valable")
    finally:
        await guest.close()


async def test_an_expired_session_goes_back_to_sign_in(
    space: Space, page: Page, artifacts: Path
) -> None:
    mark_onboarded(space, CAMILLE)
    await google_sign_in(page, space, "mentor", CAMILLE)
    await page.goto(f"{space.url}/mentor/settings")
    await expect(page.locator("#profile-title")).to_be_visible()
    await shoot(page, artifacts, "settings")
    space.sql(
        "UPDATE web_sessions SET expires_at = now() - interval '1 minute' WHERE mentor_id = "
        "(SELECT id FROM mentors WHERE email = %s)",
        CAMILLE,
    )
    await page.get_by_role("link", name="Disponibilités").click()
    await expect(page).to_have_url(re.compile(r"/mentor/sign-in\?next=/mentor/availability"))
    await shoot(page, artifacts, "sign-in")
    await expect(page.get_by_role("alert")).to_contain_text("Votre session a expiré")
