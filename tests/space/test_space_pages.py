"""The pages around the forms: errors as pages for a browser (problem JSON for the API), the
favicon on every page, the sign-in page without Google."""

from __future__ import annotations

import io

import httpx
import pytest
from PIL import Image
from playwright.async_api import Page, expect

from tests.space.a11y import assert_fits_and_accessible
from tests.space.conftest import Space
from tests.space.flows import http_client, http_google_sign_in, new_mentor

BROWSER_ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"


@pytest.mark.parametrize("path", ["/mentor/nowhere", "/staff/nowhere", "/manage", "/nowhere"])
async def test_an_unknown_page_is_an_html_404_for_a_browser(space: Space, path: str) -> None:
    async with httpx.AsyncClient(base_url=space.url) as client:
        answer = await client.get(path, headers={"Accept": BROWSER_ACCEPT})
    assert answer.status_code == 404
    assert answer.headers["content-type"].startswith("text/html")
    assert 'data-code="not_found"' in answer.text
    assert "<h1>Introuvable</h1>" in answer.text
    assert "n&#39;existe pas ou plus" in answer.text


@pytest.mark.parametrize(
    ("path", "accept"),
    [
        ("/mentor/nowhere", "*/*"),
        ("/nowhere", "application/json"),
        ("/v1/nowhere", BROWSER_ACCEPT),
        ("/v1/mentors/not-a-uuid", BROWSER_ACCEPT),
    ],
)
async def test_the_api_and_non_browsers_keep_problem_json(
    space: Space, path: str, accept: str
) -> None:
    async with httpx.AsyncClient(base_url=space.url) as client:
        answer = await client.get(path, headers={"Accept": accept})
    assert answer.status_code in (400, 404, 422)
    assert answer.headers["content-type"].startswith("application/problem+json")
    assert answer.json()["code"]


async def test_a_wrong_method_on_a_page_keeps_its_allow_header(space: Space) -> None:
    async with httpx.AsyncClient(base_url=space.url) as client:
        answer = await client.get("/mentor/sign-out", headers={"Accept": BROWSER_ACCEPT})
    assert answer.status_code == 405
    assert answer.headers["content-type"].startswith("text/html")
    assert "POST" in answer.headers["allow"]


async def test_the_favicon_is_served_and_every_page_links_it(space: Space) -> None:
    async with httpx.AsyncClient(base_url=space.url) as client:
        icon = await client.get("/favicon.ico")
        svg = await client.get("/space/static/favicon.svg")
        pages = [
            await client.get(path)
            for path in ("/mentor/sign-in", "/staff/sign-in", "/privacy", "/demo", "/manage/x")
        ]
        missing = await client.get("/mentor/nowhere", headers={"Accept": BROWSER_ACCEPT})
    assert icon.status_code == 200 and icon.headers["content-type"] == "image/x-icon"
    assert Image.open(io.BytesIO(icon.content)).format == "ICO"
    assert svg.status_code == 200 and svg.headers["content-type"].startswith("image/svg+xml")
    for answer in [*pages, missing]:
        assert '<link rel="icon" href="/favicon.ico"' in answer.text, answer.url
        assert 'href="/space/static/favicon.svg" type="image/svg+xml"' in answer.text, answer.url


async def test_the_sign_in_page_without_google_has_no_orphan_separator(console: Space) -> None:
    async with httpx.AsyncClient(base_url=console.url) as client:
        answer = await client.get("/mentor/sign-in")
    assert answer.status_code == 200
    assert "Se connecter avec Google" not in answer.text
    assert 'class="or"' not in answer.text
    assert ">ou<" not in answer.text


async def test_the_sign_in_page_with_google_separates_the_two_ways(space: Space) -> None:
    async with httpx.AsyncClient(base_url=space.url) as client:
        answer = await client.get("/mentor/sign-in")
    assert "Se connecter avec Google" in answer.text
    assert answer.text.count('class="or"') == 1


@pytest.mark.browser
async def test_a_missing_page_in_the_mentor_space_is_an_accessible_page(
    space: Space, page: Page
) -> None:
    answer = await page.goto(f"{space.url}/mentor/nulle-part")
    assert answer is not None and answer.status == 404
    await expect(page.get_by_role("heading", level=1)).to_have_text("Introuvable")
    await expect(page.get_by_role("link", name="Retour à mon espace")).to_be_visible()
    await assert_fits_and_accessible(page)


async def test_onboarding_reads_in_english_too_and_the_old_step_leads_to_hours(
    space: Space,
) -> None:
    email = "tom.english@example.fr"
    new_mentor(space, email, "Tom E.", hours=False)
    async with http_client(space) as client:
        await http_google_sign_in(client, space, "mentor", email)
        old = await client.get("/mentor/onboarding/timezone", follow_redirects=False)
        assert old.status_code == 303
        assert old.headers["location"] == "/mentor/onboarding/hours"
        hours = await client.get("/mentor/onboarding/hours", params={"lang": "en"})
        calendar = await client.get("/mentor/onboarding/calendar", params={"lang": "en"})
    assert hours.status_code == 200 and calendar.status_code == 200
    assert "Without hours, no student can book" in hours.text
    assert "Belgium — Brussels" in hours.text and "America/Guadeloupe</option>" not in hours.text
    assert "Where your calls happen" in calendar.text
    assert "in a Jitsi room." in calendar.text
