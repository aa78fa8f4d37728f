"""pytest plugin: the real service running as in production, for browser and schema tests.

``live_server`` (session) serves ``create_app()`` with uvicorn on 127.0.0.1 (a real socket, in a
thread with its own event loop), on its own database cloned from the migrated template and
seeded with the demo data, with its in-process outbox worker sending mail to a real aiosmtpd
server (``live_server.smtp``). ``running_service`` starts another such service for a test
module that must not disturb the shared one (it changes data freely).
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from email.message import EmailMessage
from typing import Any

import httpx
import pytest
import uvicorn
from sqlalchemy.engine import URL

from api.app import create_app
from api.wiring import build_parts
from scheduler.platform import (
    Clock,
    Database,
    create_database,
    drop_database,
    system_clock,
    url_to_string,
)
from scheduler.schedules import seed
from testkit.smtp_sink import SmtpServer, free_port


@dataclass(frozen=True, slots=True)
class LiveServer:
    url: str
    database_url: str
    smtp: SmtpServer

    def messages(self) -> list[EmailMessage]:
        return [item.message() for item in self.smtp.received]


async def _seed(database_url: str) -> None:
    database = Database.from_url(database_url)
    try:
        async with database.session() as session:
            await seed(session)
            await session.commit()
    finally:
        await database.dispose()


class _Server(uvicorn.Server):
    def install_signal_handlers(self) -> None:  # the test process keeps its own handlers
        pass


@contextmanager
def running_service(
    admin_url: URL,
    template: str,
    name: str,
    *,
    clock: Clock = system_clock,
    **settings_changes: Any,
) -> Iterator[LiveServer]:
    """The app under uvicorn on a fresh seeded database ``name``, mail to a local aiosmtpd.
    ``clock``: the service's "now" (a test that must be at a given time passes its own)."""
    drop_database(admin_url, name)
    create_database(admin_url, name, template=template)
    database_url = url_to_string(admin_url.set(database=name))
    asyncio.run(_seed(database_url))

    smtp = SmtpServer().start()
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    values: dict[str, Any] = {
        "database_url": database_url,
        "public_url": url,
        "port": port,
        "cors_origins": (url,),
        "booking_limit_per_address": 0,
        "booking_limit_per_email": 0,
        "booking_limit_per_slot": 0,
        # Browser tests look at the list right after booking: no few-second staleness there.
        "filiere_cache_seconds": 0,
        "seed_demo": False,
        "embedded_worker": True,
        "outbox_poll_seconds": 0.2,
    }
    values.update(settings_changes)
    settings = smtp.settings(**values)
    server = _Server(
        uvicorn.Config(
            lambda: create_app(
                settings, build_parts(settings, Database.from_url(database_url), clock=clock)
            ),
            factory=True,
            host="127.0.0.1",
            port=port,
            log_level="warning",
            lifespan="on",
        )
    )
    thread = threading.Thread(target=server.run, name=f"service-{name}", daemon=True)
    thread.start()
    try:
        _wait_until_ready(url, thread)
        yield LiveServer(url=url, database_url=database_url, smtp=smtp)
    finally:
        server.should_exit = True
        thread.join(timeout=15)
        smtp.stop()
        drop_database(admin_url, name)


@pytest.fixture(scope="session")
def live_server(postgres_admin_url: URL, template_database: str) -> Iterator[LiveServer]:
    with running_service(postgres_admin_url, template_database, "t_live_server") as service:
        yield service


def _wait_until_ready(url: str, thread: threading.Thread, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    last: Any = None
    while time.monotonic() < deadline:
        if not thread.is_alive():
            raise RuntimeError("the live server stopped while starting")
        try:
            if httpx.get(f"{url}/readyz", timeout=2).status_code == 200:
                return
        except httpx.HTTPError as error:
            last = error
        time.sleep(0.1)
    raise RuntimeError(f"the live server did not become ready: {last}")
