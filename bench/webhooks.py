"""Webhooks to the Thotis site, end to end: prints figures, asserts nothing.

    .venv/bin/python bench/webhooks.py [--backlog 200] [--paced 60] [--interval 0.25]

On a throw-away embedded PostgreSQL, with the worker as ``api.wiring`` builds it (the booking
mails go to a local aiosmtpd sink, sharing the worker's 4 delivery loops as in production) and
one endpoint on a local ``http.server`` receiver (testkit.webhook_receiver):

* throughput: a backlog of ``booking.created`` events drained at once (fan-out + signed POST);
* latency: the delay from a booking's commit to the receiver getting its signed
  ``booking.created``, with the worker's default poll (``OUTBOX_POLL_SECONDS``) while bookings
  keep arriving every ``--interval`` seconds.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

# Replace (not prepend to) the script's folder: bench/google.py would otherwise shadow the
# ``google`` package that the Google client libraries import.
sys.path[0] = str(Path(__file__).resolve().parent.parent)

from bench.mail import _book_many, _database, _percentile, drain_then_pace  # noqa: E402
from testkit.settings import settings_of  # noqa: E402
from testkit.smtp_sink import running_smtp_server  # noqa: E402
from testkit.webhook_receiver import webhook_receiver  # noqa: E402


def _created(received: list[Any]) -> dict[str, float]:
    """booking id -> when the receiver got its booking.created."""
    out = {}
    for item in received:
        body = json.loads(item.body)
        if body["type"] == "booking.created":
            out[body["data"]["booking_id"]] = item.at
    return out


async def bench(
    database_url: str, backlog: int, paced: int, interval: float, webhooks_only: bool
) -> None:
    from api.wiring import Parts, build_worker
    from integrations.mail import SmtpMailer
    from scheduler.calendar import SecretBox
    from scheduler.messaging import EndpointChange, UrlPolicy, webhooks
    from scheduler.platform import Actor, Database
    from testkit.factories import make_mentor

    db = Database.from_url(database_url)
    now = datetime.now(UTC)
    mentors = [await make_mentor(db) for _ in range(max(1, (backlog + paced) // 150 + 1))]
    slots = await _book_many(db, mentors, backlog + paced, now)
    try:
        with running_smtp_server() as smtp, webhook_receiver() as receiver:
            settings = settings_of(database_url=database_url, embedded_worker=False)
            async with db.sessions() as session:
                await webhooks.create_endpoint(
                    session,
                    EndpointChange(url=receiver.url, events=["booking.created"]),
                    UrlPolicy.from_settings(settings),
                    Actor.staff("bench"),
                    SecretBox(settings.secrets),
                )
            worker = build_worker(settings, Parts(db, SmtpMailer(smtp.settings().smtp)))
            if webhooks_only:
                # A worker of its own for the webhooks (the mails left to another worker).
                worker.handlers = {
                    k: h for k, h in worker.handlers.items() if k.startswith("webhook.")
                }

            run = await drain_then_pace(
                db,
                worker,
                slots,
                backlog,
                interval,
                now,
                lambda: receiver.received,
                _created,
                time.time,
            )
            seconds, sent, delays = run.drain_seconds, run.drained, run.delays
            print(
                f"drain of {backlog} bookings: {sent} webhooks and {len(smtp.received)} mails "
                f"in {seconds:.1f} s: {sent / seconds:.1f} webhooks/s "
                f"(concurrency {worker.concurrency})"
            )
            print(
                f"commit -> webhook received: p50 {statistics.median(delays):.2f} s, "
                f"p95 {_percentile(delays, 0.95):.2f} s, max {max(delays):.2f} s "
                f"({len(delays)}/{paced} bookings, one every {interval:.2f} s, "
                f"poll {settings.worker.outbox_poll_seconds:.1f} s)"
            )
    finally:
        await db.dispose()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--backlog", type=int, default=200, help="bookings drained at once")
    parser.add_argument("--paced", type=int, default=60, help="bookings made while running")
    parser.add_argument("--interval", type=float, default=0.25, help="seconds between those")
    parser.add_argument(
        "--webhooks-only", action="store_true", help="a worker that handles the webhooks only"
    )
    args = parser.parse_args()
    server, url = _database("webhooks")
    try:
        asyncio.run(bench(url, args.backlog, args.paced, args.interval, args.webhooks_only))
    finally:
        server.stop()


if __name__ == "__main__":
    main()
