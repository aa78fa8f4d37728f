"""Speed of the mail adapter: prints figures, asserts nothing.

    .venv/bin/python bench/mail.py [--messages 400]

Measures, against a local aiosmtpd server on 127.0.0.1 (same machine, no TLS):
composition (templates + ICS), SMTP delivery one at a time and with the outbox's default
concurrency (4), and the dev outbox folder. The outbox end-to-end figures of issue 7 (rows per
second, booking commit -> SMTP accept p95) need the database: see the outbox bench once the
handlers are wired.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from integrations.ics import invite
from integrations.mail import FileMailer, SmtpMailer
from integrations.messages import Brand, compose
from tests.integrations.booking_views import NOW, START, make_view
from tests.integrations.smtp_server import running_smtp_server


def _percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


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


async def bench_smtp(count: int) -> None:
    brand = Brand()
    messages = [
        message
        for i in range(count // 2)
        for message in compose(
            "booked", make_view(start=START + timedelta(minutes=15 * i)), brand, now=NOW
        )
    ]
    with running_smtp_server() as server:
        mailer = SmtpMailer(server.settings())
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
        mailer = SmtpMailer(server.settings())
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
    brand = Brand()
    messages = [
        message
        for i in range(count // 2)
        for message in compose(
            "booked", make_view(start=START + timedelta(minutes=15 * i)), brand, now=NOW
        )
    ]
    with tempfile.TemporaryDirectory() as folder:
        mailer = FileMailer(Path(folder))
        began = time.perf_counter()
        for message in messages:
            await mailer.send(message)
        seconds = time.perf_counter() - began
        print(f"file outbox (.eml):    {len(messages) / seconds:8.0f} messages/s (fsync each)")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--messages", type=int, default=400)
    count = parser.parse_args().messages
    bench_compose(count)
    asyncio.run(bench_smtp(count))
    asyncio.run(bench_files(count))


if __name__ == "__main__":
    main()
