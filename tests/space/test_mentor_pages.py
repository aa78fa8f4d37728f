"""The mentor space as a new mentor meets it, in chromium: onboarding in three steps that say
what skipping costs, the short French time-zone list, the bookings (upcoming first, cancelled
folded, the visitor's clock), the editors without empty rows; axe at 1280 and 375 px and no
horizontal scroll on a phone on every page."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from playwright.async_api import Page, expect

from tests.space.a11y import assert_fits_and_accessible
from tests.space.conftest import Space
from tests.space.flows import book, google_sign_in, mark_onboarded, new_mentor

pytestmark = pytest.mark.browser

# The room left in a time input once its longest value and the picker icon are drawn.
FREE_ROOM = """el => {
  const style = getComputedStyle(el);
  const probe = document.createElement('span');
  probe.textContent = '10:00 PM';
  probe.style.font = style.font;
  probe.style.position = 'absolute';
  document.body.append(probe);
  const text = probe.getBoundingClientRect().width;
  probe.remove();
  const inner = el.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
  return inner - text - 22;
}"""


async def test_a_new_mentor_goes_through_profile_hours_then_calendar_and_video(
    space: Space, page: Page
) -> None:
    email = "nina.onboard@example.fr"
    new_mentor(space, email, "Nina O.", hours=False)
    await google_sign_in(page, space, "mentor", email)

    # 1. Profile: what students see, and what an empty bio costs.
    await expect(page).to_have_url(re.compile(r"/mentor/onboarding/profile$"))
    steps = page.locator("ol.steps li")
    await expect(steps).to_have_count(3)
    await expect(steps.nth(0)).to_have_attribute("aria-current", "step")
    await expect(steps).to_contain_text(["Profil", "Horaires", "Agenda et visio"])
    await expect(page.locator("#meeting_url")).to_have_count(0)  # asked in step 3
    await assert_fits_and_accessible(page)
    await page.locator("#bio").fill("M1 de droit des affaires à Lille.")
    await page.get_by_role("button", name="Continuer").click()

    # 2. Hours: no hours yet, and the page says what that means.
    await expect(page).to_have_url(re.compile(r"/onboarding/hours$"))
    await expect(page.locator("#hours-consequence")).to_contain_text(
        "Sans horaires, aucun lycéen ne peut réserver"
    )
    # No empty rows: each day says it has no hours.
    await expect(page.locator("#hours-form [data-range]")).to_have_count(0)
    await expect(page.locator("#day-0 .none")).to_be_visible()
    # The time-zone list is short and French, and the filter narrows it.
    options = page.locator("#timezone option")
    count = await options.count()
    assert 30 <= count <= 100, count
    await expect(page.locator("#timezone option[value='Indian/Reunion']")).to_contain_text(
        "La Réunion"
    )
    await expect(page.locator("#timezone option[value='Europe/Brussels']")).to_contain_text(
        "Belgique — Bruxelles"
    )
    await assert_fits_and_accessible(page)
    await page.locator("#tz-filter").fill("reunion")
    await expect(page.locator("#timezone option:not([hidden])")).to_have_count(1)
    await expect(page.locator("#timezone")).to_have_value("Indian/Reunion")
    # Monday 18:00–21:00, added with « + Ajouter ».
    await page.locator("#day-0").get_by_role("button", name="+ Ajouter").click()
    row = page.locator("#day-0 [data-range]")
    await expect(row).to_have_count(1)
    await row.locator("input").nth(0).fill("18:00")
    await row.locator("input").nth(1).fill("21:00")
    await page.locator("#save-hours").click()

    # 3. Calendar and video: where calls happen without Google, and one's own link.
    await expect(page).to_have_url(re.compile(r"/onboarding/calendar$"))
    assert space.sql(
        "SELECT m.timezone, r.weekday, r.start_minute, r.end_minute FROM mentors m "
        "JOIN availability_rules r ON r.mentor_id = m.id WHERE m.email = %s",
        email,
    ) == [("Indian/Reunion", 0, 1080, 1260)]
    await expect(page.locator(".consequence")).to_contain_text("salle Jitsi")
    await expect(page.locator("#current-venue")).to_contain_text("dans une salle Jitsi")
    await assert_fits_and_accessible(page)
    await page.locator("#meeting_url").fill("http://zoom.example/j/1")
    await page.locator("#save-link").click()
    await expect(page.locator("#err-meeting_url")).to_contain_text("https://")
    await page.locator("#meeting_url").fill("https://zoom.example/j/42")
    await page.locator("#save-link").click()
    await expect(page.locator("#current-venue")).to_contain_text("sur votre lien")
    await page.locator("#finish").click()
    await expect(page).to_have_url(re.compile(r"/mentor/availability\?ok=welcome"))
    assert space.sql("SELECT meeting_url FROM mentors WHERE email = %s", email) == [
        ("https://zoom.example/j/42",)
    ]


async def test_every_timezone_is_offered_on_demand_and_saved_from_the_settings(
    space: Space, page: Page
) -> None:
    email = "omar.zones@example.fr"
    new_mentor(space, email, "Omar Z.")
    mark_onboarded(space, email)
    await google_sign_in(page, space, "mentor", email)
    await page.goto(f"{space.url}/mentor/settings")
    await page.locator("#all-zones").click()
    await expect(page).to_have_url(re.compile(r"zones=all"))
    assert await page.locator("#timezone option").count() > 300
    await page.locator("#tz-filter").fill("calcutta")
    await expect(page.locator("#timezone")).to_have_value("Asia/Kolkata")
    await (
        page.locator("#timezone")
        .locator("xpath=ancestor::form")
        .get_by_role("button", name="Enregistrer")
        .click()
    )
    await expect(page.get_by_text("Enregistré.")).to_be_visible()
    # Back on the short list, the current zone leads it.
    await expect(page.locator("#timezone optgroup").first).to_have_attribute(
        "label", "Votre fuseau actuel"
    )
    await expect(page.locator("#timezone")).to_have_value("Asia/Kolkata")
    await assert_fits_and_accessible(page)


async def test_bookings_list_upcoming_first_with_cancelled_ones_folded(
    space: Space, page: Page
) -> None:
    email = "paul.bookings@example.fr"
    new_mentor(space, email, "Paul B.")
    mark_onboarded(space, email)
    first = await book(space, email, "Alix", "Le droit, c'est beaucoup de par cœur ?")
    second = await book(space, email, "Jade", "Comment sont les TD ?", timezone="America/Toronto")
    third = await book(space, email, "Malo", "Et l'ambiance ?")
    async with space.api() as api:
        cancelled = await api.post(f"/v1/bookings/manage/{third['manage_token']}/cancel", json={})
    assert cancelled.status_code == 200, cancelled.text

    await google_sign_in(page, space, "mentor", email)
    upcoming = page.locator("#upcoming > li")
    await expect(upcoming).to_have_count(2)
    await expect(upcoming.nth(0)).to_have_id(f"b-{first['booking']['id']}")
    await expect(upcoming.nth(1)).to_have_id(f"b-{second['booking']['id']}")
    # Jade books from Toronto: her clock shows next to the mentor's.
    await expect(upcoming.nth(1).locator(".their-time")).to_contain_text("chez le visiteur")
    await expect(upcoming.nth(1).locator(".their-time")).to_contain_text("Toronto")
    await expect(upcoming.nth(0).locator(".their-time")).to_have_count(0)
    # The cancelled one is folded, greyed, and opens on demand.
    folded = page.locator("#upcoming-cancelled")
    await expect(folded.locator("summary")).to_contain_text("Rendez-vous annulés (1)")
    cancelled_item = page.locator(f"#b-{third['booking']['id']}")
    await expect(cancelled_item).to_be_hidden()
    await folded.locator("summary").click()
    await expect(cancelled_item).to_be_visible()
    await expect(cancelled_item).to_have_class(re.compile("is-cancelled"))
    await assert_fits_and_accessible(page)

    # The booking's page: the cancel form is behind its button, keyboard included.
    await upcoming.nth(1).get_by_role("link", name="Détails et actions").click()
    await expect(page.locator("#their-time")).to_contain_text("Toronto")
    await expect(page.locator("#reason")).to_be_hidden()
    await page.locator("#cancel-toggle").focus()
    await page.keyboard.press("Enter")
    await expect(page.locator("#reason")).to_be_visible()
    await assert_fits_and_accessible(page)


async def test_the_editors_have_no_empty_rows_and_show_dates_and_ranges_in_full(
    space: Space, page: Page
) -> None:
    email = "rita.editor@example.fr"
    new_mentor(space, email, "Rita E.")  # every day 08:00–22:00
    mark_onboarded(space, email)
    await google_sign_in(page, space, "mentor", email)
    await page.goto(f"{space.url}/mentor/availability")
    # One row per stored range, none more.
    await expect(page.locator("#weekly-form [data-range]")).to_have_count(7)
    monday = page.locator("#day-0")
    await monday.locator("[data-remove-range]").click()
    await expect(monday.locator("[data-range]")).to_have_count(0)
    await expect(monday.locator(".none")).to_be_visible()
    await page.locator("#save-weekly").click()
    await expect(page.get_by_text("Enregistré.")).to_be_visible()
    await expect(page.locator("#weekly-form [data-range]")).to_have_count(6)
    await assert_fits_and_accessible(page)

    # A special day, shown as a French date and in the month cell as a whole range.
    day = date.today() + timedelta(days=10)
    while day.weekday() == 0:
        day += timedelta(days=1)
    await page.goto(
        f"{space.url}/mentor/availability/overrides?month={day:%Y-%m}&day={day.isoformat()}"
    )
    rows = page.locator("#override-form [data-range]")
    await expect(rows).to_have_count(1)  # the weekday's own range, no empty row
    await rows.locator("input").nth(0).fill("18:00")
    await rows.locator("input").nth(1).fill("21:00")
    await (
        page.locator("#override-form")
        .get_by_role("button", name="Horaires spéciaux ce jour-là")
        .click()
    )
    await expect(page.get_by_text("Enregistré.")).to_be_visible()
    cell = page.locator(f".month a[data-day='{day.isoformat()}']")
    await expect(cell.locator(".h")).to_have_text("18:00–21:00")
    other = day + timedelta(days=1 if day.day < 28 else -1)
    if other.weekday() != 0:
        await expect(page.locator(f".month a[data-day='{other.isoformat()}'] .h")).to_have_text(
            "08:00–22:00"
        )
    months = ("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août",
              "septembre", "octobre", "novembre", "décembre")  # fmt: skip
    await expect(page.locator("#day-title")).to_contain_text(f"{day.day} {months[day.month - 1]}")
    await assert_fits_and_accessible(page)
    await page.goto(f"{space.url}/mentor/availability")
    special = page.locator("#special-days li").first
    await expect(special).to_contain_text(f"{day.day} {months[day.month - 1]} {day.year}")
    await expect(special).to_contain_text("18:00–21:00")
    assert day.isoformat() not in await special.inner_text()


async def test_the_nav_and_time_inputs_fit_a_phone(space: Space, page: Page) -> None:
    email = "sami.phone@example.fr"
    new_mentor(space, email, "Sami P.")
    mark_onboarded(space, email)
    await google_sign_in(page, space, "mentor", email)
    await page.set_viewport_size({"width": 375, "height": 740})
    for path in ("/mentor", "/mentor/availability", "/mentor/availability/overrides",
                 "/mentor/settings", "/mentor/calendar"):  # fmt: skip
        await page.goto(f"{space.url}{path}")
        width = await page.evaluate("document.documentElement.scrollWidth")
        assert width <= 375, f"{path} is {width}px wide"
        # Every nav link is whole inside the viewport (no link cut off or scrolled away).
        for link in await page.locator("header nav a").all():
            box = await link.bounding_box()
            assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 375, path
        # Every time input has room for its whole value, even on a 12-hour clock
        # (« 10:00 PM », measured in the input's own font) beside its picker icon.
        for field in await page.locator("input[type=time]:visible").all():
            room = await field.evaluate(FREE_ROOM)
            box = await field.bounding_box()
            assert room >= 0, f"{path}: a time input is {-room}px too narrow"
            assert box is not None and box["x"] + box["width"] <= 375, path
