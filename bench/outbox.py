"""Outbox drain rate with the worker's old and new delivery settings, in one run. Prints;
asserts nothing.

    .venv/bin/python bench/outbox.py [--backlog 300] [--paced 120] [--interval 0.05]

A throw-away embedded PostgreSQL and an aiosmtpd server on 127.0.0.1 (bench/mail.py's). For
each setting, --backlog bookings are committed, then one worker (``api.wiring.build_worker``)
drains the outbox: outbox rows per second (a booking makes a confirmation row for two mails,
a calendar row, reminders later) and SMTP messages per second. Settings:

* before: one SMTP connection per message, 4 deliveries at once (the worker until issue 21);
* after: the connections kept open (``mailer_from_settings``), 8 deliveries at once.

Then, with the after setting and the worker running, --paced bookings one every --interval
seconds: the delay from a booking's commit to its visitor confirmation accepted by SMTP.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

sys.path[0] = str(Path(__file__).resolve().parent.parent)

from sqlalchemy import text  # noqa: E402

from bench.mail import _book, _book_many, _database, _percentile, _visitor_confirmations  # noqa: E402
from integrations.mail import SmtpMailer  # noqa: E402
from testkit.settings import settings_of  # noqa: E402
from testkit.smtp_sink import running_smtp_server  # noqa: E402


async def _delivered(db: Any) -> int:
    async with db.sessions() as session:
        found = await session.execute(
            text("select count(*) from outbox where status = 'delivered'")
        )
        return int(found.scalar_one())


async def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--backlog", type=int, default=300)
    parser.add_argument("--paced", type=int, default=120)
    parser.add_argument("--interval", type=float, default=0.05)
    args = parser.parse_args()
    from api.wiring import Parts, build_worker
    from scheduler.platform import Database
    from testkit.factories import make_mentor

    server, url = _database()
    db = Database.from_url(url)
    now = datetime.now(UTC)
    total = 2 * args.backlog + args.paced
    mentors = [await make_mentor(db) for _ in range(total // 150 + 1)]
    slots = await _book_many(db, mentors, total, now)
    try:
        with running_smtp_server() as smtp:
            settings = settings_of(database_url=url, embedded_worker=False)
            rates = {}
            for name, reuse, concurrency, chunk in (
                ("before (a connection per message, 4 at once)", False, 4, slots[: args.backlog]),
                (
                    "after (kept connections, 8 at once)",
                    True,
                    8,
                    slots[args.backlog : 2 * args.backlog],
                ),
            ):
                mailer = SmtpMailer(settings_of(**_smtp(smtp)).smtp, reuse_connections=reuse)
                worker = build_worker(settings, Parts(db, mailer))
                worker.concurrency = concurrency
                offset = slots.index(chunk[0])
                for n, slot in enumerate(chunk, start=offset):
                    await _book(db, slot, n, now)
                rows_before, mails_before = await _delivered(db), len(smtp.received)
                began = time.perf_counter()
                await worker.drain_outbox()
                seconds = time.perf_counter() - began
                rows = await _delivered(db) - rows_before
                mails = len(smtp.received) - mails_before
                rates[name] = rows / seconds
                print(
                    f"{name:46} {rows / seconds:7.0f} rows/s  {mails / seconds:7.0f} mails/s  ({rows} rows in {seconds:.1f} s)"
                )
                await mailer.close()
            first, second = rates.values()
            print(f"after / before: {second / first:.2f}x")

            mailer = SmtpMailer(settings_of(**_smtp(smtp)).smtp, reuse_connections=True)
            worker = build_worker(settings, Parts(db, mailer))
            worker.concurrency = 8
            before = len(smtp.received)
            committed: dict[str, float] = {}
            stop = asyncio.Event()
            running = asyncio.create_task(worker.run(stop))
            began = time.perf_counter()
            for n, slot in enumerate(slots[2 * args.backlog :], start=2 * args.backlog):
                committed[str(await _book(db, slot, n, now))] = time.monotonic()
                await asyncio.sleep(args.interval)
            rate = args.paced / (time.perf_counter() - began)
            deadline = time.monotonic() + 60
            accepted: dict[str, float] = {}
            while time.monotonic() < deadline:
                accepted = _visitor_confirmations(smtp.received[before:])
                if set(committed) <= set(accepted):
                    break
                await asyncio.sleep(0.05)
            stop.set()
            await running
            await mailer.close()
            delays = [accepted[b] - committed[b] for b in committed if b in accepted]
            if not delays:
                return
            print(
                f"confirmation, commit -> SMTP accept at {rate:.0f} bookings/s: p50 "
                f"{statistics.median(delays):.2f} s, p95 {_percentile(delays, 0.95):.2f} s "
                f"({len(delays)}/{args.paced}; poll {settings.worker.outbox_poll_seconds:g} s)"
            )
    finally:
        await db.dispose()
        server.stop()


def _smtp(smtp: Any) -> dict[str, Any]:
    return {
        "smtp_host": smtp.host,
        "smtp_port": smtp.port,
        "smtp_starttls": False,
        "smtp_tls": False,
    }


if __name__ == "__main__":
    asyncio.run(main())
