"""Mail under crashes: bookings' confirmations delivered by ``thotis worker`` processes that are
killed with SIGKILL, and PostgreSQL killed with SIGKILL, again and again, against an SMTP
server in another process that logs every accepted Message-ID (``testkit.smtp_log_sink``).

Shared by the short test (tests/scheduler/messaging/test_crash.py) and the soak
(bench/crash.py). What it reports: how many messages were expected (two per booking), how many
distinct Message-IDs arrived, how many arrived more than once, and the kills.
"""

from __future__ import annotations

import asyncio
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from uuid import UUID

from sqlalchemy import text

from scheduler import booking
from scheduler.platform import PROJECT_ROOT, Database, EmbeddedPostgres, url_to_string
from scheduler.platform import migrations as migrate
from scheduler.schedules import mentor_slots
from testkit.factories import make_mentor, visitor
from testkit.smtp_sink import free_port


@dataclass(frozen=True, slots=True)
class CrashCounts:
    expected: int  # Message-IDs the bookings call for
    arrived: int  # distinct Message-IDs the SMTP server accepted
    missing: int  # expected but never accepted
    duplicated: int  # accepted more than once (extra copies)
    same_id: bool  # every copy carried its message's one Message-ID (counted by it)
    # Messages the killed worker sent and did not record, counted once per kill that caught
    # them (seen while it lay dead): the ones in flight at a kill, the only ones that may be
    # sent again. In a round where PostgreSQL was killed, the worker lives on and may send
    # again, before it is killed in turn, a mail whose record the restart lost: every message
    # of such a round counts as in flight.
    in_flight: int
    # Extra copies beyond one per kill that caught their message in flight: must be none.
    unexplained: int
    worker_kills: int
    database_kills: int
    concurrency: int  # deliveries a worker has in flight at most


async def _book(db: Database, count: int) -> list[str]:
    now = datetime.now(UTC)
    ids: list[str] = []
    mentors = [await make_mentor(db) for _ in range(count // 100 + 1)]
    free: list[tuple[datetime, UUID]] = []
    async with db.sessions() as session:
        for mentor in mentors:
            offer = await mentor_slots(session, mentor.id, now, now, now + timedelta(days=29))
            free += [(start, mentor.id) for start in offer.slots]
    free.sort(key=lambda pair: pair[0])
    for n, (start, mentor_id) in enumerate(free[:count]):
        async with db.sessions() as session:
            result = await booking.book(
                session, mentor_id=mentor_id, slot_start=start, visitor=visitor(n), now=now
            )
        ids.append(str(result.booking.id))
    return ids


async def _confirmed_all(db: Database) -> bool:
    async with db.sessions() as session:
        left = await session.execute(
            text(
                "select count(*) from outbox where kind = 'mail.booking_confirmed' "
                "and status <> 'delivered'"
            )
        )
        return int(left.scalar_one()) == 0


def _worker(url: str, port: int, data_dir: str) -> subprocess.Popen[bytes]:
    env = dict(os.environ)
    env.update(
        DATABASE_URL=url,
        SMTP_HOST="127.0.0.1",
        SMTP_PORT=str(port),
        SMTP_STARTTLS="false",
        THOTIS_DATA_DIR=data_dir,
        OUTBOX_POLL_SECONDS="0.2",
        LOG_FORMAT="text",
    )
    return subprocess.Popen(
        [sys.executable, "-m", "api", "worker"],
        cwd=PROJECT_ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


async def run_crashes(
    bookings: int, rounds: int, *, kill_database_every: int = 2, seed: int = 0, settle: float = 60
) -> CrashCounts:
    """Book ``bookings`` slots, then ``rounds`` times: start a worker, let it deliver for a
    random moment once it has begun, kill it with SIGKILL (and every ``kill_database_every``-th round PostgreSQL
    too, which its supervisor starts again). Then a last worker finishes the outbox."""
    rng = random.Random(seed)
    server = EmbeddedPostgres.throwaway_under(PROJECT_ROOT / "var" / "crash-pg", prefix="crash-")
    with server, tempfile.TemporaryDirectory() as scratch:
        server.supervise(every=0.2)
        url = url_to_string(server.url("postgres"))
        migrate.upgrade(url)
        db = Database.from_url(url)
        try:
            booking_ids = await _book(db, bookings)
            port = free_port()
            log = Path(scratch) / "accepted.txt"
            sink = subprocess.Popen(
                [sys.executable, "-m", "testkit.smtp_log_sink", str(port), str(log)],
                cwd=PROJECT_ROOT,
                stdout=subprocess.PIPE,
            )
            assert sink.stdout is not None
            await asyncio.to_thread(sink.stdout.readline)
            worker_kills = database_kills = round_start = 0
            in_flight: Counter[str] = Counter()  # Message-ID -> kills that caught it in flight
            try:
                for round_ in range(rounds):
                    killed_before = database_kills
                    worker = _worker(url, port, scratch)
                    # Killed while it delivers: once the SMTP server accepts a message of its
                    # (its start, imports and all, takes seconds), after a random moment.
                    await _delivering(log, len(_accepted(log)))
                    await asyncio.sleep(rng.uniform(0.02, 0.3))
                    if kill_database_every and round_ % kill_database_every == 1:
                        process = server._process  # the supervised postmaster
                        if process is not None and process.poll() is None:
                            os.kill(process.pid, signal.SIGKILL)
                            database_kills += 1
                            await asyncio.sleep(rng.uniform(0.1, 0.5))
                    database_killed = database_kills > killed_before
                    worker.kill()
                    await asyncio.to_thread(worker.wait)
                    worker_kills += 1
                    # No worker runs now: what it sent and is not recorded was in flight.
                    sent = set(_accepted(log)[round_start:])
                    in_flight.update(
                        sent if database_killed else sent - await _recorded_retrying(db)
                    )
                    round_start += len(_accepted(log)[round_start:])
                    if await _confirmed_all_retrying(db):
                        break
                worker = _worker(url, port, scratch)
                deadline = time.monotonic() + settle
                while time.monotonic() < deadline and not await _confirmed_all_retrying(db):
                    await asyncio.sleep(0.5)
                worker.terminate()
                await asyncio.to_thread(worker.wait)
            finally:
                sink.terminate()
                await asyncio.to_thread(sink.wait)
                if sink.stdout is not None:
                    sink.stdout.close()
            accepted = Counter(_accepted(log))
        finally:
            await db.dispose()
    expected = {
        f"<booked.{recipient}.{booking_id}.0@"
        for booking_id in booking_ids
        for recipient in ("visitor", "mentor")
    }
    arrived = {mid.split("@")[0] + "@" for mid in accepted}
    return CrashCounts(
        expected=len(expected),
        arrived=len(arrived & expected),
        missing=len(expected - arrived),
        duplicated=sum(count - 1 for count in accepted.values()),
        same_id=len(accepted) == len(arrived),
        in_flight=sum(in_flight.values()),
        unexplained=sum(max(0, count - 1 - in_flight[mid]) for mid, count in accepted.items()),
        worker_kills=worker_kills,
        database_kills=database_kills,
        concurrency=8,
    )


async def _confirmed_all_retrying(db: Database) -> bool:
    """``_confirmed_all``, False while PostgreSQL is coming back."""
    try:
        return await _confirmed_all(db)
    except Exception:
        return False


def _accepted(log: Path) -> list[str]:
    """The Message-IDs the SMTP server accepted, in order (``testkit.smtp_log_sink``)."""
    return [line.split()[-1] for line in log.read_text().splitlines() if line.strip()]


async def _recorded_retrying(db: Database, seconds: float = 30) -> set[str]:
    """The sent-message records, once PostgreSQL answers again."""
    deadline = time.monotonic() + seconds
    while True:
        try:
            async with db.sessions() as session:
                found = await session.execute(text("select message_id from sent_messages"))
                return {str(mid) for mid in found.scalars()}
        except Exception:
            if time.monotonic() > deadline:
                raise
            await asyncio.sleep(0.2)


async def _delivering(log: Path, before: int, seconds: float = 60) -> None:
    """Until the SMTP server has accepted more than ``before`` messages (or ``seconds``)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and len(_accepted(log)) <= before:
        await asyncio.sleep(0.02)
