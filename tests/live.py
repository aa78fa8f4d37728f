"""pytest plugin: the real service running as in production, for browser tests.

``live_server`` (session) serves ``create_app()`` with uvicorn on 127.0.0.1 (a real socket, in a
thread with its own event loop), on its own database cloned from the migrated template and
seeded with the demo data, with its in-process outbox worker sending mail to a real aiosmtpd
server (``live_server.smtp``).
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from email.message import EmailMessage
from typing import Any

import httpx
import pytest
import uvicorn
from sqlalchemy.engine import URL

from api.app import create_app
from scheduler.db import Database, url_to_string
from scheduler.demo import seed
from scheduler.embedded_db import create_database, drop_database
from tests.integrations.smtp_server import SmtpServer, free_port


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


@pytest.fixture(scope="session")
def live_server(postgres_admin_url: URL, template_database: str) -> Iterator[LiveServer]:
    name = "t_live_server"
    drop_database(postgres_admin_url, name)
    create_database(postgres_admin_url, name, template=template_database)
    database_url = url_to_string(postgres_admin_url.set(database=name))
    asyncio.run(_seed(database_url))

    smtp = SmtpServer().start()
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    settings = smtp.settings(
        database_url=database_url,
        public_url=url,
        port=port,
        cors_origins=(url,),
        booking_rate_limit_per_minute=1000,
        seed_demo=False,
        embedded_worker=True,
        outbox_poll_seconds=0.2,
    )
    server = _Server(
        uvicorn.Config(
            lambda: create_app(settings),
            factory=True,
            host="127.0.0.1",
            port=port,
            log_level="warning",
            lifespan="on",
        )
    )
    thread = threading.Thread(target=server.run, name="live-server", daemon=True)
    thread.start()
    _wait_until_ready(url, thread)
    try:
        yield LiveServer(url=url, database_url=database_url, smtp=smtp)
    finally:
        server.should_exit = True
        thread.join(timeout=15)
        smtp.stop()
        drop_database(postgres_admin_url, name)


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
