"""The API reference (``/schema``) renders in chromium from the service alone: Redoc vendored,
its integrity hash checked by the browser, and not one request to another origin."""

from __future__ import annotations

from playwright.async_api import Page, Route, expect

from tests.api.browser.conftest import Site


async def test_the_reference_renders_with_no_request_to_another_origin(
    page: Page, site: Site
) -> None:
    elsewhere: list[str] = []

    async def guard(route: Route) -> None:
        if route.request.url.startswith(site.url) or route.request.url.startswith(
            ("data:", "blob:")
        ):
            await route.continue_()
        else:
            elsewhere.append(route.request.url)
            await route.abort()

    await page.route("**/*", guard)
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    answer = await page.goto(f"{site.url}/schema")
    assert answer is not None and answer.status == 200
    await expect(page.locator("h1")).to_contain_text("Thotis booking engine", timeout=30_000)
    await expect(page.get_by_text("Register a webhook endpoint").first).to_be_attached()
    # The guide to every problem code is part of the page.
    await expect(page.get_by_text("origin_not_allowed").first).to_be_attached()
    assert elsewhere == [] and errors == []


async def test_a_tampered_reference_script_is_refused_by_its_integrity_hash(
    page: Page, site: Site
) -> None:
    async def tamper(route: Route) -> None:
        await route.fulfill(status=200, content_type="text/javascript", body="window.x = 1;")

    await page.route("**/schema/assets/*", tamper)
    await page.goto(f"{site.url}/schema")
    await page.wait_for_timeout(500)
    assert await page.locator("h1").count() == 0
