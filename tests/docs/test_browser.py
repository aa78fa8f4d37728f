"""The built site in chromium, served by ``api.docs_site`` under its CSP: the pages and their
search run with no policy violation and no request to another host."""

from __future__ import annotations

import os
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
import uvicorn
from litestar import Litestar, get
from playwright.async_api import async_playwright

from api.docs_site import create_docs_router
from testkit.smtp_sink import free_port
from tests.api.browser.conftest import CHROMIUM, CHROMIUM_ARGS
from tests.live import _Server, _wait_until_ready

pytestmark = pytest.mark.browser
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def docs_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    site = tmp_path_factory.mktemp("site")
    subprocess.run(
        [str(ROOT / ".venv" / "bin" / "mkdocs"), "build", "--strict", "--site-dir", str(site)],
        cwd=ROOT,
        check=True,
        capture_output=True,
        env=os.environ | {"NO_MKDOCS_2_WARNING": "1"},
    )

    @get("/readyz", sync_to_thread=False)
    def ready() -> str:
        return "ok"

    app = Litestar(route_handlers=[create_docs_router(site), ready])
    port = free_port()
    server = _Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_until_ready(url, thread)
        yield url
    finally:
        server.should_exit = True
        thread.join(timeout=15)


async def test_the_pages_and_their_search_run_under_the_policy_from_this_origin_alone(
    docs_url: str,
) -> None:
    requests: list[str] = []
    problems: list[str] = []
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = await browser.new_page()
            page.on("request", lambda request: requests.append(request.url))
            page.on("console", lambda message: problems.append(message.text))
            page.on("pageerror", lambda error: problems.append(str(error)))
            await page.goto(f"{docs_url}/docs")
            await page.goto(f"{docs_url}/docs/integrer/")
            await page.locator("h1").filter(has_text="Intégrer Thotis").wait_for()
            await page.wait_for_load_state("networkidle")
            await page.keyboard.press("s")  # Material's shortcut: opens and focuses the search
            await page.locator("input.md-search__input").press_sequentially("webhook")
            await page.locator(".md-search-result__item").first.wait_for(timeout=15000)
        finally:
            await browser.close()
    assert [url for url in requests if not url.startswith(docs_url)] == []
    assert problems == []
