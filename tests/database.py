"""pytest plugin: a real PostgreSQL for the tests (registered in tests/conftest.py).

The server is TEST_DATABASE_URL when set (any database on it; we create our own), otherwise an
embedded PostgreSQL in a throw-away folder under var/ (never the machine's 127.0.0.1:5432).
Once per session the migrations are applied to a template database; each test gets a database
copied from it (``CREATE DATABASE … TEMPLATE``), so a test may commit, open many connections and
race without cleaning up after itself. Copying costs ~0.5 s on a busy 2-core machine, so a
database is recycled after its test by truncating every table (tens of ms) — the same state as
a fresh copy of the template, whose tables are empty.

Fixtures:
    postgres_admin_url  (session)  sqlalchemy URL of the server's maintenance database
    template_database   (session)  name of the migrated template
    database_url        (function) str, postgresql+psycopg:// URL of a fresh migrated database
    empty_database_url  (function) str, URL of a fresh database without any schema
    db                  (function) scheduler.platform.Database on ``database_url`` (disposed after)
    restartable         (function) a server of the test's own that it may stop and start again
"""

from __future__ import annotations

import itertools
import os
import shutil
import tempfile
import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path

import psycopg
import pytest
import pytest_asyncio
from sqlalchemy.engine import URL

from scheduler.platform import (
    PROJECT_ROOT,
    Database,
    EmbeddedPostgres,
    create_database,
    drop_database,
    libpq_params,
    normalize_url,
    url_to_string,
)
from scheduler.platform import migrations as migrate
from scheduler.platform.embedded_host import pid_alive

_counter = itertools.count(1)


TEST_SERVERS = PROJECT_ROOT / "var" / "test-pg"


def _remove_abandoned_servers() -> None:
    """Throw-away folders of sessions that were killed (their server died with them, by the
    parent-death signal); old enough not to be a concurrent session still starting."""
    if not TEST_SERVERS.exists():
        return
    for folder in TEST_SERVERS.glob("pg-test-*"):
        owner = folder / "owner.pid"
        try:
            age = time.time() - folder.stat().st_mtime
            pid = int(owner.read_text()) if owner.exists() else None
        except (OSError, ValueError):
            continue
        if age > 600 and (pid is None or not pid_alive(pid)):
            shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(scope="session")
def postgres_admin_url() -> Iterator[URL]:
    given = os.environ.get("TEST_DATABASE_URL")
    if given:
        yield normalize_url(given).set(database="postgres")
        return
    _remove_abandoned_servers()
    server = EmbeddedPostgres.throwaway_under(TEST_SERVERS)
    with server:
        yield server.url("postgres")


@pytest.fixture(scope="session")
def template_database(postgres_admin_url: URL) -> Iterator[str]:
    name = f"thotis_tmpl_{os.getpid()}"
    drop_database(postgres_admin_url, name)
    create_database(postgres_admin_url, name)
    migrate.upgrade(postgres_admin_url.set(database=name))
    yield name
    drop_database(postgres_admin_url, name)


def _fresh(admin: URL, template: str | None) -> tuple[str, str]:
    name = f"t_{os.getpid()}_{next(_counter)}"
    create_database(admin, name, template=template or "template0")
    return name, url_to_string(admin.set(database=name))


@pytest.fixture(scope="session")
def _recycled_databases(postgres_admin_url: URL) -> Iterator[list[str]]:
    free: list[str] = []
    yield free
    for name in free:
        drop_database(postgres_admin_url, name)


def _truncate_all(url: URL) -> None:
    with psycopg.connect(**libpq_params(url), autocommit=True) as connection:
        connection.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
        tables = [
            row[0]
            for row in connection.execute(
                "SELECT quote_ident(tablename) FROM pg_tables WHERE schemaname = 'public' "
                "AND tablename <> 'alembic_version'"
            )
        ]
        if tables:
            connection.execute(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE")


@pytest.fixture
def database_url(
    postgres_admin_url: URL, template_database: str, _recycled_databases: list[str]
) -> Iterator[str]:
    if _recycled_databases:
        name = _recycled_databases.pop()
        url = url_to_string(postgres_admin_url.set(database=name))
    else:
        name, url = _fresh(postgres_admin_url, template_database)
    yield url
    try:
        _truncate_all(postgres_admin_url.set(database=name))
    except psycopg.Error:
        drop_database(postgres_admin_url, name)
    else:
        _recycled_databases.append(name)


@pytest.fixture
def empty_database_url(postgres_admin_url: URL) -> Iterator[str]:
    name, url = _fresh(postgres_admin_url, None)
    yield url
    drop_database(postgres_admin_url, name)


@pytest_asyncio.fixture(loop_scope="session")
async def db(database_url: str) -> AsyncIterator[Database]:
    database = Database.from_url(database_url)
    yield database
    await database.dispose()


@dataclass(frozen=True)
class Restartable:
    """A migrated database on an embedded server that only this test uses, so that it can take
    the server down and bring it back (whatever TEST_DATABASE_URL says: a shared server cannot
    be restarted by a test)."""

    server: EmbeddedPostgres
    url: str

    def stop(self) -> None:
        self.server.stop()

    def start(self) -> None:
        self.server.start()


@pytest.fixture
def restartable() -> Iterator[Restartable]:
    TEST_SERVERS.mkdir(parents=True, exist_ok=True)
    root = Path(tempfile.mkdtemp(prefix="pg-test-restart-", dir=TEST_SERVERS))
    server = EmbeddedPostgres(root, durable=False)
    try:
        server.start()
        create_database(server.url(), "app")
        migrate.upgrade(server.url("app"))
        yield Restartable(server, url_to_string(server.url("app")))
    finally:
        server.stop()
        shutil.rmtree(root, ignore_errors=True)
