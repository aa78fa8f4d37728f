"""The outbox: at-least-once, never twice at the same time, nothing lost when a worker dies."""

from __future__ import annotations

import asyncio
import subprocess
import sys
from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select, update

from scheduler.platform import (
    PROJECT_ROOT,
    Database,
    OutboxRow,
    PermanentDeliveryError,
    ReconnectRequired,
    outbox,
)
from testkit.factories import Clock

T0 = datetime(2030, 1, 7, 8, 0, tzinfo=UTC)


async def _add(db: Database, n: int, kind: str = "test.kind", at: datetime = T0) -> list[int]:
    async with db.sessions() as session:
        rows = [outbox.message(kind, at, n=i) for i in range(n)]
        ids = (
            (await session.execute(OutboxRow.__table__.insert().returning(OutboxRow.id), rows))
            .scalars()
            .all()
        )
        await session.commit()
    return list(ids)


async def _row(db: Database, row_id: int) -> OutboxRow:
    async with db.sessions() as session:
        return (await session.execute(select(OutboxRow).where(OutboxRow.id == row_id))).scalar_one()


async def test_delivered_rows_are_marked_and_not_delivered_again(db: Database) -> None:
    (row_id,) = await _add(db, 1)
    seen: list[outbox.OutboxMessage] = []

    async def handler(message: outbox.OutboxMessage) -> None:
        seen.append(message)

    clock = Clock(T0)
    assert (
        await outbox.drain(db, {"test.kind": handler}, worker_id="w", max_attempts=3, now=clock)
        == 1
    )
    assert (
        await outbox.drain(db, {"test.kind": handler}, worker_id="w", max_attempts=3, now=clock)
        == 0
    )
    assert [(m.id, m.kind, dict(m.payload), m.attempts) for m in seen] == [
        (row_id, "test.kind", {"n": 0}, 0)
    ]
    row = await _row(db, row_id)
    assert (row.status, row.attempts, row.claimed_by, row.last_error) == ("delivered", 1, "w", None)
    assert row.delivered_at is not None


async def test_rows_wait_for_their_time_and_for_a_worker_that_knows_their_kind(
    db: Database,
) -> None:
    (later,) = await _add(db, 1, at=T0 + timedelta(hours=1))
    (other,) = await _add(db, 1, kind="other.kind")
    calls: list[int] = []

    async def handler(message: outbox.OutboxMessage) -> None:
        calls.append(message.id)

    clock = Clock(T0)
    assert (
        await outbox.drain(db, {"test.kind": handler}, worker_id="w", max_attempts=3, now=clock)
        == 0
    )
    clock.now = T0 + timedelta(hours=1)
    assert (
        await outbox.drain(db, {"test.kind": handler}, worker_id="w", max_attempts=3, now=clock)
        == 1
    )
    assert calls == [later]
    assert (await _row(db, other)).status == "pending"


async def test_failures_back_off_then_fail_with_the_error_kept(db: Database) -> None:
    (row_id,) = await _add(db, 1)

    async def broken(message: outbox.OutboxMessage) -> None:
        raise ConnectionError(f"SMTP down (attempt {message.attempts + 1})")

    clock = Clock(T0)
    handlers = {"test.kind": broken}
    delays = []
    for attempt in range(1, 4):
        assert await outbox.drain(db, handlers, worker_id="w", max_attempts=4, now=clock) == 1
        row = await _row(db, row_id)
        assert (row.status, row.attempts) == ("pending", attempt)
        assert f"attempt {attempt}" in (row.last_error or "")
        delay = row.available_at - clock.now
        step = outbox.BACKOFF_BASE * 2 ** (attempt - 1)
        assert step / 2 <= delay <= step
        delays.append(delay)
        # Not due yet: nothing happens before the back-off has passed.
        assert await outbox.drain(db, handlers, worker_id="w", max_attempts=4, now=clock) == 0
        clock.now = row.available_at
    assert await outbox.drain(db, handlers, worker_id="w", max_attempts=4, now=clock) == 1
    row = await _row(db, row_id)
    assert (row.status, row.attempts) == ("failed", 4)
    assert "ConnectionError: SMTP down (attempt 4)" in (row.last_error or "")


async def test_a_permanent_error_fails_at_once_and_reconnect_waits(db: Database) -> None:
    permanent, reconnect = await _add(db, 2)

    async def handler(message: outbox.OutboxMessage) -> None:
        if message.id == permanent:
            raise PermanentDeliveryError("550 no such user")
        raise ReconnectRequired("Google access revoked")

    clock = Clock(T0)
    await outbox.drain(db, {"test.kind": handler}, worker_id="w", max_attempts=5, now=clock)
    row = await _row(db, permanent)
    assert (row.status, row.attempts) == ("failed", 1) and "550 no such user" in (
        row.last_error or ""
    )
    row = await _row(db, reconnect)
    assert (row.status, row.attempts) == ("pending", 0)
    assert row.available_at == T0 + outbox.RECONNECT_WAIT


def test_backoff_grows_exponentially_up_to_a_cap() -> None:
    import random

    rng = random.Random(7)
    for attempts in range(1, 30):
        step = min(outbox.BACKOFF_CAP, outbox.BACKOFF_BASE * 2 ** (attempts - 1))
        assert step / 2 <= outbox.backoff(attempts, rng) <= step
    assert len({outbox.backoff(3, rng) for _ in range(20)}) > 1  # jitter


def test_backoff_stays_at_the_cap_however_many_attempts() -> None:
    # OUTBOX_MAX_ATTEMPTS is a setting: BACKOFF_BASE * 2 ** 43 overflowed timedelta.
    for attempts in (44, 45, 100, 10_000):
        assert outbox.BACKOFF_CAP / 2 <= outbox.backoff(attempts) <= outbox.BACKOFF_CAP


async def test_two_workers_never_deliver_the_same_row(db: Database, database_url: str) -> None:
    ids = await _add(db, 120)
    deliveries: Counter[int] = Counter()
    by_worker: Counter[str] = Counter()

    def handler_for(worker: str) -> outbox.Handler:
        async def handler(message: outbox.OutboxMessage) -> None:
            deliveries[message.id] += 1
            by_worker[worker] += 1
            await asyncio.sleep(0.002)  # let the other worker interleave

        return handler

    workers = [Database.from_url(database_url, pool_size=4) for _ in range(2)]
    try:
        handled = await asyncio.gather(
            *(
                outbox.drain(
                    w,
                    {"test.kind": handler_for(f"w{i}")},
                    worker_id=f"w{i}",
                    max_attempts=3,
                    now=Clock(T0),
                )
                for i, w in enumerate(workers)
            )
        )
    finally:
        for w in workers:
            await w.dispose()
    assert sum(handled) == 120
    assert deliveries == Counter(dict.fromkeys(ids, 1))
    assert by_worker["w0"] > 0 and by_worker["w1"] > 0


KILLED_WORKER = """
import asyncio, sys, time
from datetime import datetime, timezone
from scheduler.platform import Database, outbox

async def main(url):
    db = Database.from_url(url)
    async def handler(message):
        print("claimed", message.id, flush=True)
        time.sleep(120)  # a delivery that never finishes: the process is killed here
    await outbox.deliver_one(db, {"test.kind": handler}, worker_id="doomed", max_attempts=3,
                             now=lambda: datetime(2030, 1, 7, 8, 0, tzinfo=timezone.utc))

asyncio.run(main(sys.argv[1]))
"""


async def test_a_worker_killed_mid_delivery_loses_nothing(db: Database, database_url: str) -> None:
    (row_id,) = await _add(db, 1)
    doomed = subprocess.Popen(
        [sys.executable, "-c", KILLED_WORKER, database_url],
        cwd=PROJECT_ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert doomed.stdout is not None
        line = await asyncio.to_thread(doomed.stdout.readline)
        assert line.split() == ["claimed", str(row_id)]
        # While the doomed worker holds the row, nobody else can take it.
        calls: list[int] = []

        async def handler(message: outbox.OutboxMessage) -> None:
            calls.append(message.id)

        assert (
            await outbox.drain(
                db, {"test.kind": handler}, worker_id="w", max_attempts=3, now=Clock(T0)
            )
            == 0
        )
    finally:
        doomed.kill()
        await asyncio.to_thread(doomed.wait)
        if doomed.stdout is not None:
            doomed.stdout.close()
    # Killed between claim and commit: its transaction is rolled back and the row is pending.
    for _ in range(200):
        if await outbox.drain(
            db, {"test.kind": handler}, worker_id="w", max_attempts=3, now=Clock(T0)
        ):
            break
        await asyncio.sleep(0.05)
    assert calls == [row_id]
    row = await _row(db, row_id)
    assert (row.status, row.attempts, row.claimed_by) == ("delivered", 1, "w")
    assert (
        await outbox.drain(db, {"test.kind": handler}, worker_id="w", max_attempts=3, now=Clock(T0))
        == 0
    )
    assert calls == [row_id]


async def test_a_cancelled_delivery_leaves_the_row_pending(db: Database) -> None:
    (row_id,) = await _add(db, 1)
    started = asyncio.Event()

    async def slow(message: outbox.OutboxMessage) -> None:
        started.set()
        await asyncio.sleep(60)

    task = asyncio.create_task(
        outbox.deliver_one(db, {"test.kind": slow}, worker_id="w", max_attempts=3, now=Clock(T0))
    )
    await started.wait()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    row = await _row(db, row_id)
    assert (row.status, row.attempts) == ("pending", 0)


async def test_a_sealed_payload_is_emptied_once_delivered_or_failed_but_kept_for_a_retry(
    db: Database,
) -> None:
    delivered, failing, retried = await _add(db, 3, kind=outbox.MAIL_SIGN_IN_LINK)

    async def handler(message: outbox.OutboxMessage) -> None:
        if message.id == failing:
            raise PermanentDeliveryError("refused")
        if message.id == retried:
            raise RuntimeError("try again")

    await outbox.drain(
        db, {outbox.MAIL_SIGN_IN_LINK: handler}, worker_id="w", max_attempts=3, now=Clock(T0)
    )
    assert (await _row(db, delivered)).payload == {}
    assert (await _row(db, failing)).payload == {}
    assert (await _row(db, retried)).payload == {"n": 2}


async def test_statements_left_by_a_handler_commit_with_the_rows_outcome(db: Database) -> None:
    (row,) = await _add(db, 1)
    (other,) = await _add(db, 1, kind="other.kind")

    async def handler(message: outbox.OutboxMessage) -> None:
        message.with_outcome.append(
            update(OutboxRow).where(OutboxRow.id == other).values(last_error="noted")
        )
        raise RuntimeError("refused after the note")

    await outbox.drain(db, {"test.kind": handler}, worker_id="w", max_attempts=3, now=Clock(T0))

    assert (await _row(db, other)).last_error == "noted"
    assert (await _row(db, row)).attempts == 1
