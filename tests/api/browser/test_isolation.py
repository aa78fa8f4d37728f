"""Shadow DOM isolation both ways, read from computed styles in a real chromium.

The demo page's theme is deliberately heavy-handed (global `*` and `button` rules, a 10 px root
font size, `.card`/`.btn` classes that the widget also uses internally)."""

from __future__ import annotations

import pytest
from playwright.async_api import Locator, Page, Route

from tests.api.browser.conftest import Site
from tests.api.browser.flows import card_button, open_demo, open_mentor

pytestmark = pytest.mark.browser

PROPS = [
    "font-family",
    "font-size",
    "color",
    "background-color",
    "text-transform",
    "border-radius",
    "border-top-color",
    "letter-spacing",
    "line-height",
    "padding-top",
]
HOST_ELEMENTS = ["body", "h3", ".host-button", ".host-card", "a", "[role=tab]", "#featured"]


async def styles(target: Locator) -> dict[str, str]:
    values: dict[str, str] = await target.evaluate(
        "(el, props) => Object.fromEntries(props.map(p => [p, getComputedStyle(el)"
        ".getPropertyValue(p)]))",
        PROPS,
    )
    return values


async def host_styles(page: Page) -> dict[str, dict[str, str]]:
    return {sel: await styles(page.locator(sel).first) for sel in HOST_ELEMENTS}


async def test_host_css_does_not_reach_the_widget(page: Page, site: Site) -> None:
    await open_demo(page, site.url)
    host_button = await styles(page.locator(".host-button"))
    assert host_button["background-color"] == "rgb(198, 40, 40)"
    assert host_button["text-transform"] == "uppercase"

    widget_button = await styles(card_button(page))
    assert widget_button["background-color"] == "rgb(29, 58, 138)"  # Thotis primary
    assert widget_button["text-transform"] == "none"
    assert widget_button["border-radius"] != "0px"
    assert "Comic" not in widget_button["font-family"]
    assert widget_button["font-size"] == "15px"  # not the host's 10 px-rem scale

    card = await styles(page.locator("thotis-mentor-list[filiere='droit'] .card").first)
    assert card["background-color"] == "rgb(255, 255, 255)"  # not the host's .card
    assert card["border-top-color"] == "rgb(242, 183, 5)"  # Thotis accent
    name = await styles(page.locator("thotis-mentor-list[filiere='droit'] .name").first)
    assert "Georgia" not in name["font-family"] and "Trebuchet" not in name["font-family"]
    assert name["color"] == "rgb(27, 35, 51)"  # not the host's red h3
    assert name["line-height"] != "1.9"

    await open_mentor(page)
    slot = await styles(page.locator("thotis-dialog .slot").first)
    assert slot["background-color"] == "rgb(255, 255, 255)"
    assert slot["text-transform"] == "none"
    await page.locator("thotis-dialog .slot").first.click()
    field = page.locator("thotis-dialog #f-email")
    assert await field.evaluate("el => getComputedStyle(el).borderTopStyle") == "solid"


async def test_the_widget_does_not_change_the_host_page(page: Page, site: Site) -> None:
    async def no_widget(route: Route) -> None:
        await route.abort("blockedbyclient")

    await page.route("**/widget/v1/thotis-widget.js", no_widget)
    await page.goto(f"{site.url}/demo")
    without = await host_styles(page)
    assert await page.evaluate("typeof window.Thotis") == "undefined"

    await page.unroute("**/widget/v1/thotis-widget.js")
    await open_demo(page, site.url)
    assert await page.evaluate("typeof window.Thotis") == "object"
    assert await host_styles(page) == without
    await open_mentor(page)
    assert await host_styles(page) == without
    # Nothing was added to the host document's own style sheets.
    assert await page.evaluate("document.styleSheets.length") == 1
    assert await page.evaluate("document.adoptedStyleSheets.length") == 0


async def test_branding_through_custom_properties_and_parts(page: Page, site: Site) -> None:
    await open_demo(page, site.url)
    await page.get_by_role("tab", name="Médecine").click()
    button = card_button(page, "medecine")
    assert (await styles(button))["background-color"] == "rgb(11, 94, 70)"
    shadow = await page.locator("thotis-mentor-list[filiere='medecine'] .card").first.evaluate(
        "el => getComputedStyle(el).boxShadow"
    )
    assert "rgba(19, 32, 74, 0.12)" in shadow  # thotis-mentor-list::part(card) from the host
    # The dialog opened from that list carries the same branding.
    await button.click()
    await page.locator("thotis-dialog .slot").first.wait_for()
    slot = await styles(page.locator("thotis-dialog .slot").first)
    assert slot["color"] == "rgb(11, 94, 70)"
