"""axe-core (the npm package installed by ``npm ci --prefix tests/api/browser``) on the mentor
space and staff pages: no serious or critical violation."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import pytest
from playwright.async_api import Page

AXE_JS = (
    Path(__file__).resolve().parents[1]
    / "api"
    / "browser"
    / "node_modules"
    / "axe-core"
    / "axe.min.js"
)


@cache
def _axe_source() -> str:
    if not AXE_JS.exists():
        pytest.fail("axe-core missing: run `npm ci --prefix tests/api/browser`")
    return AXE_JS.read_text(encoding="utf-8")


async def serious_violations(page: Page) -> list[dict[str, Any]]:
    # Evaluated through the DevTools protocol, which the pages' CSP (script-src 'self') does
    # not govern: the pages are checked with their real headers.
    if not await page.evaluate("typeof window.axe !== 'undefined'"):
        await page.evaluate(_axe_source())
    result: list[dict[str, Any]] = await page.evaluate(
        """async () => {
      const r = await axe.run(document, { resultTypes: ['violations'] });
      return r.violations
        .filter(v => v.impact === 'serious' || v.impact === 'critical')
        .map(v => ({ id: v.id, impact: v.impact, help: v.help,
                     targets: v.nodes.map(n => n.target),
                     html: v.nodes.slice(0, 3).map(n => n.html) }));
    }"""
    )
    return result


async def assert_accessible(page: Page) -> None:
    found = await serious_violations(page)
    assert found == [], f"{page.url}: {found}"


async def assert_fits_and_accessible(page: Page) -> None:
    """No serious axe violation at 1280 px nor at 375 px, and nothing wider than the phone
    (the page scrolls vertically only)."""
    await page.set_viewport_size({"width": 1280, "height": 900})
    await assert_accessible(page)
    await page.set_viewport_size({"width": 375, "height": 740})
    width = await page.evaluate("document.documentElement.scrollWidth")
    assert width <= 375, f"{page.url} is {width}px wide on a phone"
    await assert_accessible(page)
    await page.set_viewport_size({"width": 1280, "height": 900})
