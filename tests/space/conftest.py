"""The mentor space and the staff console as they run in production: ``create_app()`` under
uvicorn on 127.0.0.1, its own database (migrated template + demo data), the in-process outbox
worker sending to a real aiosmtpd server, and Google (OAuth, OpenID, Calendar) played by the
fake Google server that the real client libraries talk to over HTTP.

``space`` (session) is that server; ``browser`` is Debian's chromium (Playwright, async API).
Each test gets a fresh browser context (cookies) through ``context``/``page``.
"""

from __future__ import annotations

import asyncio
import os
import threading
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import httpx
import psycopg
import pytest
import uvicorn
from cryptography.fernet import Fernet
from litestar import Litestar
from playwright.async_api import Browser, BrowserContext, Page, async_playwright
from sqlalchemy.engine import URL

from api.app import create_app
from api.wiring import build_parts
from scheduler.platform import (
    Database,
    create_database,
    drop_database,
    libpq_params,
    normalize_url,
    url_to_string,
)
from testkit.fake_google import CLIENT_ID, CLIENT_SECRET, FakeGoogle
from testkit.smtp_sink import SmtpServer, free_port
from tests.live import _seed, _Server, _wait_until_ready

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "space"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--no-first-run",
]
STAFF_EMAIL = "equipe@thotis.fr"
STAFF_DOMAIN = "staff.thotis.fr"


@dataclass
class Space:
    url: str
    database_url: str
    smtp: SmtpServer
    google: FakeGoogle
    # The app uvicorn built (once it has): a test may swap its settings, as a restart with
    # another environment would, and must put them back.
    apps: list[Litestar] = field(default_factory=list)

    def mail_to(self, address: str) -> list[EmailMessage]:
        return [
            item.message()
            for item in self.smtp.received
            if address.lower() in str(item.message().get("To", "")).lower()
        ]

    async def wait_for_mail(
        self, address: str, kind: str | None = None, timeout: float = 30.0
    ) -> EmailMessage:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while loop.time() < deadline:
            for message in self.mail_to(address):
                if kind is None or message.get("X-Thotis-Kind") == kind:
                    return message
            await asyncio.sleep(0.1)
        raise AssertionError(f"no {kind or 'mail'} to {address} within {timeout} s")

    async def wait_for_outbox(self, kind: str, timeout: float = 30.0) -> None:
        """Until the worker has handled every row of ``kind`` (sign-in links are its work)."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        pending = "SELECT count(*) FROM outbox WHERE kind = %s AND status = 'pending'"
        while self.sql(pending, kind) != [(0,)]:
            if loop.time() > deadline:
                raise AssertionError(f"{kind} rows still pending after {timeout} s")
            await asyncio.sleep(0.1)

    def sql(self, statement: str, *params: Any) -> list[tuple[Any, ...]]:
        """Run SQL on the server's database (test set-up and checks, never the code under test)."""
        url = normalize_url(self.database_url)
        with psycopg.connect(**libpq_params(url), autocommit=True) as connection:
            cursor = connection.execute(statement, params)
            return list(cursor.fetchall()) if cursor.description else []

    def api(self) -> httpx.AsyncClient:
        return httpx.AsyncClient(base_url=self.url, timeout=15.0)


@pytest.fixture(scope="session")
def space(postgres_admin_url: URL, template_database: str) -> Iterator[Space]:
    with pytest.MonkeyPatch.context() as env:
        # The fake Google speaks plain HTTP on 127.0.0.1, which oauthlib refuses unless told.
        env.setenv("OAUTHLIB_INSECURE_TRANSPORT", "1")
        env.setenv("OAUTHLIB_RELAX_TOKEN_SCOPE", "1")
        yield from _running_space(postgres_admin_url, template_database)


@pytest.fixture(scope="session")
def console(postgres_admin_url: URL, template_database: str) -> Iterator[Space]:
    """The same service with no Google client configured: staff sign in by link only."""
    yield from _running_space(postgres_admin_url, template_database, google_client=False)


def _running_space(admin: URL, template: str, *, google_client: bool = True) -> Iterator[Space]:
    name = f"t_space_{os.getpid()}{'' if google_client else '_nog'}"
    drop_database(admin, name)
    create_database(admin, name, template=template)
    database_url = url_to_string(admin.set(database=name))
    asyncio.run(_seed(database_url))
    google = FakeGoogle().start()
    smtp = SmtpServer().start()
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    settings = smtp.settings(
        database_url=database_url,
        public_url=url,
        port=port,
        cors_origins=(url,),
        booking_limit_per_address=0,
        booking_limit_per_email=0,
        booking_limit_per_slot=0,
        # Tests book a mentor's first free slot again and again: no cached calendar between.
        filiere_cache_seconds=0,
        seed_demo=False,
        embedded_worker=True,
        outbox_poll_seconds=0.2,
        google_client_id=CLIENT_ID if google_client else None,
        google_client_secret=CLIENT_SECRET if google_client else None,
        google_auth_uri=google.auth_uri,
        google_token_uri=google.token_uri,
        google_revoke_uri=google.revoke_uri,
        google_api_base=google.base_url,
        token_keys=(Fernet.generate_key().decode(),),
        staff_emails=(STAFF_EMAIL,),
        staff_domain=STAFF_DOMAIN,
    )
    apps: list[Litestar] = []

    def build() -> Litestar:
        app = create_app(settings, build_parts(settings, Database.from_url(database_url)))
        apps.append(app)
        return app

    server = _Server(
        uvicorn.Config(
            build,
            factory=True,
            host="127.0.0.1",
            port=port,
            log_level="warning",
            lifespan="on",
        )
    )
    thread = threading.Thread(target=server.run, name="space-server", daemon=True)
    thread.start()
    try:
        _wait_until_ready(url, thread)
        yield Space(url=url, database_url=database_url, smtp=smtp, google=google, apps=apps)
    finally:
        server.should_exit = True
        thread.join(timeout=15)
        smtp.stop()
        google.stop()
        drop_database(admin, name)


@pytest.fixture(scope="session")
async def browser() -> AsyncIterator[Browser]:
    async with async_playwright() as p:
        launched = await p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield launched
        await launched.close()


@pytest.fixture
async def context(browser: Browser) -> AsyncIterator[BrowserContext]:
    ctx = await browser.new_context(
        locale="fr-FR", timezone_id="Europe/Paris", viewport={"width": 1280, "height": 900}
    )
    yield ctx
    await ctx.close()


@pytest.fixture
async def page(context: BrowserContext) -> AsyncIterator[Page]:
    pg = await context.new_page()
    errors: list[str] = []
    pg.on("pageerror", lambda exc: errors.append(str(exc)))
    yield pg
    assert errors == []


@pytest.fixture(scope="session")
def artifacts() -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS
