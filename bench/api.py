"""HTTP API benchmark, with the service started as in production. Prints figures; asserts nothing.

    .venv/bin/python bench/api.py [--workers 2] [--rate 200] [--seconds 15]

Settings used: `thotis serve` (uvicorn, uvloop + httptools) with --workers 2 (one per core), EMBEDDED_WORKER=false
(the outbox worker is another process in production), the embedded PostgreSQL (fsync on) over
its unix socket, and an open-loop load generator (raw asyncio HTTP/1.1 keep-alive) in this process
on loopback — it shares the 2 cores with the server, so the figures are pessimistic.

1. GET /v1/filieres/droit/mentors — a filière page: 20 mentors and each one's next free slot —
   at a fixed arrival rate (goal: p95 < 30 ms at 200 requests/s), with the page's short cache
   (--cache-seconds, default 2) or without it (--cache-seconds 0);
1b. GET /v1/mentors/{id}/slots — one mentor's 14 days, grouped by the visitor's dates;
2. a booking race: 200 visitors booking 10 popular slots at once through POST /v1/bookings —
   answers by status (no 5xx), and bookings stored per slot (no double booking).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import text

from bench.harness import STAFF, add_mentors, exchange, migrated_database, percentile
from scheduler import catalog
from scheduler.platform import PROJECT_ROOT, Database
from scheduler.schedules import rules as schedules

MENTORS = 20


async def seed(url: str) -> None:
    db = Database.from_url(url)
    async with db.sessions() as session:
        await catalog.create_filiere(session, "droit", "Droit", "Law", STAFF)
        await add_mentors(
            session,
            "droit",
            MENTORS,
            {d: [("09:00", "12:00"), ("14:00", "20:00")] for d in range(6)},
            policy=schedules.PolicySettings(
                buffer_before_minutes=5, buffer_after_minutes=5, horizon_days=30
            ),
        )
        await session.commit()
    await db.dispose()


def start_server(
    url: str, port: int, workers: int, cache_seconds: float = 2.0
) -> subprocess.Popen[bytes]:
    env = dict(os.environ)
    env.update(
        DATABASE_URL=url,
        EMBEDDED_WORKER="false",
        SEED_DEMO="false",
        # The bench measures the booking path, not the limits ("0": no limit).
        BOOKING_LIMIT_PER_ADDRESS="0",
        BOOKING_LIMIT_PER_EMAIL="0",
        BOOKING_LIMIT_PER_SLOT="0",
        # Each attempt is a new visitor with a made-up address: no code to read from a mailbox.
        BOOKING_EMAIL_VERIFICATION="false",
        BOOKING_LIVE_PER_EMAIL="0",
        PORT=str(port),
        FILIERE_CACHE_SECONDS=str(cache_seconds),
    )
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "api",
            "serve",
            "--workers",
            str(workers),
            "--quiet",
        ],
        cwd=PROJECT_ROOT,
        env=env,
    )


async def wait_ready(base: str) -> None:
    async with httpx.AsyncClient(base_url=base) as client:
        for _ in range(300):
            try:
                if (await client.get("/readyz")).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            await asyncio.sleep(0.1)
    raise RuntimeError("the service did not start")


class RawClient:
    """A minimal HTTP/1.1 keep-alive client on asyncio streams: the load generator shares the
    2 cores with the server, and httpx's per-request cost (~1–2 ms) would measure the client."""

    def __init__(self, host: str, port: int, max_connections: int = 256) -> None:
        self.host, self.port = host, port
        self.idle: list[tuple[asyncio.StreamReader, asyncio.StreamWriter]] = []
        self.slots = asyncio.Semaphore(max_connections)

    async def get(self, path: str) -> int:
        async with self.slots:
            if self.idle:
                reader, writer = self.idle.pop()
                try:
                    return await self._exchange(reader, writer, path)
                except (OSError, asyncio.IncompleteReadError):
                    # The server closed this idle keep-alive connection (uvicorn does after 5 s):
                    # retry the GET on a new one, as browsers do.
                    writer.close()
            reader, writer = await asyncio.open_connection(self.host, self.port)
            return await self._exchange(reader, writer, path)

    async def _exchange(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, path: str
    ) -> int:
        request = f"GET {path} HTTP/1.1\r\nHost: {self.host}\r\nAccept: application/json\r\n\r\n"
        status = await exchange(reader, writer, request.encode())
        self.idle.append((reader, writer))
        return status

    def close(self) -> None:
        for _, writer in self.idle:
            writer.close()


async def open_loop(base: str, path: str, rate: int, seconds: float) -> None:
    host, port = base.removeprefix("http://").split(":")
    client = RawClient(host, int(port))
    # Warm every worker's caches and connections: concurrent requests open several
    # connections, which the kernel spreads over the workers (one connection would reach one).
    await asyncio.gather(*(client.get(path) for _ in range(50)))
    latencies: list[float] = []
    statuses: Counter[int] = Counter()

    async def one() -> None:
        started = time.perf_counter()
        try:
            statuses[await client.get(path)] += 1
        except (OSError, asyncio.IncompleteReadError):
            statuses[0] += 1
        latencies.append((time.perf_counter() - started) * 1000)

    tasks = []
    start = time.perf_counter()
    total = int(rate * seconds)
    for n in range(total):
        # Open loop: arrivals follow the clock, not the answers (no coordinated omission).
        delay = start + n / rate - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        tasks.append(asyncio.create_task(one()))
    await asyncio.gather(*tasks)
    elapsed = time.perf_counter() - start
    client.close()
    print(
        f"  {total} requests in {elapsed:.1f} s ({total / elapsed:.0f}/s, offered {rate}/s); "
        f"statuses {dict(statuses)}"
    )
    print(
        f"  latency ms: p50 {statistics.median(latencies):.1f}  p95 {percentile(latencies, 0.95):.1f}"
        f"  p99 {percentile(latencies, 0.99):.1f}  max {max(latencies):.1f}   (goal p95 < 30 ms)"
    )


async def first_mentor(base: str) -> str:
    async with httpx.AsyncClient(base_url=base) as client:
        page = (await client.get("/v1/filieres/droit/mentors")).json()
    return str(page["mentors"][0]["id"])


async def booking_race(base: str, url: str, visitors: int = 200, popular: int = 10) -> None:
    async with httpx.AsyncClient(base_url=base, timeout=30) as client:
        page = (await client.get("/v1/filieres/droit/mentors")).json()
        mentor_id = page["mentors"][0]["id"]
        days = (await client.get(f"/v1/mentors/{mentor_id}/slots")).json()["days"]
        slots = [s["start"] for d in days for s in d["slots"]][:popular]

        async def book(n: int) -> int:
            response = await client.post(
                "/v1/bookings",
                json={
                    "mentor_id": mentor_id,
                    "start": slots[n % len(slots)],
                    "first_name": f"Élève{n}",
                    "email": f"eleve{n}@lycee.example.fr",
                    "consent": True,
                },
            )
            return response.status_code

        started = time.perf_counter()
        statuses = Counter(await asyncio.gather(*(book(n) for n in range(visitors))))
        elapsed = time.perf_counter() - started
    db = Database.from_url(url)
    async with db.sessions() as session:
        rows = (
            await session.execute(
                text(
                    "select start_at, count(*) from bookings where status = 'confirmed' "
                    "group by start_at"
                )
            )
        ).all()
    await db.dispose()
    doubles = [r for r in rows if r[1] > 1]
    print(
        f"  {visitors} visitors on {len(slots)} slots (5-min buffers make neighbours conflict): "
        f"answers {dict(statuses)} in {elapsed:.2f} s"
    )
    print(
        f"  bookings stored: {sum(r[1] for r in rows)}; slots booked twice: {len(doubles)}; "
        f"5xx: {sum(v for k, v in statuses.items() if k >= 500)}"
    )


async def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--rate", type=int, default=200)
    parser.add_argument("--seconds", type=float, default=15)
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument(
        "--cache-seconds", type=float, default=2.0, help="FILIERE_CACHE_SECONDS (0 = none)"
    )
    args = parser.parse_args()

    print("Starting embedded PostgreSQL and applying migrations…", flush=True)
    with migrated_database("api-", "postgres", durable=True) as url:
        print("Seeding 20 mentors…", flush=True)
        await seed(url)
        print(f"Starting uvicorn with {args.workers} workers…", flush=True)
        process = start_server(url, args.port, args.workers, args.cache_seconds)
        base = f"http://127.0.0.1:{args.port}"
        try:
            await wait_ready(base)
            print(
                f"\n1. filière page (20 mentors, next free slot each) at {args.rate} requests/s, "
                f"FILIERE_CACHE_SECONDS={args.cache_seconds:g}"
            )
            await open_loop(base, "/v1/filieres/droit/mentors", args.rate, args.seconds)
            print(
                f"\n1b. one mentor's 14 days of slots (the widget's calendar), {args.rate} requests/s"
            )
            mentor = await first_mentor(base)
            await open_loop(
                base, f"/v1/mentors/{mentor}/slots?tz=Europe/Paris", args.rate, args.seconds
            )
            print("\n2. booking race on popular slots")
            await booking_race(base, url)
            print(f"\nload average: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
        finally:
            process.terminate()
            process.wait(timeout=20)


if __name__ == "__main__":
    asyncio.run(main())
