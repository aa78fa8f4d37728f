"""Replicas starting together each run the migrations: the advisory lock makes them take turns,
so that all of them start and the schema is built once."""

from __future__ import annotations

import threading
import time

import psycopg

from scheduler.platform import libpq_params, normalize_url
from scheduler.platform import migrations as migrate
from tests.scheduler.platform.test_migrations import EXPECTED_TABLES, _tables


def test_replicas_migrating_a_fresh_database_together_all_succeed(
    empty_database_url: str,
) -> None:
    replicas = 6
    barrier = threading.Barrier(replicas)
    revisions: list[str | None] = []
    errors: list[BaseException] = []

    def start() -> None:
        barrier.wait()
        try:
            migrate.upgrade(empty_database_url)
            revisions.append(migrate.current_revision(empty_database_url))
        except BaseException as error:
            errors.append(error)

    # Daemon threads and a deadline: without the lock, replicas block each other on the DDL,
    # and the test must then fail rather than hang.
    threads = [threading.Thread(target=start, daemon=True) for _ in range(replicas)]
    for thread in threads:
        thread.start()
    deadline = time.monotonic() + 120
    for thread in threads:
        thread.join(timeout=max(0.0, deadline - time.monotonic()))
    assert not any(thread.is_alive() for thread in threads), "migrations blocked each other"
    assert errors == []
    assert revisions == [migrate.head_revision()] * replicas
    assert _tables(empty_database_url) >= EXPECTED_TABLES


def test_a_replica_waits_while_another_holds_the_migration_lock(empty_database_url: str) -> None:
    params = libpq_params(normalize_url(empty_database_url))
    with psycopg.connect(**params, autocommit=True) as holder:
        holder.execute("SELECT pg_advisory_lock(%s)", (migrate.MIGRATION_LOCK,))
        waiting = threading.Thread(target=migrate.upgrade, args=(empty_database_url,))
        waiting.start()
        time.sleep(1.5)
        assert waiting.is_alive() and _tables(empty_database_url) == set()
        holder.execute("SELECT pg_advisory_unlock(%s)", (migrate.MIGRATION_LOCK,))
        waiting.join(timeout=120)
    assert not waiting.is_alive()
    assert migrate.current_revision(empty_database_url) == migrate.head_revision()
