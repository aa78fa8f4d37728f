"""The database handle: one async engine (psycopg 3) and its session factory.

Every service takes an ``AsyncSession``; whoever composes the application (``create_app()``,
the worker, the tests) builds one ``Database`` from a URL and disposes it at the end.
"""

from __future__ import annotations

import select
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import psycopg
from sqlalchemy import event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.pool import ConnectionPoolEntry

DRIVER = "postgresql+psycopg"

# A pooled connection idle for longer than this gets a real ping (a round trip) on checkout,
# for the failures that leave no trace on the socket (a peer gone without closing).
PING_AFTER_IDLE_SECONDS = 10.0
_IDLE_SINCE = "thotis_idle_since"


def normalize_url(url: str | URL) -> URL:
    """Any PostgreSQL URL (``postgres://``, ``postgresql://``, ``postgresql+psycopg://``) as a
    SQLAlchemy URL for psycopg 3, which serves both the async engine and Alembic."""
    parsed = make_url(url) if isinstance(url, str) else url
    if parsed.get_backend_name() != "postgresql" and parsed.drivername != "postgres":
        raise ValueError(f"not a PostgreSQL URL: {parsed.drivername}")
    return parsed.set(drivername=DRIVER)


def url_to_string(url: URL) -> str:
    return url.render_as_string(hide_password=False)


@dataclass(frozen=True, slots=True)
class Database:
    engine: AsyncEngine
    sessions: async_sessionmaker[AsyncSession]

    @classmethod
    def from_url(cls, url: str | URL, **engine_options: Any) -> Database:
        # At most 15 connections a process, and a request beyond them waits in the pool's queue
        # (up to pool_timeout, 30 s) rather than opening more: six processes (web and worker)
        # stay under PostgreSQL's default max_connections of 100, where 30 each passed it at
        # three web processes and a worker under a rush (connection refused, 503).
        options: dict[str, Any] = {"pool_size": 10, "max_overflow": 5}
        options.update(engine_options)
        engine = create_async_engine(normalize_url(url), **options)
        if not options.get("pool_pre_ping"):
            check_on_checkout(engine)
        return cls(engine, async_sessionmaker(engine, expire_on_commit=False))

    def session(self) -> AsyncSession:
        return self.sessions()

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[AsyncSession]:
        """A session inside one transaction: committed on success, rolled back on error."""
        async with self.sessions() as session, session.begin():
            yield session

    async def dispose(self) -> None:
        await self.engine.dispose()


def check_on_checkout(engine: AsyncEngine) -> None:
    """Hand out only live connections, like ``pool_pre_ping`` but without its round trip on
    every checkout, which cost a busy service more than some of its queries.

    A server that restarts, or ends a session, closes the socket: the client's end turns
    readable, which a zero-timeout poll sees at the cost of one system call (an idle connection
    otherwise never has anything to read). A connection idle for longer than
    PING_AFTER_IDLE_SECONDS also gets the dialect's ping. A dead one is replaced before the
    request uses it, so a restart costs no request an error once the server is back.
    """
    pool = engine.sync_engine.pool
    dialect = engine.sync_engine.dialect

    @event.listens_for(pool, "checkin")
    def _idle_from(dbapi_connection: Any, record: ConnectionPoolEntry) -> None:
        record.info[_IDLE_SINCE] = time.monotonic()

    @event.listens_for(pool, "checkout")
    def _alive(dbapi_connection: Any, record: ConnectionPoolEntry, _proxy: Any) -> None:
        idle_since = record.info.pop(_IDLE_SINCE, None)
        if idle_since is None:  # just connected
            return
        if _hung_up(dbapi_connection.driver_connection):
            raise DisconnectionError("the server closed this connection")
        if time.monotonic() - idle_since > PING_AFTER_IDLE_SECONDS:
            try:
                dialect.do_ping(dbapi_connection)
            except Exception as error:
                raise DisconnectionError("the connection does not answer a ping") from error


def _hung_up(connection: psycopg.AsyncConnection[Any]) -> bool:
    """Whether the server has closed, or is closing, this idle connection."""
    try:
        descriptor = connection.pgconn.socket
    except psycopg.OperationalError:  # libpq already knows it is gone
        return True
    poller = select.poll()
    poller.register(descriptor, select.POLLIN | select.POLLERR | select.POLLHUP)
    return bool(poller.poll(0))
