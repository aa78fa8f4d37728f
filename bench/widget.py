"""Figures of the booking widget: prints them, asserts nothing.

    .venv/bin/python bench/widget.py [--url http://127.0.0.1:8000] [--runs 15]

* size: the served script (styles inside), raw and gzipped, and each part gzipped alone;
* click -> interactive calendar on loopback, in Debian's chromium: from the click on a mentor
  card to the week of free slots rendered with focus on a day (DOM ready), and to the next
  frame after it (painted); the first open of a page and the following ones;
* API requests per booking: every /v1 request from the click to the confirmation, opened from a
  card (the list already has the profile) and from a bare ``data-thotis-mentor`` button.

Without --url it starts ``python -m api serve`` on a free port with a throw-away data
directory (embedded PostgreSQL, demo data) and stops it at the end. With --url it books real
demo slots on that server.
"""

from __future__ import annotations

import argparse
import asyncio
import gzip
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
from playwright.async_api import Page, async_playwright

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from api.widget.assets import STATIC_DIR, build_bundle, compact_css  # noqa: E402

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
CARD_BUTTON = "thotis-mentor-list[filiere='droit'] .card:has(.next:not(.none)) button"
# Clicks the first bookable card inside the page and resolves with the two delays (ms).
CLICK_TO_CALENDAR = """async () => {
  const list = document.querySelector("thotis-mentor-list[filiere='droit']");
  const card = [...list.shadowRoot.querySelectorAll('.card')]
    .find(c => !c.querySelector('.next.none'));
  const dlg = document.querySelector('thotis-dialog');
  if (dlg) dlg.interactiveAt = null;
  const t0 = performance.now();
  card.querySelector('button').click();
  const el = document.querySelector('thotis-dialog');
  while (!el.interactiveAt) await new Promise(r => setTimeout(r, 1));
  const ready = el.interactiveAt - t0;
  await new Promise(r => requestAnimationFrame(() => setTimeout(r, 0)));
  const painted = performance.now() - t0;
  const focused = el.shadowRoot.activeElement;
  return { ready, painted, focusedDay: !!(focused && focused.classList.contains('day')) };
}"""


def gz(data: bytes) -> int:
    return len(gzip.compress(data, compresslevel=9, mtime=0))


def report_size() -> None:
    bundle = build_bundle()
    js = (STATIC_DIR / "thotis-widget.js").read_bytes()
    css = compact_css((STATIC_DIR / "styles.css").read_text(encoding="utf-8")).encode()
    print("size (served script, styles inside)")
    print(f"  raw:                    {bundle.size / 1024:6.1f} KiB")
    print(f"  gzip -9:                {bundle.gzip_size / 1024:6.1f} KiB   (budget 30 KiB)")
    print(f"  script alone, gzip:     {gz(js) / 1024:6.1f} KiB")
    print(f"  styles alone, gzip:     {gz(css) / 1024:6.1f} KiB")
    print(f"  integrity:              {bundle.integrity}")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@contextmanager
def served(url: str | None) -> Iterator[str]:
    if url:
        yield url.rstrip("/")
        return
    with tempfile.TemporaryDirectory(prefix="thotis-bench-widget-") as data_dir:
        # Our own fresh folder: the embedded PostgreSQL's user must be able to traverse it.
        os.chmod(data_dir, 0o755)
        port = free_port()
        env = {
            **os.environ,
            "PORT": str(port),
            "THOTIS_DATA_DIR": data_dir,
            "SEED_DEMO": "1",
            "BOOKING_LIMIT_PER_ADDRESS": "0",
            "BOOKING_LIMIT_PER_EMAIL": "0",
            "BOOKING_LIMIT_PER_SLOT": "0",
        }
        env.pop("DATABASE_URL", None)
        process = subprocess.Popen(
            [sys.executable, "-m", "api", "serve"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        base = f"http://127.0.0.1:{port}"
        try:
            wait_ready(base, process)
            yield base
        finally:
            process.terminate()
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()


def wait_ready(base: str, process: subprocess.Popen[bytes], timeout: float = 120.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            err = process.stderr.read().decode() if process.stderr else ""
            raise SystemExit(f"the server stopped while starting:\n{err[-2000:]}")
        try:
            if httpx.get(f"{base}/readyz", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise SystemExit(f"{base} did not become ready in {timeout:.0f} s")


def summary(values: list[float]) -> str:
    ordered = sorted(values)
    p95 = ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))]
    return (
        f"median {statistics.median(values):6.1f} ms   p95 {p95:6.1f} ms   "
        f"min {ordered[0]:6.1f}   max {ordered[-1]:6.1f}   (n={len(values)})"
    )


async def open_demo(page: Page, base: str) -> None:
    await page.goto(f"{base}/demo")
    await page.locator(CARD_BUTTON).first.wait_for()


async def bench_click_to_calendar(page: Page, base: str, runs: int) -> None:
    first: list[float] = []
    first_painted: list[float] = []
    warm: list[float] = []
    warm_painted: list[float] = []
    unfocused = 0
    for run in range(runs):
        if run % 5 == 0:
            await open_demo(page, base)
            target, painted = first, first_painted
        else:
            target, painted = warm, warm_painted
        result: dict[str, Any] = await page.evaluate(CLICK_TO_CALENDAR)
        target.append(result["ready"])
        painted.append(result["painted"])
        unfocused += 0 if result["focusedDay"] else 1
        await page.keyboard.press("Escape")
        await page.locator("thotis-dialog dialog").wait_for(state="hidden")
    print("click -> interactive calendar (loopback; includes GET slots; goal < 300 ms)")
    print(f"  first open, DOM ready:  {summary(first)}")
    print(f"  first open, painted:    {summary(first_painted)}")
    print(f"  next opens, DOM ready:  {summary(warm)}")
    print(f"  next opens, painted:    {summary(warm_painted)}")
    if unfocused:
        print(f"  ! focus was not on a day in {unfocused} run(s)")


async def book(page: Page, opener: str) -> list[str]:
    """One booking through the widget; the /v1 requests it made, in order."""
    requests: list[str] = []

    def record(request: Any) -> None:
        path = httpx.URL(request.url).path
        if path.startswith("/v1/"):
            requests.append(f"{request.method} {path}")

    page.on("request", record)
    await page.locator(opener).first.click()
    slot = page.locator("thotis-dialog .slot").first
    await slot.click()
    await page.locator("thotis-dialog #f-first_name").fill("Bench")
    await page.locator("thotis-dialog #f-email").fill(f"bench-{uuid.uuid4().hex[:8]}@example.fr")
    await page.locator("thotis-dialog #f-consent").check()
    await page.locator("thotis-dialog #submit").click()
    await page.locator("thotis-dialog #done-title").wait_for()
    page.remove_listener("request", record)
    await page.keyboard.press("Escape")
    return requests


async def bench_requests(page: Page, base: str) -> None:
    print("API requests per booking (goal <= 3)")
    await open_demo(page, base)
    from_card = await book(page, CARD_BUTTON)
    print(f"  from a mentor card:     {len(from_card)}   {', '.join(from_card)}")
    await page.get_by_role("tab", name="Médecine").click()
    await page.locator("#featured[data-thotis-mentor]").wait_for()
    from_button = await book(page, "#featured")
    print(f"  from a bare button:     {len(from_button)}   {', '.join(from_button)}")
    print("  (page load itself: 1 GET per <thotis-mentor-list>, not counted)")


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", help="an already running service (default: start one)")
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    report_size()
    print()
    with served(args.url) as base:
        async with async_playwright() as p:
            browser = await p.chromium.launch(
                executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS
            )
            context = await browser.new_context(locale="fr-FR", timezone_id="Europe/Paris")
            page = await context.new_page()
            await bench_click_to_calendar(page, base, args.runs)
            print()
            await bench_requests(page, base)
            await browser.close()


if __name__ == "__main__":
    asyncio.run(main())
