"""The console's « Webhooks » page in chromium: register the Thotis site's receiver (a real
HTTP server on loopback), press « Envoyer un test », and see it in the delivery log — signed
with the secret the page shows, checked by the Standard Webhooks reference library."""

from __future__ import annotations

import asyncio
import re
from pathlib import Path

import pytest
from playwright.async_api import Page, expect
from standardwebhooks import Webhook

from testkit.webhook_receiver import webhook_receiver
from tests.space.conftest import STAFF_DOMAIN, Space
from tests.space.test_staff_console import link_in, shoot, wait_for_new_link

# Its own member of staff: sign-in links are limited per address, and other tests ask for
# links for STAFF_EMAIL on the same service.
STAFF_EMAIL = f"webhooks@{STAFF_DOMAIN}"


@pytest.mark.browser
async def test_staff_register_an_endpoint_send_a_test_and_read_the_log(
    console: Space, page: Page, artifacts: Path
) -> None:
    await page.goto(f"{console.url}/staff/sign-in")
    before = len(link_in(console, STAFF_EMAIL))
    await page.get_by_label("Recevoir un lien de connexion par email").fill(STAFF_EMAIL)
    await page.get_by_role("button", name="M'envoyer un lien").click()
    link = await wait_for_new_link(console, STAFF_EMAIL, before)
    await page.goto(link)
    await page.get_by_role("button", name="Me connecter").click()

    with webhook_receiver() as receiver:
        await page.get_by_role("link", name="Webhooks").click()
        await page.get_by_label("Adresse (https)").fill(receiver.url)
        await page.get_by_label("Description").fill("Site Thotis (essai)")
        await page.get_by_role("button", name="Créer").click()
        await expect(page).to_have_url(re.compile(r"/staff/webhooks/[0-9a-f-]{36}"))
        secret = (await page.locator("#secret").inner_text()).strip()
        assert secret.startswith("whsec_")

        await page.get_by_role("button", name="Envoyer un test").click()
        for _ in range(50):
            if receiver.received:
                break
            await asyncio.sleep(0.1)
        got = receiver.received[0]
        assert Webhook(secret).verify(got.body, got.headers)["type"] == "webhook.test"
        await asyncio.sleep(0.3)  # the worker commits "delivered" after the answer
        await page.reload()
        await expect(page.locator("#deliveries tbody tr")).to_have_count(1)
        await expect(page.locator("#deliveries")).to_contain_text("reçu")
        await expect(page.locator("#deliveries")).to_contain_text(got.headers["webhook-id"])
        await shoot(page, artifacts, "staff-webhook")
        await page.get_by_role("link", name="Webhooks").click()
        await shoot(page, artifacts, "staff-webhooks")
