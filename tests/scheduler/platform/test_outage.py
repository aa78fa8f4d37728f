"""A database that cannot serve is reported as ``DatabaseUnavailable`` (try again), never taken
for a bug nor for bad input; the pool and the worker recover by themselves once it is back."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator

import psycopg
import pytest
import pytest_asyncio
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from scheduler import booking, catalog
from scheduler.platform import (
    Database,
    DatabaseUnavailable,
    Worker,
    database_outage,
    driver_connection,
    fetch_all,
    libpq_params,
    outbox,
)
from scheduler.platform import db as platform_db
from testkit.factories import NOW, TUESDAY_18H, ensure_filiere, make_mentor, visitor
from testkit.settings import settings_of
from tests.database import Restartable


@pytest_asyncio.fixture(loop_scope="session")
async def own_db(restartable: Restartable) -> AsyncIterator[Database]:
    database = Database.from_url(restartable.url)
    yield database
    await database.dispose()


async def _terminate(db: Database, pid: int) -> None:
    """End a server session from a connection of its own (not one of ``db``'s pool)."""
    params = libpq_params(db.engine.url)
    async with await psycopg.AsyncConnection.connect(**params, autocommit=True) as other:
        # With a timeout, it returns once the session is gone (PostgreSQL 14 and later).
        await other.execute("SELECT pg_terminate_backend(%s, 5000)", (pid,))


async def test_a_stopped_server_is_an_outage(restartable: Restartable, own_db: Database) -> None:
    restartable.stop()
    with pytest.raises(DBAPIError) as raised:
        async with own_db.sessions() as session:
            await catalog.list_filieres(session)
    outage = database_outage(raised.value)
    assert isinstance(outage, DatabaseUnavailable)
    assert (outage.status, outage.code) == (503, "database_unavailable")


async def test_the_pool_reconnects_by_itself_once_the_server_is_back(
    restartable: Restartable, own_db: Database
) -> None:
    await ensure_filiere(own_db)  # leaves a pooled connection to a server about to go away
    restartable.stop()
    restartable.start()
    async with own_db.sessions() as session:
        assert [f.slug for f in await catalog.list_filieres(session)] == ["droit"]


async def test_a_pooled_connection_the_server_ended_is_replaced_before_use(db: Database) -> None:
    async with db.sessions() as session:
        pid = (await session.execute(text("SELECT pg_backend_pid()"))).scalar_one()
    await _terminate(db, pid)  # while it waits in the pool, idle for well under a second
    await asyncio.sleep(0.05)  # the server's goodbye reaches the socket
    async with db.sessions() as session:
        fresh = (await session.execute(text("SELECT pg_backend_pid()"))).scalar_one()
    assert fresh != pid


async def test_a_long_idle_connection_is_pinged_before_use(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A peer gone without a word leaves the socket quiet: only the ping can tell.
    monkeypatch.setattr(platform_db, "_hung_up", lambda connection: False)
    monkeypatch.setattr(platform_db, "PING_AFTER_IDLE_SECONDS", 0.0)
    async with db.sessions() as session:
        pid = (await session.execute(text("SELECT pg_backend_pid()"))).scalar_one()
    await _terminate(db, pid)
    async with db.sessions() as session:
        fresh = (await session.execute(text("SELECT pg_backend_pid()"))).scalar_one()
    assert fresh != pid


async def test_a_connection_killed_mid_transaction_is_an_outage(db: Database) -> None:
    async with db.sessions() as session:
        pid = (await session.execute(text("SELECT pg_backend_pid()"))).scalar_one()
        await _terminate(db, pid)
        with pytest.raises(DBAPIError) as raised:
            await session.execute(text("SELECT 1"))
    assert isinstance(database_outage(raised.value), DatabaseUnavailable)


async def test_a_killed_connection_on_the_raw_driver_path_is_an_outage(db: Database) -> None:
    session = db.sessions()
    connection = await driver_connection(session)
    pid = (await fetch_all(connection, "SELECT pg_backend_pid() AS pid", {}))[0].pid
    await _terminate(db, pid)
    with pytest.raises(psycopg.OperationalError) as raised:
        await fetch_all(connection, "SELECT 1 AS one", {})
    assert isinstance(database_outage(raised.value), DatabaseUnavailable)
    # SQLAlchemy learns of the loss only when it rolls back: that too reads as an outage, and
    # the pool drops the connection.
    with pytest.raises(DBAPIError) as closing:
        await session.close()
    assert isinstance(database_outage(closing.value), DatabaseUnavailable)
    async with db.sessions() as fresh:
        assert (await fresh.execute(text("SELECT 1"))).scalar_one() == 1


async def test_a_statement_timeout_is_an_outage(db: Database) -> None:
    async with db.sessions() as session:
        await session.execute(text("SET LOCAL statement_timeout = '50ms'"))
        with pytest.raises(DBAPIError) as raised:
            await session.execute(text("SELECT pg_sleep(2)"))
    assert isinstance(database_outage(raised.value), DatabaseUnavailable)


async def test_no_free_connection_in_the_pool_is_an_outage(database_url: str) -> None:
    db = Database.from_url(database_url, pool_size=1, max_overflow=0, pool_timeout=0.1)
    try:
        async with db.sessions() as holder:
            await holder.connection()
            with pytest.raises(PoolTimeout) as raised:
                async with db.sessions() as session:
                    await session.connection()
    finally:
        await db.dispose()
    assert isinstance(database_outage(raised.value), DatabaseUnavailable)


@pytest.mark.parametrize(
    "statement",
    [
        "SELECT 1 / 0",  # a data error
        "SELEKT 1",  # a bug
        "INSERT INTO filieres (id, slug) VALUES (NULL, NULL)",  # a constraint
    ],
)
async def test_a_bad_statement_is_not_an_outage(db: Database, statement: str) -> None:
    async with db.sessions() as session:
        with pytest.raises(DBAPIError) as raised:
            await session.execute(text(statement))
    assert database_outage(raised.value) is None


def test_an_ordinary_exception_is_not_an_outage() -> None:
    assert database_outage(ValueError("no")) is None


async def test_the_worker_delivers_what_was_pending_once_the_database_is_back(
    restartable: Restartable, own_db: Database, caplog: pytest.LogCaptureFixture
) -> None:
    mentor = await make_mentor(own_db)
    async with own_db.sessions() as session:
        await booking.book(
            session, mentor_id=mentor.id, slot_start=TUESDAY_18H, visitor=visitor(), now=NOW
        )
    delivered: list[int] = []
    both = asyncio.Event()

    async def handler(message: outbox.OutboxMessage) -> None:
        delivered.append(message.id)
        if len(delivered) >= 2:
            both.set()

    worker = Worker(
        own_db,
        settings_of(outbox_poll_seconds=0.05),
        {outbox.MAIL_BOOKING_CONFIRMED: handler, outbox.CALENDAR_UPSERT_EVENT: handler},
        clock=lambda: NOW,
    )
    restartable.stop()
    stop = asyncio.Event()
    running = asyncio.create_task(worker.run(stop))
    try:
        with caplog.at_level(logging.WARNING, logger="thotis.worker"):
            for _ in range(200):
                if any("does not answer" in r.getMessage() for r in caplog.records):
                    break
                await asyncio.sleep(0.05)
            assert delivered == []
            restartable.start()
            await asyncio.wait_for(both.wait(), 30)
            await asyncio.sleep(0.3)  # a few more ticks: nothing is delivered twice
    finally:
        stop.set()
        await running
    assert len(delivered) == 2 and len(set(delivered)) == 2
    warnings = [r for r in caplog.records if "does not answer" in r.getMessage()]
    # One line each, without traceback.
    assert warnings and all(r.exc_info is None and "\n" not in r.getMessage() for r in warnings)
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


async def test_a_booking_whose_connection_dies_midway_stores_nothing(db: Database) -> None:
    mentor = await make_mentor(db)
    # Test set-up: the session ends itself while the booking writes its outbox rows, after
    # the booking row is in (the server dying mid-transaction, at a chosen moment).
    async with db.sessions() as session:
        await session.execute(
            text(
                "CREATE FUNCTION die() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
                "PERFORM pg_terminate_backend(pg_backend_pid()); RETURN NEW; END $$"
            )
        )
        await session.execute(
            text("CREATE TRIGGER die BEFORE INSERT ON outbox FOR EACH ROW EXECUTE FUNCTION die()")
        )
        await session.commit()
    with pytest.raises(Exception) as raised:
        async with db.sessions() as session:
            await booking.book(
                session, mentor_id=mentor.id, slot_start=TUESDAY_18H, visitor=visitor(), now=NOW
            )
    assert isinstance(database_outage(raised.value), DatabaseUnavailable)
    async with db.sessions() as session:
        await session.execute(text("DROP TRIGGER die ON outbox"))
        await session.commit()
        for table in ("bookings", "manage_tokens", "outbox", "audit_log"):
            if table == "audit_log":  # the mentor's creation is audited; the booking is not
                query = "SELECT count(*) FROM audit_log WHERE action = 'book'"
            else:
                query = f"SELECT count(*) FROM {table}"
            assert (await session.execute(text(query))).scalar_one() == 0, table
        made = await booking.book(
            session, mentor_id=mentor.id, slot_start=TUESDAY_18H, visitor=visitor(), now=NOW
        )
        booked = "SELECT count(*) FROM audit_log WHERE action = 'book'"
        assert (await session.execute(text(booked))).scalar_one() == 1  # the query counts
    assert made.booking.start == TUESDAY_18H
