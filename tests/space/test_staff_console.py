"""The staff console on a service with no Google client: signing in by a one-time link, finding
a mentor, revoking their token (the JSON API refuses it at once), keys and tokens that expire,
the audit trail in sentences, and membership checked again on every request."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest
from playwright.async_api import Page, expect

from scheduler.platform import Settings
from testkit.settings import changed
from tests.space.a11y import assert_accessible
from tests.space.conftest import STAFF_DOMAIN, STAFF_EMAIL, Space
from tests.space.flows import book, csrf_of, http_client, mentor_id

SARAH = "sarah.nguyen@demo.thotis.fr"
LINK = re.compile(r"http://\S+/staff/sign-in/link/\S+")


async def shoot(page: Page, artifacts: Path, name: str) -> None:
    """axe-core at a desktop width and at a phone's (375 px), with a screenshot of each."""
    for width, height in ((1280, 900), (375, 740)):
        await page.set_viewport_size({"width": width, "height": height})
        await assert_accessible(page)
        await page.screenshot(path=str(artifacts / f"{name}-{width}.png"), full_page=True)
        if width == 375:
            scroll = await page.evaluate("document.documentElement.scrollWidth")
            assert scroll <= 375, f"{name} is {scroll}px wide on a phone"
    await page.set_viewport_size({"width": 1280, "height": 900})


def link_in(space: Space, address: str) -> list[str]:
    found = []
    for message in space.mail_to(address):
        if message.get("X-Thotis-Kind") == "staff_sign_in_link":
            body = message.get_body(preferencelist=("plain",))
            assert body is not None
            match = LINK.search(body.get_content())
            assert match is not None
            found.append(match.group(0))
    return found


async def wait_for_new_link(space: Space, address: str, before: int) -> str:
    for _ in range(300):
        links = link_in(space, address)
        if len(links) > before:
            return links[-1]
        await asyncio.sleep(0.1)
    raise AssertionError("no staff sign-in link arrived")


async def http_link_sign_in(client: httpx.AsyncClient, space: Space, address: str) -> None:
    """Ask for a link, open it, press the button: the client ends up signed in."""
    before = len(link_in(space, address))
    form = await client.get("/staff/sign-in")
    sent = await client.post(
        "/staff/sign-in/link", data={"email": address, "csrf_token": csrf_of(form.text)}
    )
    assert sent.status_code == 200 and "Regardez vos emails" in sent.text
    link = await wait_for_new_link(space, address, before)
    confirm = await client.get(link)
    landed = await client.post(link, data={"csrf_token": csrf_of(confirm.text)})
    assert landed.url.path == "/staff", landed.url


@contextmanager
def staff_settings(space: Space, **changes: object) -> Iterator[None]:
    """The running service's settings changed as a restart with another environment would
    change them (the guard reads them from the app's state), then put back."""
    app = space.apps[0]
    before: Settings = app.state.settings
    app.state.settings = changed(before, **changes)
    try:
        yield
    finally:
        app.state.settings = before


async def me(space: Space, token: str) -> int:
    async with space.api() as api:
        answer = await api.get("/v1/me", headers={"Authorization": f"Bearer {token}"})
    return answer.status_code


@pytest.mark.browser
async def test_staff_sign_in_by_link_find_a_mentor_and_revoke_their_token(
    console: Space, page: Page, artifacts: Path
) -> None:
    await page.goto(f"{console.url}/staff")
    await expect(page).to_have_url(re.compile(r"/staff/sign-in"))
    # No Google client on this service: the link is the way in.
    await expect(page.get_by_role("link", name="Se connecter avec Google")).to_have_count(0)
    await shoot(page, artifacts, "staff-sign-in-link")
    await page.get_by_label("Recevoir un lien de connexion par email").fill(STAFF_EMAIL)
    await page.get_by_role("button", name="M'envoyer un lien").click()
    await expect(page.get_by_role("heading", name="Regardez vos emails")).to_be_visible()
    link = await wait_for_new_link(console, STAFF_EMAIL, 0)
    await page.goto(link)
    await shoot(page, artifacts, "staff-link-confirm")
    await page.get_by_role("button", name="Me connecter").click()
    await expect(page.locator("#mentors")).to_be_visible()

    # A token for Sarah, made in the console (shown once) and accepted by the JSON API.
    await page.get_by_role("link", name="Clés et jetons").click()
    await page.get_by_label("Mentor", exact=True).select_option(label="Sarah Nguyen")
    await page.get_by_role("button", name="Créer un jeton").click()
    token = (await page.locator("#secret").inner_text()).strip()
    assert len(token) >= 43
    assert await me(console, token) == 200
    assert console.sql(
        "SELECT expires_at > now() + interval '89 days' FROM mentor_tokens "
        "WHERE mentor_id = %s AND revoked_at IS NULL",
        mentor_id(console, SARAH),
    ) == [(True,)]
    await shoot(page, artifacts, "staff-credentials")

    # Find her by name (without the accent or capital a hurried search leaves out).
    await page.get_by_role("link", name="Mentors").click()
    await page.get_by_label("Chercher un mentor (nom ou adresse)").fill("sarah")
    await page.get_by_role("button", name="Chercher").click()
    await expect(page.locator("#mentors tbody tr")).to_have_count(1)
    await page.get_by_role("link", name="Sarah Nguyen", exact=True).click()
    await expect(page.get_by_role("heading", name="Sarah Nguyen", level=1)).to_be_visible()
    # The filière by its name (« Informatique »), not its slug.
    await expect(page.locator("dl.facts")).to_contain_text("Informatique")
    await shoot(page, artifacts, "staff-mentor")

    await page.get_by_role("link", name="Révoquer le jeton de Sarah Nguyen").click()
    await expect(
        page.get_by_role("heading", name="Révoquer le jeton de Sarah Nguyen ?")
    ).to_be_visible()
    await shoot(page, artifacts, "staff-confirm")
    await page.get_by_role("button", name="Révoquer le jeton").click()
    await expect(page.get_by_role("status")).to_contain_text("Révoqué")
    await expect(page.get_by_role("heading", name="Sarah Nguyen", level=1)).to_be_visible()
    assert await me(console, token) == 401

    # The trail says it in sentences, each name a link to its page.
    await page.get_by_role("link", name="Modération").click()
    trail = page.locator("#audit")
    await expect(trail).to_contain_text(f"{STAFF_EMAIL} a révoqué un jeton de Sarah Nguyen")
    await expect(trail).to_contain_text(f"{STAFF_EMAIL} a créé un jeton pour Sarah Nguyen")
    await expect(trail.get_by_role("link", name="Sarah Nguyen").first).to_have_attribute(
        "href", f"/staff/mentors/{mentor_id(console, SARAH)}"
    )
    assert "mentor_token" not in await trail.inner_text()
    await shoot(page, artifacts, "staff-moderation")
    await page.get_by_role("link", name="Filières").click()
    await expect(page.locator("table.data strong", has_text="Informatique")).to_be_visible()
    await shoot(page, artifacts, "staff-filieres")

    # The same pages in English, names and all.
    await page.goto(f"{console.url}/staff/mentors/{mentor_id(console, SARAH)}?lang=en")
    await expect(page.get_by_role("heading", name="Upcoming calls")).to_be_visible()
    await expect(page.locator("#audit")).to_contain_text("changed Sarah Nguyen's booking rules")
    await page.get_by_role("link", name="Keys and tokens").click()
    await expect(page.locator("#tokens")).to_contain_text("revoked")


async def test_the_staff_link_form_answers_the_same_and_sends_three_links_at_most(
    console: Space,
) -> None:
    stranger = "curieux@example.org"
    address = f"ops@{STAFF_DOMAIN}"
    async with http_client(console) as client:
        for who in (stranger, *[address] * 5):
            form = await client.get("/staff/sign-in")
            sent = await client.post(
                "/staff/sign-in/link", data={"email": who, "csrf_token": csrf_of(form.text)}
            )
            assert sent.status_code == 200 and "Regardez vos emails" in sent.text
    await asyncio.sleep(1.0)  # time for the mails that leave after the answers
    assert console.mail_to(stranger) == []
    assert len(link_in(console, address)) == 3
    assert console.sql(
        "SELECT staff_email, count(*) FROM staff_sign_in_links "
        "WHERE staff_email IN (%s, %s) GROUP BY staff_email",
        stranger,
        address,
    ) == [(address, 3)]


async def test_an_address_removed_from_the_team_loses_the_console_on_its_next_request(
    console: Space,
) -> None:
    address = f"depart@{STAFF_DOMAIN}"
    async with http_client(console) as client:
        await http_link_sign_in(client, console, address)
        assert (await client.get("/staff/credentials")).url.path == "/staff/credentials"
        with staff_settings(console, staff_domain=None):
            out = await client.get("/staff/credentials")
            assert out.url.path == "/staff/sign-in"
            assert "ne fait plus partie de l" in out.text  # l'équipe, HTML-escaped
            assert console.sql(
                "SELECT count(*) FROM web_sessions WHERE staff_email = %s", address
            ) == [(0,)]
        # Back in the team, the old session stays ended: a new sign-in is needed.
        assert (await client.get("/staff")).url.path == "/staff/sign-in"


async def test_an_expired_token_or_key_is_refused_with_401(console: Space) -> None:
    async with http_client(console) as client:
        await http_link_sign_in(client, console, STAFF_EMAIL)
        page = await client.get("/staff/credentials")
        made = await client.post(
            "/staff/credentials/keys",
            data={"name": "site de test", "days": "30", "csrf_token": csrf_of(page.text)},
        )
        assert made.status_code == 201
        key = re.search(r'<code class="secret" id="secret">([^<]+)</code>', made.text)
        assert key is not None
    async with console.api() as api:
        ledger = await api.get("/v1/staff/mentors", headers={"X-API-Key": key.group(1)})
        assert ledger.status_code == 200
        console.sql(
            "UPDATE staff_api_keys SET expires_at = now() - interval '1 second' WHERE name = %s",
            "site de test",
        )
        expired = await api.get("/v1/staff/mentors", headers={"X-API-Key": key.group(1)})
        assert expired.status_code == 401


async def test_a_mentors_page_lists_their_upcoming_calls_and_what_happened(
    console: Space,
) -> None:
    thomas = "thomas.girard@demo.thotis.fr"
    await book(console, thomas, "Noé", "Quelle prépa ?", "informatique")
    async with http_client(console) as client:
        await http_link_sign_in(client, console, STAFF_EMAIL)
        found = await client.get("/staff", params={"q": "GIRARD"})
        assert "Thomas Girard" in found.text and "Sarah Nguyen" not in found.text
        page = await client.get(f"/staff/mentors/{mentor_id(console, thomas)}")
    assert page.status_code == 200
    upcoming = page.text.split('id="upcoming-title"')[1].split("</section>")[0]
    assert "Noé" in upcoming and "Informatique" in upcoming
    assert "Un visiteur a réservé un rendez-vous avec" in page.text


async def test_racing_staff_link_requests_still_store_three_links_at_most(console: Space) -> None:
    address = f"course@{STAFF_DOMAIN}"
    async with http_client(console) as client:
        token = csrf_of((await client.get("/staff/sign-in")).text)
        answers = await asyncio.gather(
            *(
                client.post("/staff/sign-in/link", data={"email": address, "csrf_token": token})
                for _ in range(8)
            )
        )
    assert [a.status_code for a in answers] == [200] * 8
    await console.wait_for_outbox("mail.sign_in_link")
    # The advisory lock on the address makes the racing requests count one after the other.
    assert console.sql(
        "SELECT count(*) FROM staff_sign_in_links WHERE staff_email = %s", address
    ) == [(3,)]
