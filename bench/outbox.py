"""The outbox's drain rate against the booking rate the API sustains, in one run. Prints;
asserts nothing.

    .venv/bin/python bench/outbox.py [--seconds 4] [--connections 32] [--workers 1 2]
                                     [--paced-seconds 10]

As deployed: a throw-away embedded PostgreSQL (fsync on) seeded like bench/throughput.py (20
mentors), ``thotis serve`` (one process, limits and email verification off), ``thotis worker``
processes, and an SMTP server in its own process (``testkit.smtp_log_sink``, no fsync) that logs
when it accepts each Message-ID. wrk shares the two cores with all of them.

1. API: wrk POSTs bookings (each a different free slot) for --seconds, no worker running:
   the bookings per second the API path sustains (bookings created, counted in PostgreSQL).
2. Drain: N worker processes (each --workers count in turn) drain what that left: bookings per
   second whose visitor confirmation the SMTP server accepted, first to last, and the ratio to
   the API's rate measured just before (phase 1 is run again before each count).
0. The mail's own CPU: composing and flattening a booking's two confirmations in this process
   (no database, no network), the least a worker spends per booking.
3. Confirmation delay: with the most workers running, wrk POSTs bookings again for --seconds
   (bookings arrive at the rate the API sustains): for each booking, the delay from its commit
   (its ``created_at``) to its visitor confirmation accepted by SMTP, p50 and p95. When the
   drain is slower than the arrivals, the queue grows for as long as they last: the p95 then
   measures the queue, and grows with --seconds.
4. The same delay when bookings arrive one by one (httpx, open loop) at half the best drain
   rate of phase 2, for --paced-seconds: what a confirmation waits when the drain keeps up
   (the worker's poll, ``OUTBOX_POLL_SECONDS``, included).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

import httpx

sys.path[0] = str(Path(__file__).resolve().parent.parent)

from sqlalchemy import text  # noqa: E402

from bench.api import seed, start_server  # noqa: E402
from bench.throughput import _POST_SCRIPT, booking_bodies, wait_ready, wrk  # noqa: E402
from scheduler.platform import PROJECT_ROOT, Database, EmbeddedPostgres, url_to_string  # noqa: E402
from scheduler.platform import migrations as migrate  # noqa: E402
from testkit.smtp_sink import free_port  # noqa: E402


def _percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def _mail_cpu(count: int = 100) -> float:
    """Seconds of CPU to compose and flatten one booking's confirmations (visitor, mentor)."""
    from integrations.messages import Brand, compose
    from testkit.booking_views import NOW, START, make_view

    brand = Brand()
    views = [make_view(start=START + timedelta(minutes=15 * i)) for i in range(count)]
    compose("booked", views[0], brand, now=NOW)  # the templates' compilation is a one-off
    began = time.process_time()
    for view in views:
        for letter in compose("booked", view, brand, now=NOW):
            letter.as_bytes(policy=letter.policy.clone(linesep="\r\n"))
    return (time.process_time() - began) / count


def _workers(count: int, url: str, smtp_port: int, scratch: str) -> list[subprocess.Popen[bytes]]:
    env = dict(os.environ)
    env.update(
        DATABASE_URL=url,
        SMTP_HOST="127.0.0.1",
        SMTP_PORT=str(smtp_port),
        SMTP_STARTTLS="false",
        THOTIS_DATA_DIR=scratch,
        LOG_FORMAT="text",
    )
    return [
        subprocess.Popen(
            [sys.executable, "-m", "api", "worker"],
            cwd=PROJECT_ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for _ in range(count)
    ]


def _stop(processes: list[subprocess.Popen[bytes]]) -> None:
    for process in processes:
        process.terminate()
    for process in processes:
        process.wait(timeout=60)


def _confirmations(log: Path) -> dict[str, float]:
    """booking id -> when the SMTP server accepted its visitor confirmation (Unix time)."""
    accepted: dict[str, float] = {}
    for line in log.read_text().splitlines():
        stamp, _, message_id = line.partition(" ")
        kind, recipient, booking_id, _ = message_id.strip("<>").split("@")[0].split(".", 3)
        if kind == "booked" and recipient == "visitor":
            accepted.setdefault(booking_id, float(stamp))
    return accepted


async def _bookings(db: Database) -> dict[str, float]:
    """booking id -> its commit (created_at, Unix time)."""
    async with db.sessions() as session:
        found = await session.execute(
            text("select id::text, extract(epoch from created_at) from bookings")
        )
        return {booking_id: float(at) for booking_id, at in found.all()}


async def _post(base: str, bodies: list[str], scratch: Path, args: argparse.Namespace) -> Path:
    """wrk POSTs ``bodies`` for --seconds."""
    path = scratch / f"bodies-{time.monotonic_ns()}.txt"
    path.write_text("\n".join(bodies) + "\n")
    script = scratch / f"post-{time.monotonic_ns()}.lua"
    script.write_text(_POST_SCRIPT % {"bodies": path})
    await asyncio.to_thread(wrk, base, "/v1/bookings", args.seconds, args.connections, script)
    return path


def _cpu(processes: list[subprocess.Popen[bytes]]) -> float:
    """CPU seconds the processes used so far (user + system, from /proc)."""
    ticks = 0
    for process in processes:
        fields = Path(f"/proc/{process.pid}/stat").read_text().rsplit(")", 1)[1].split()
        ticks += int(fields[11]) + int(fields[12])
    return ticks / os.sysconf("SC_CLK_TCK")


async def _wait_confirmed(
    log: Path, ids: set[str], workers: list[subprocess.Popen[bytes]], seconds: float = 300
) -> float:
    """Wait until every booking of ``ids`` has its confirmation; returns the workers' CPU per
    booking from the first confirmation on (their start, imports and all, left out)."""
    deadline = time.monotonic() + seconds
    first: tuple[int, float] | None = None
    done = 0
    while time.monotonic() < deadline and done < len(ids):
        done = len(ids & set(_confirmations(log)))
        if first is None and done:
            first = (done, _cpu(workers))
        await asyncio.sleep(0.1)
    if first is None or done <= first[0]:
        return 0.0
    return (_cpu(workers) - first[1]) / (done - first[0])


def _delays(log: Path, committed: dict[str, float]) -> str:
    """Commit -> SMTP acceptance of the visitor confirmations of ``committed``."""
    accepted = _confirmations(log)
    delays = [accepted[b] - at for b, at in committed.items() if b in accepted]
    if not delays:
        return "no confirmation"
    return (
        f"confirmation, commit -> SMTP accept: p50 {statistics.median(delays):.2f} s, "
        f"p95 {_percentile(delays, 0.95):.2f} s ({len(delays)}/{len(committed)})"
    )


async def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--seconds", type=float, default=4)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--paced-seconds", type=float, default=10)
    parser.add_argument("--port", type=int, default=8791)
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        sys.exit("wrk is not installed (apt-get install wrk)")
    server = EmbeddedPostgres.throwaway_under(
        PROJECT_ROOT / "var" / "bench-pg", prefix="outbox-", durable=True
    )
    with server, tempfile.TemporaryDirectory() as folder:
        scratch = Path(folder)
        url = url_to_string(server.url("postgres"))
        migrate.upgrade(url)
        await seed(url)
        db = Database.from_url(url)
        smtp_port = free_port()
        log = scratch / "accepted.txt"
        sink = subprocess.Popen(
            [sys.executable, "-m", "testkit.smtp_log_sink", str(smtp_port), str(log), "--no-fsync"],
            cwd=PROJECT_ROOT,
            stdout=subprocess.PIPE,
        )
        assert sink.stdout is not None
        await asyncio.to_thread(sink.stdout.readline)
        api = start_server(url, args.port, 1)
        base = f"http://127.0.0.1:{args.port}"
        workers: list[subprocess.Popen[bytes]] = []
        try:
            await wait_ready(base)
            bodies_file = scratch / "all.txt"
            await booking_bodies(base, bodies_file)
            bodies = bodies_file.read_text().splitlines()
            share = len(bodies) // (len(args.workers) + 2)
            best = 0.0
            print(f"{len(bodies)} free slots; wrk -t2 -c{args.connections} -d{args.seconds:g}s")
            cpu = _mail_cpu()
            print(
                f"mail CPU per booking (compose + flatten two confirmations): {cpu * 1000:.1f} ms"
                f", so one core sends at most {1 / cpu:.0f} bookings' mail per second"
            )
            for n, count in enumerate(args.workers):
                known = await _bookings(db)
                began = time.monotonic()
                await _post(base, bodies[n * share : (n + 1) * share], scratch, args)
                seconds = time.monotonic() - began
                made = set(await _bookings(db)) - set(known)
                api_rate = len(made) / seconds
                workers = _workers(count, url, smtp_port, folder)
                worker_cpu = await _wait_confirmed(log, made, workers)
                accepted = _confirmations(log)
                times = sorted(accepted[b] for b in made if b in accepted)
                drain = (len(times) - 1) / (times[-1] - times[0]) if len(times) > 1 else 0.0
                best = max(best, drain)
                if n == 0:
                    print(
                        f"2x the API's rate needs {2 * api_rate * cpu:.1f} cores for the mail's "
                        "composition alone"
                    )
                print(
                    f"API {api_rate:6.0f} bookings/s ({len(made)} in {seconds:.1f} s, no worker)"
                    f" | {count} worker process{'es' if count > 1 else ''}: drained "
                    f"{drain:6.1f} bookings/s ({len(times)}/{len(made)} confirmations) | "
                    f"drain / API {drain / api_rate:.2f}x | workers' CPU per booking "
                    f"{worker_cpu * 1000:.1f} ms"
                )
                if n < len(args.workers) - 1:
                    _stop(workers)
                    workers = []
            known = await _bookings(db)
            began = time.monotonic()
            await _post(
                base,
                bodies[len(args.workers) * share : (len(args.workers) + 1) * share],
                scratch,
                args,
            )
            seconds = time.monotonic() - began
            committed = {b: at for b, at in (await _bookings(db)).items() if b not in known}
            await _wait_confirmed(log, set(committed), workers)
            print(
                f"bookings arriving at {len(committed) / seconds:.0f}/s (wrk) for {seconds:.1f} s"
                f" with {args.workers[-1]} worker process(es): {_delays(log, committed)}"
            )
            rate = best / 2
            known = await _bookings(db)
            async with httpx.AsyncClient(base_url=base, timeout=30) as client:
                posts = []
                began = time.monotonic()
                for n, body in enumerate(bodies[(len(args.workers) + 1) * share :]):
                    if n >= rate * args.paced_seconds:
                        break
                    await asyncio.sleep(max(0.0, began + n / rate - time.monotonic()))
                    # Not awaited one by one: a slow answer must not delay the next arrival.
                    posts.append(
                        asyncio.create_task(
                            client.post(
                                "/v1/bookings",
                                content=body,
                                headers={"content-type": "application/json"},
                            )
                        )
                    )
                await asyncio.gather(*posts)
                seconds = time.monotonic() - began
            committed = {b: at for b, at in (await _bookings(db)).items() if b not in known}
            await _wait_confirmed(log, set(committed), workers)
            print(
                f"POSTs at {rate:.0f}/s (half the best drain; some lose to a neighbour's buffer)"
                f" for {seconds:.1f} s, {len(committed) / seconds:.0f} bookings/s made:"
                f" {_delays(log, committed)}"
            )
        finally:
            _stop(workers)
            api.terminate()
            api.wait(timeout=30)
            sink.terminate()
            sink.wait(timeout=30)
            sink.stdout.close()
            await db.dispose()


if __name__ == "__main__":
    asyncio.run(main())
