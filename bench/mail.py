"""Speed of the mail adapter: prints figures, asserts nothing.

    .venv/bin/python bench/mail.py [--messages 400]

Measures, against a local aiosmtpd server on 127.0.0.1 (same machine, no TLS):

* the adapter alone: composition (templates + ICS), SMTP delivery one at a time and with the
  outbox's default concurrency (4), and the dev outbox folder;
* end to end through the outbox (issue 7's figures), on a throw-away embedded PostgreSQL with
  the worker as ``api.wiring`` builds it: messages per second when a backlog of confirmations
  is drained, and the delay from a booking's commit to its confirmation being accepted by SMTP
  with the worker's default settings (poll every ``outbox_poll_seconds``, 4 deliveries at once)
  while bookings keep arriving. ``--no-outbox`` skips this part.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

# Replace (not prepend to) the script's folder: bench/google.py would otherwise shadow the
# ``google`` package that the Google client libraries import.
sys.path[0] = str(Path(__file__).resolve().parent.parent)

from bench.harness import percentile as _percentile  # noqa: E402
from integrations.ics import invite  # noqa: E402
from integrations.mail import FileMailer, SmtpMailer  # noqa: E402
from integrations.messages import Brand, compose  # noqa: E402
from testkit.booking_views import NOW, START, make_view  # noqa: E402
from testkit.settings import settings_of  # noqa: E402
from testkit.smtp_sink import running_smtp_server  # noqa: E402


def bench_compose(count: int) -> None:
    brand = Brand()
    views = [make_view(start=START + timedelta(minutes=15 * i)) for i in range(count)]
    compose("booked", views[0], brand, now=NOW)  # template compilation is a one-off
    began = time.perf_counter()
    for view in views:
        invite(view, "REQUEST", NOW)
    ics_seconds = time.perf_counter() - began
    began = time.perf_counter()
    made = sum(len(compose("booked", view, brand, now=NOW)) for view in views)
    seconds = time.perf_counter() - began
    print(f"ICS invite:            {count / ics_seconds:8.0f} documents/s")
    print(f"compose (booked):      {made / seconds:8.0f} messages/s  ({made} messages)")


def _booked_messages(count: int) -> list[Any]:
    """``count`` messages: the visitor's and the mentor's for ``count // 2`` bookings."""
    brand = Brand()
    return [
        message
        for i in range(count // 2)
        for message in compose(
            "booked", make_view(start=START + timedelta(minutes=15 * i)), brand, now=NOW
        )
    ]


async def bench_smtp(count: int) -> None:
    messages = _booked_messages(count)
    with running_smtp_server() as server:
        mailer = SmtpMailer(server.settings().smtp)
        latencies = []
        began = time.perf_counter()
        for message in messages:
            sent = time.perf_counter()
            await mailer.send(message)
            latencies.append(time.perf_counter() - sent)
        seconds = time.perf_counter() - began
        assert len(server.received) == len(messages)
        print(
            f"SMTP, one at a time:   {len(messages) / seconds:8.0f} messages/s  "
            f"(p50 {statistics.median(latencies) * 1000:.1f} ms, "
            f"p95 {_percentile(latencies, 0.95) * 1000:.1f} ms per message)"
        )

    with running_smtp_server() as server:
        mailer = SmtpMailer(server.settings().smtp)
        queue = list(messages)

        async def loop() -> None:
            while queue:
                await mailer.send(queue.pop())

        began = time.perf_counter()
        await asyncio.gather(*(loop() for _ in range(4)))
        seconds = time.perf_counter() - began
        assert len(server.received) == len(messages)
        print(f"SMTP, 4 concurrent:    {len(messages) / seconds:8.0f} messages/s")


async def bench_files(count: int) -> None:
    messages = _booked_messages(count)
    with tempfile.TemporaryDirectory() as folder:
        mailer = FileMailer(Path(folder))
        began = time.perf_counter()
        for message in messages:
            await mailer.send(message)
        seconds = time.perf_counter() - began
        print(f"file outbox (.eml):    {len(messages) / seconds:8.0f} messages/s (fsync each)")


async def _book_many(db: Any, mentors: list[Any], count: int, now: datetime) -> list[Any]:
    """``count`` slots spread over the mentors, in time order."""
    from scheduler.schedules import mentor_slots

    free: list[tuple[datetime, Any]] = []
    async with db.sessions() as session:
        for mentor in mentors:
            offer = await mentor_slots(session, mentor.id, now, now, now + timedelta(days=29))
            free.extend((start, mentor.id) for start in offer.slots)
    free.sort(key=lambda pair: pair[0])
    if len(free) < count:
        raise SystemExit(f"only {len(free)} free slots for {count} bookings: add mentors")
    return free[:count]


async def _book(db: Any, slot: tuple[datetime, Any], n: int, now: datetime) -> Any:
    from scheduler import booking
    from testkit.factories import visitor

    async with db.sessions() as session:
        result = await booking.book(
            session, mentor_id=slot[1], slot_start=slot[0], visitor=visitor(n), now=now
        )
    return result.booking.id


def _visitor_confirmations(received: list[Any]) -> dict[str, float]:
    """booking id -> when SMTP accepted its visitor confirmation."""
    accepted = {}
    for item in received:
        message_id = str(item.message()["Message-ID"]).strip("<>")
        kind, recipient, booking_id, _ = message_id.split("@")[0].split(".", 3)
        if kind == "booked" and recipient == "visitor":
            accepted[booking_id] = item.accepted_at
    return accepted


@dataclass(frozen=True, slots=True)
class OutboxRun:
    drain_seconds: float
    drained: int  # what the receiver got from the drain
    delays: list[float]  # seconds from commit to arrival, one a paced booking


async def drain_then_pace(
    db: Any,
    worker: Any,
    slots: list[Any],
    backlog: int,
    interval: float,
    now: datetime,
    received: Callable[[], list[Any]],
    arrivals: Callable[[list[Any]], dict[str, float]],
    clock: Callable[[], float],
) -> OutboxRun:
    """The outbox's two figures: the worker draining ``backlog`` bookings made at once, then,
    with it running, each later booking's delay from its commit to its arrival at the receiver
    (``arrivals``: booking id -> time on ``clock``, the receiver's)."""
    for n, slot in enumerate(slots[:backlog]):
        await _book(db, slot, n, now)
    began = time.perf_counter()
    await worker.drain_outbox()
    seconds = time.perf_counter() - began
    before = len(received())
    committed: dict[str, float] = {}
    stop = asyncio.Event()
    running = asyncio.create_task(worker.run(stop))
    for n, slot in enumerate(slots[backlog:], start=backlog):
        booking_id = await _book(db, slot, n, now)
        committed[str(booking_id)] = clock()
        await asyncio.sleep(interval)
    deadline = time.monotonic() + 60
    got: dict[str, float] = {}
    while time.monotonic() < deadline:
        got = arrivals(received()[before:])
        if set(committed) <= set(got):
            break
        await asyncio.sleep(0.05)
    stop.set()
    await running
    return OutboxRun(seconds, before, [got[b] - committed[b] for b in committed if b in got])


async def bench_outbox(database_url: str, backlog: int, paced: int, interval: float) -> None:
    from api.wiring import Parts, build_worker
    from scheduler.platform import Database
    from testkit.factories import make_mentor

    db = Database.from_url(database_url)
    now = datetime.now(UTC)
    mentors = [await make_mentor(db) for _ in range(max(1, (backlog + paced) // 150 + 1))]
    slots = await _book_many(db, mentors, backlog + paced, now)
    try:
        with running_smtp_server() as server:
            settings = settings_of(database_url=database_url, embedded_worker=False)
            worker = build_worker(settings, Parts(db, SmtpMailer(server.settings().smtp)))

            run = await drain_then_pace(
                db,
                worker,
                slots,
                backlog,
                interval,
                now,
                lambda: server.received,
                _visitor_confirmations,
                time.monotonic,
            )
            seconds, delivered, delays = run.drain_seconds, run.drained, run.delays
            print(
                f"outbox drain:          {delivered / seconds:8.0f} messages/s  "
                f"({delivered} messages for {backlog} bookings in {seconds:.1f} s, "
                f"concurrency {worker.concurrency})"
            )

            print(
                f"commit -> SMTP accept: p50 {statistics.median(delays):.2f} s, "
                f"p95 {_percentile(delays, 0.95):.2f} s, max {max(delays):.2f} s "
                f"({len(delays)}/{paced} bookings, one every {interval:.2f} s, "
                f"poll {settings.worker.outbox_poll_seconds:.1f} s)"
            )
    finally:
        await db.dispose()


def _database(name: str = "mail") -> tuple[Any, str]:
    """A throw-away embedded PostgreSQL with a migrated database ``bench_<name>``."""
    from scheduler.platform import PROJECT_ROOT, EmbeddedPostgres, create_database, url_to_string
    from scheduler.platform import migrations as migrate

    server = EmbeddedPostgres.throwaway_under(PROJECT_ROOT / "var" / "bench-pg", prefix=f"{name}-")
    server.start()
    create_database(server.url("postgres"), f"bench_{name}")
    url = server.url(f"bench_{name}")
    migrate.upgrade(url)
    return server, url_to_string(url)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--messages", type=int, default=400)
    parser.add_argument("--backlog", type=int, default=200, help="bookings drained at once")
    parser.add_argument("--paced", type=int, default=60, help="bookings made while running")
    parser.add_argument("--interval", type=float, default=0.25, help="seconds between those")
    parser.add_argument("--no-outbox", action="store_true")
    args = parser.parse_args()
    bench_compose(args.messages)
    asyncio.run(bench_smtp(args.messages))
    asyncio.run(bench_files(args.messages))
    if not args.no_outbox:
        server, url = _database()
        try:
            asyncio.run(bench_outbox(url, args.backlog, args.paced, args.interval))
        finally:
            server.stop()


if __name__ == "__main__":
    main()
