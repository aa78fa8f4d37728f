"""Browser fixtures: Debian's chromium through Playwright (async API: pytest runs one session
event loop, which the sync API refuses), the real app from ``live_server``, axe-core from npm.

The browser and the app are started once per session; each test gets a fresh context (cookies,
storage, viewport) so tests stay independent.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from email.message import EmailMessage
from pathlib import Path

import httpx
import pytest
from playwright.async_api import Browser, BrowserContext, Page, async_playwright

from tests.live import LiveServer

HERE = Path(__file__).resolve().parent
AXE_JS = HERE / "node_modules" / "axe-core" / "axe.min.js"
ARTIFACTS = HERE.parents[2] / "test-artifacts" / "widget"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@dataclass(frozen=True, slots=True)
class Site:
    """The running app as the tests see it: its URL, its JSON API and its outgoing mail."""

    url: str
    _received: Callable[[], list[EmailMessage]]

    def mail_to(self, address: str) -> list[EmailMessage]:
        return [m for m in self._received() if address in str(m.get("To", ""))]

    async def wait_for_mail(self, address: str, timeout: float = 30.0) -> EmailMessage:
        """The first message to ``address``; the outbox worker delivers asynchronously."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while loop.time() < deadline:
            found = self.mail_to(address)
            if found:
                return found[0]
            await asyncio.sleep(0.2)
        raise AssertionError(f"no mail to {address} within {timeout} s")

    def api(self) -> httpx.AsyncClient:
        return httpx.AsyncClient(base_url=self.url, timeout=10.0)


@pytest.fixture(scope="session")
def site(live_server: LiveServer) -> Site:
    return Site(url=live_server.url.rstrip("/"), _received=live_server.messages)


@pytest.fixture(scope="session")
async def browser() -> AsyncIterator[Browser]:
    async with async_playwright() as p:
        launched = await p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield launched
        await launched.close()


@pytest.fixture
async def context(browser: Browser) -> AsyncIterator[BrowserContext]:
    ctx = await browser.new_context(
        locale="fr-FR",
        timezone_id="Europe/Paris",
        viewport={"width": 1280, "height": 900},
    )
    yield ctx
    await ctx.close()


@pytest.fixture
async def page(context: BrowserContext) -> AsyncIterator[Page]:
    pg = await context.new_page()
    errors: list[str] = []
    pg.on("pageerror", lambda exc: errors.append(str(exc)))
    yield pg
    # An uncaught exception in the widget is a failure even when the flow looked fine.
    assert errors == []


@pytest.fixture
def visitor_email() -> str:
    return f"visiteur-{uuid.uuid4().hex[:10]}@example.fr"


@pytest.fixture(scope="session")
def axe_source() -> Path:
    if not AXE_JS.exists():
        pytest.fail(f"axe-core missing: run `npm ci --prefix {HERE.relative_to(HERE.parents[2])}`")
    return AXE_JS


@pytest.fixture(scope="session")
def artifacts() -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS
