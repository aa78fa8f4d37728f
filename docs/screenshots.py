"""The documentation's screenshots, taken from the running app so that they never go stale.

    .venv/bin/python docs/screenshots.py        (or `make screenshots`)

Starts ``thotis serve`` with the demo data on a throw-away embedded PostgreSQL (its own data
folder, mail written to files, email verification off so that the widget books in one step),
drives Debian's chromium through Playwright at 1280×800, signs in as a demo mentor (the
sign-in link is read from the mail folder, as ``/dev/mail`` shows it) and as staff (``thotis
staff-link``), and writes palette PNGs into ``docs/images/`` (optimised with Pillow).
"""

from __future__ import annotations

import asyncio
import os
import re
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
from PIL import Image
from playwright.async_api import Page, async_playwright

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from testkit.smtp_sink import free_port  # noqa: E402
from tests.api.browser.flows import confirmed, fill_form, open_demo, open_mentor, pick_slot, submit  # noqa: E402

IMAGES = ROOT / "docs" / "images"
THOTIS = str(ROOT / ".venv" / "bin" / "thotis")
CHROMIUM = "/usr/bin/chromium"
SIZE = {"width": 1280, "height": 800}
# What a visitor in France sees (the widget shows times in the browser's zone).
PAGE = {"viewport": SIZE, "locale": "fr-FR", "timezone_id": "Europe/Paris"}
MENTOR = "camille.laurent@demo.thotis.fr"
STAFF = "equipe@thotis.fr"
LINK = re.compile(r"/mentor/sign-in/link/[A-Za-z0-9_\-]+")


@contextmanager
def service(data_dir: Path) -> Iterator[tuple[str, dict[str, str]]]:
    port = free_port()
    env = os.environ | {
        "THOTIS_DATA_DIR": str(data_dir),
        "PORT": str(port),
        "STAFF_EMAILS": STAFF,
        "SEED_DEMO": "true",
        "BOOKING_EMAIL_VERIFICATION": "false",
        "LOG_FORMAT": "text",
    }
    for name in ("DATABASE_URL", "SMTP_HOST", "PUBLIC_URL"):
        env.pop(name, None)
    url = f"http://127.0.0.1:{port}"
    process = subprocess.Popen([THOTIS, "serve"], env=env, cwd=ROOT)
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                if httpx.get(f"{url}/readyz", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("the service did not start")
            time.sleep(0.3)
        yield url, env
    finally:
        process.terminate()
        process.wait(timeout=30)


def save(path: Path) -> None:
    """Palette PNG (256 colours), optimised: a tenth of the raw screenshot for UI pictures."""
    with Image.open(path) as image:
        small = image.convert("RGB").quantize(colors=256, method=Image.Quantize.MEDIANCUT)
    small.save(path, optimize=True)


async def shot(page: Page, name: str) -> None:
    path = IMAGES / f"{name}.png"
    await page.screenshot(path=path)
    save(path)
    print(f"{path.relative_to(ROOT)}: {path.stat().st_size // 1024} KiB")


def mentor_link(mail_dir: Path, after: float) -> str:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        for mail in sorted(mail_dir.glob("*.eml"), key=lambda p: p.stat().st_mtime, reverse=True):
            if mail.stat().st_mtime < after:
                continue
            found = LINK.search(mail.read_text(errors="replace").replace("=\n", ""))
            if found:
                return found.group(0)
        time.sleep(0.3)
    raise RuntimeError("no sign-in mail arrived")


async def take(url: str, env: dict[str, str], data_dir: Path) -> None:
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--lang=fr-FR"],
        )
        visitor = await browser.new_page(**PAGE)
        await open_demo(visitor, url)
        await shot(visitor, "demo")
        await open_mentor(visitor)
        await shot(visitor, "calendar")
        await pick_slot(visitor)
        await fill_form(visitor, "Jade", "jade@lycee.example.fr", "Comment se passe la L1 ?")
        await submit(visitor)
        await confirmed(visitor)
        await shot(visitor, "confirmation")

        mentor = await browser.new_page(**PAGE)
        await mentor.goto(f"{url}/mentor/sign-in")
        await shot(mentor, "sign-in")
        asked = time.time() - 1
        await mentor.fill("#email", MENTOR)
        await mentor.locator("form[action='/mentor/sign-in/link'] button[type=submit]").click()
        link = mentor_link(data_dir / "mail", asked)
        await mentor.goto(url + link)
        await mentor.locator("form button[type=submit]").click()
        await mentor.wait_for_url(re.compile(r"/mentor(/.*)?$"))
        await mentor.goto(f"{url}/mentor")
        await shot(mentor, "onboarding")  # the demo mentors have not onboarded yet
        await mentor.goto(f"{url}/mentor/availability")
        await shot(mentor, "availability")

        staff_link = (
            subprocess.run(
                [THOTIS, "staff-link", STAFF],
                env=env,
                cwd=ROOT,
                capture_output=True,
                text=True,
                check=True,
            )
            .stdout.strip()
            .splitlines()[-1]
        )
        staff = await browser.new_page(**PAGE)
        await staff.goto(staff_link)
        await staff.locator("form button[type=submit]").click()
        await staff.wait_for_url(re.compile(r"/staff(/.*)?$"))
        await staff.goto(f"{url}/staff")
        await shot(staff, "staff-mentors")
        await browser.close()


def main() -> None:
    IMAGES.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="thotis-shots-") as folder:
        data_dir = Path(folder)
        with service(data_dir) as (url, env):
            asyncio.run(take(url, env, data_dir))


if __name__ == "__main__":
    main()
