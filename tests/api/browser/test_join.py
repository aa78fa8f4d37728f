"""The visitor's join link in a real chromium: booked through the widget with a mentor without
Google, the link waits with a countdown, then lands on the Jitsi room when the call opens.

The service runs on its own clock (``running_service(clock=...)``) so the test can be "15
minutes before" without waiting; Playwright's ``route`` answers for the Jitsi server, so no
request leaves the machine.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from playwright.async_api import Browser, Page, Route
from sqlalchemy.engine import URL

from scheduler.booking import jitsi_url, read_join_token
from scheduler.platform import SecretsSettings
from testkit.factories import Clock
from tests.api.browser.flows import confirmed, fill_form, open_demo, open_mentor, pick_slot, submit
from tests.api.browser.test_accessibility import serious_violations
from tests.live import LiveServer, running_service

pytestmark = pytest.mark.browser

JITSI = "https://meet.jit.si"


@pytest.fixture(scope="module")
def clock() -> Clock:
    return Clock(datetime.now(UTC))


@pytest.fixture(scope="module")
def service(postgres_admin_url: URL, template_database: str, clock: Clock) -> Iterator[LiveServer]:
    with running_service(postgres_admin_url, template_database, "t_join", clock=clock) as live:
        yield live


async def test_the_join_link_waits_then_opens_the_jitsi_room(
    browser: Browser, service: LiveServer, clock: Clock, axe_source: Path, visitor_email: str
) -> None:
    # 375 px wide: the page a visitor opens from the mail on a phone.
    context = await browser.new_context(
        locale="fr-FR", timezone_id="Europe/Paris", viewport={"width": 375, "height": 800}
    )
    page: Page = await context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    jitsi_requests: list[str] = []

    async def jitsi(route: Route) -> None:
        jitsi_requests.append(route.request.url)
        await route.fulfill(
            status=200,
            content_type="text/html",
            body='<!doctype html><html lang="fr"><title>Jitsi</title><h1>Salle</h1></html>',
        )

    redirects: list[tuple[int, str]] = []

    async def join_link(route: Route) -> None:
        # Chromium follows a redirect inside its network stack, where Playwright's routes
        # cannot answer it (microsoft/playwright#3993): the test takes the service's real
        # answer, records the 303, and sends the browser on with a navigation of its own,
        # which the Jitsi route answers. Every other answer reaches the page as it is.
        response = await route.fetch(max_redirects=0)
        location = response.headers.get("location", "")
        if response.status in (301, 302, 303, 307, 308):
            redirects.append((response.status, location))
            body = f'<!doctype html><meta http-equiv="refresh" content="0;url={location}">'
            await route.fulfill(status=200, content_type="text/html", body=body)
        else:
            await route.fulfill(response=response)

    await context.route(f"{JITSI}/**", jitsi)
    await context.route(f"{service.url}/join/**", join_link)

    await open_demo(page, service.url)
    await open_mentor(page)
    start = datetime.fromisoformat(await pick_slot(page))
    await fill_form(page, "Camille", visitor_email, "Comment se passe la première année ?")
    await submit(page)
    await confirmed(page)
    join = page.locator("thotis-dialog #done-join")
    join_url = await join.get_attribute("href")
    assert join_url and join_url.startswith(f"{service.url}/join/")
    assert (await join.inner_text()).startswith(join_url)

    series, party = read_join_token(SecretsSettings().secret_key, join_url.rsplit("/", 1)[1])
    assert party == "visitor"
    room = jitsi_url(JITSI, SecretsSettings().secret_key, series)

    # Long before: the waiting page, French, with the countdown and the safety note.
    await page.goto(join_url)
    assert await page.get_attribute("html", "lang") == "fr"
    await page.locator("#countdown").wait_for()
    assert "ouvre l’appel et te fera entrer" in await page.content()
    assert await page.evaluate("document.documentElement.scrollWidth") <= 375
    # The page's CSP (one nonce for its countdown) would block axe's injected script.
    audit = await browser.new_context(
        locale="fr-FR", viewport={"width": 375, "height": 800}, bypass_csp=True
    )
    audited = await audit.new_page()
    await audited.goto(join_url)
    assert await serious_violations(audited, axe_source) == []
    await audit.close()

    # Three seconds before the opening: the countdown reloads the page by itself, and by then
    # the call is open: the link lands on the series' Jitsi room.
    clock.now = start - timedelta(minutes=15, seconds=3)
    await page.goto(join_url)
    await page.locator("#countdown").wait_for()
    clock.now = start - timedelta(minutes=10)
    await page.wait_for_url(room, timeout=20_000)
    assert redirects == [(303, room)]
    assert jitsi_requests == [room]

    # Opened again during the call: straight to the same room.
    clock.now = start + timedelta(minutes=5)
    await page.goto(join_url)
    await page.wait_for_url(room)
    assert redirects[-1] == (303, room)
    assert errors == []
    await context.close()
