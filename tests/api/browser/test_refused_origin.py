"""A Thotis page on an origin CORS_ORIGINS does not list: the widget's error event and the
console say which origin to add. The page is served for real by a second loopback server (a
page Playwright made up would count as public, and Chromium's local-network guard would stop
it before CORS does)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from playwright.async_api import Page

from tests.api.browser.conftest import Site


@pytest.fixture
def foreign_page(site: Site) -> Iterator[str]:
    html = f"""<!doctype html><html lang="fr"><head><meta charset="utf-8"><title>x</title>
<script>window.thotisEvents = [];
document.addEventListener('thotis:error',
  (e) => window.thotisEvents.push({{type: e.type, detail: e.detail}}));</script>
<script src="{site.url}/widget/v1/thotis-widget.js" defer></script></head>
<body><main><thotis-mentor-list filiere="droit"></thotis-mentor-list></main></body></html>"""

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            body = html.encode()
            self.send_response(200)
            self.send_header("content-type", "text/html; charset=utf-8")
            self.send_header("content-length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


async def test_the_widget_names_the_origin_to_add_to_cors_origins(
    page: Page, foreign_page: str
) -> None:
    logged: list[str] = []
    page.on("console", lambda m: logged.append(m.text) if m.type == "error" else None)
    await page.goto(f"{foreign_page}/droit")
    await page.wait_for_function("window.thotisEvents.length > 0")
    (event,) = await page.evaluate("window.thotisEvents")
    detail = event["detail"]
    assert detail["code"] == "origin_not_allowed" and detail["origin"] == foreign_page
    assert "CORS_ORIGINS" in detail["hint"] and foreign_page in detail["hint"]
    assert any("CORS_ORIGINS" in text and foreign_page in text for text in logged)
