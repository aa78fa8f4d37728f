"""Booker email verification in the widget, on a service where it is on (the default): the
code step takes the focus and is announced, a wrong code is said in the field, the right one
books, the screen passes axe at 375 px, and a returning visitor is not asked again."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.async_api import Browser, Page
from sqlalchemy.engine import URL

from tests.api.browser.conftest import Site
from tests.api.browser.flows import (
    confirmed,
    deep_focus,
    fill_form,
    open_demo,
    open_mentor,
    pick_slot,
    submit,
)
from tests.api.browser.test_accessibility import serious_violations
from tests.live import running_service

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def verifying(postgres_admin_url: URL, template_database: str) -> Iterator[Site]:
    with running_service(
        postgres_admin_url, template_database, "t_verify", booking_email_verification=True
    ) as live:
        yield Site(url=live.url.rstrip("/"), _received=live.messages)


def _code(site: Site, address: str) -> str:
    mails = [m for m in site.mail_to(address) if m["X-Thotis-Kind"] == "verification_code"]
    found = re.search(r"\b(\d{6})\b", str(mails[-1]["Subject"]))
    assert found is not None
    return found[1]


async def _live_text(page: Page) -> str:
    return str(await page.locator("thotis-dialog .sr-only[aria-live]").inner_text())


async def test_the_visitor_types_the_mailed_code_and_is_not_asked_again(
    browser: Browser, verifying: Site, axe_source: Path, visitor_email: str
) -> None:
    context = await browser.new_context(
        locale="fr-FR", timezone_id="Europe/Paris", viewport={"width": 375, "height": 800}
    )
    page = await context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    await open_demo(page, verifying.url)
    await open_mentor(page)
    await pick_slot(page)
    await fill_form(page, "Camille", visitor_email, "Et la première année ?")
    await submit(page)

    code_field = page.locator("thotis-dialog #f-code")
    await code_field.wait_for()
    focus = await deep_focus(page)
    assert focus["id"] == "f-code"
    await page.wait_for_function(
        "() => document.querySelector('thotis-dialog').shadowRoot"
        ".querySelector('.sr-only[aria-live]').textContent.includes('code à 6 chiffres')"
    )
    assert visitor_email in await _live_text(page)
    assert await serious_violations(page, axe_source) == []

    await verifying.wait_for_mail(visitor_email)
    code = _code(verifying, visitor_email)
    wrong = "000000" if code != "000000" else "111111"
    await page.keyboard.type(wrong)
    await page.keyboard.press("Enter")
    error = page.locator("thotis-dialog #f-code-err")
    await error.wait_for()
    assert "Essais restants : 4" in await error.inner_text()
    assert await code_field.get_attribute("aria-invalid") == "true"
    assert (await deep_focus(page))["id"] == "f-code"
    assert await serious_violations(page, axe_source) == []

    await page.keyboard.type(code)  # the field's text was selected: typing replaces it
    await page.keyboard.press("Enter")
    await confirmed(page)
    assert (await deep_focus(page))["id"] == "done-title"

    # A second booking from the same browser and address: straight to the confirmation.
    await page.keyboard.press("Escape")
    await open_mentor(page, index=1)
    await pick_slot(page)
    await fill_form(page, "Camille", visitor_email)
    await submit(page)
    await confirmed(page)
    codes = [
        m for m in verifying.mail_to(visitor_email) if m["X-Thotis-Kind"] == "verification_code"
    ]
    assert len(codes) == 1
    await context.close()
    assert errors == []
