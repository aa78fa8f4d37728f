"""A rush on a few popular slots through the HTTP API: how fast the losers hear it. Prints; asserts
nothing.

    .venv/bin/python bench/race.py [--processes 3] [--clients 64 256] [--attempts 4000]
                                   [--rates 300] [--seconds 8]

The service runs as in production (``thotis serve`` with --processes uvicorn processes,
EMBEDDED_WORKER=false, booking limits off) on a throw-away embedded PostgreSQL with its default
settings (max_connections 100), seeded like bench/api.py. For each client count, that many
clients (keep-alive connections, a raw asyncio HTTP/1.1 client: httpx would cost the shared
cores more than the server) POST /v1/bookings in a loop, each attempt a new visitor on one of
10 popular slots of 5 mentors (two neighbours each, which conflict through the 5-minute
buffers), until --attempts answers. Printed per client count: answers by status (503s
included), the losers' (409) latency p50/p99, the winners', and the most client connections
PostgreSQL held at once (sampled every 50 ms).

A closed loop measures queueing as much as the service: each client sends again as soon as it
is answered, so a loser's latency is about clients / answers per second (Little's law) however
lean a refusal is. So then, for each of --rates, the same rush paced (open loop): attempts sent
at that fixed rate for --seconds, each on a free keep-alive connection (a new one when none is
free), latency counted from the time it was due to be sent: below capacity this is the
service's own latency, above it the queue shows. Then bookings stored per slot (never two).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import statistics
import sys
import time
from collections import Counter
from pathlib import Path

import httpx
import psycopg

sys.path[0] = str(Path(__file__).resolve().parent.parent)

from bench.api import seed, start_server, wait_ready  # noqa: E402
from bench.harness import exchange, percentile  # noqa: E402
from scheduler.platform import PROJECT_ROOT, EmbeddedPostgres, url_to_string  # noqa: E402
from scheduler.platform import migrations as migrate  # noqa: E402


async def post(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, body: bytes) -> int:
    return await exchange(
        reader,
        writer,
        b"POST /v1/bookings HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
        b"Content-Length: " + str(len(body)).encode() + b"\r\n\r\n" + body,
    )


async def popular_slots(base: str) -> list[tuple[str, str]]:
    found = []
    async with httpx.AsyncClient(base_url=base, timeout=30) as client:
        page = (await client.get("/v1/filieres/droit/mentors")).json()
        for mentor in page["mentors"][:5]:
            days = (await client.get(f"/v1/mentors/{mentor['id']}/slots")).json()["days"]
            starts = [s["start"] for d in days for s in d["slots"]][:2]
            found += [(mentor["id"], start) for start in starts]
    return found


async def sample_connections(dsn: str, peak: list[int], stop: asyncio.Event) -> None:
    async with await psycopg.AsyncConnection.connect(dsn, autocommit=True) as connection:
        while not stop.is_set():
            row = await (
                await connection.execute(
                    "select count(*) from pg_stat_activity where backend_type = 'client backend'"
                )
            ).fetchone()
            peak[0] = max(peak[0], row[0] if row else 0)
            await asyncio.sleep(0.05)


async def rush(
    port: int, dsn: str, slots: list[tuple[str, str]], clients: int, attempts: int
) -> None:
    statuses: Counter[int] = Counter()
    latency: dict[str, list[float]] = {"lost": [], "won": []}
    counter = iter(range(10**9))
    rng = random.Random(clients)
    peak = [0]
    stop = asyncio.Event()

    async def client() -> None:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        try:
            while sum(statuses.values()) < attempts:
                n = next(counter)
                mentor_id, start = rng.choice(slots)
                body = json.dumps(
                    {
                        "mentor_id": mentor_id,
                        "start": start,
                        "first_name": f"Eleve{n}",
                        "email": f"race{clients}-{n}@lycee.example.fr",
                        "consent": True,
                    }
                ).encode()
                began = time.perf_counter()
                try:
                    status = await post(reader, writer, body)
                except (OSError, asyncio.IncompleteReadError):
                    status = 0
                    writer.close()
                    reader, writer = await asyncio.open_connection("127.0.0.1", port)
                elapsed = (time.perf_counter() - began) * 1000
                statuses[status] += 1
                if status == 409:
                    latency["lost"].append(elapsed)
                elif status == 201:
                    latency["won"].append(elapsed)
        finally:
            writer.close()

    sampler = asyncio.create_task(sample_connections(dsn, peak, stop))
    began = time.perf_counter()
    await asyncio.gather(*(client() for _ in range(clients)))
    elapsed = time.perf_counter() - began
    stop.set()
    await sampler
    lost = latency["lost"]
    print(
        f"{clients:>4} clients: {sum(statuses.values())} answers in {elapsed:.1f} s, "
        f"{dict(sorted(statuses.items()))}; 503: {statuses[503]}"
    )
    if lost:
        print(
            f"      losers (409) ms: p50 {statistics.median(lost):7.1f}  p99 "
            f"{percentile(lost, 0.99):7.1f}   winners: {len(latency['won'])}; "
            f"PostgreSQL client connections at most {peak[0]}"
        )


async def paced(
    port: int, dsn: str, slots: list[tuple[str, str]], rate: int, seconds: float
) -> None:
    statuses: Counter[int] = Counter()
    latency: dict[str, list[float]] = {"lost": [], "won": []}
    rng = random.Random(rate)
    idle: list[tuple[asyncio.StreamReader, asyncio.StreamWriter]] = []
    opened = [0]
    peak = [0]
    stop = asyncio.Event()

    async def attempt(n: int, due: float) -> None:
        mentor_id, start = rng.choice(slots)
        body = json.dumps(
            {
                "mentor_id": mentor_id,
                "start": start,
                "first_name": f"Eleve{n}",
                "email": f"paced{rate}-{n}@lycee.example.fr",
                "consent": True,
            }
        ).encode()
        status = 0
        # A kept-alive connection the server has closed meanwhile (its idle timeout) fails at
        # once: the attempt goes again on a new one, its latency still counted from ``due``.
        for reuse in (bool(idle), False):
            if reuse:
                reader, writer = idle.pop()
            else:
                opened[0] += 1
                reader, writer = await asyncio.open_connection("127.0.0.1", port)
            try:
                status = await post(reader, writer, body)
            except (OSError, asyncio.IncompleteReadError):
                writer.close()
                continue
            idle.append((reader, writer))
            break
        elapsed = (time.perf_counter() - due) * 1000
        statuses[status] += 1
        if status == 409:
            latency["lost"].append(elapsed)
        elif status == 201:
            latency["won"].append(elapsed)

    sampler = asyncio.create_task(sample_connections(dsn, peak, stop))
    total = int(rate * seconds)
    began = time.perf_counter()
    tasks = []
    for n in range(total):
        due = began + n / rate
        delay = due - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        tasks.append(asyncio.create_task(attempt(n, due)))
    await asyncio.gather(*tasks)
    elapsed = time.perf_counter() - began
    stop.set()
    await sampler
    for _, writer in idle:
        writer.close()
    lost = latency["lost"]
    print(
        f"paced {rate}/s: {total} attempts sent in {seconds:.0f} s, answered by "
        f"{elapsed:.1f} s, {dict(sorted(statuses.items()))}; 503: {statuses[503]}; "
        f"client connections opened {opened[0]}"
    )
    if lost:
        print(
            f"      losers (409) ms from due time: p50 {statistics.median(lost):7.1f}  p99 "
            f"{percentile(lost, 0.99):7.1f}   winners: {len(latency['won'])}; "
            f"PostgreSQL client connections at most {peak[0]}"
        )


async def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--processes", type=int, default=3)
    parser.add_argument("--clients", type=int, nargs="+", default=[64, 256])
    parser.add_argument("--attempts", type=int, default=4000)
    parser.add_argument("--rates", type=int, nargs="*", default=[300])
    parser.add_argument("--seconds", type=float, default=8.0)
    parser.add_argument("--port", type=int, default=8790)
    args = parser.parse_args()
    server = EmbeddedPostgres.throwaway_under(
        PROJECT_ROOT / "var" / "bench-pg", prefix="race-", durable=True
    )
    with server:
        url = url_to_string(server.url("postgres"))
        dsn = url.replace("postgresql+psycopg://", "postgresql://")
        migrate.upgrade(url)
        await seed(url)
        process = start_server(url, args.port, args.processes)
        base = f"http://127.0.0.1:{args.port}"
        try:
            await wait_ready(base)
            print(f"{args.processes} API processes, PostgreSQL max_connections 100 (default)")
            for clients in args.clients:
                # Fresh popular slots for each rush: the previous ones are taken (and the
                # calendar's cache, FILIERE_CACHE_SECONDS, has let them go).
                await asyncio.sleep(2.5)
                slots = await popular_slots(base)
                await rush(args.port, dsn, slots, clients, args.attempts)
            for rate in args.rates:
                await asyncio.sleep(2.5)
                slots = await popular_slots(base)
                await paced(args.port, dsn, slots, rate, args.seconds)
            async with await psycopg.AsyncConnection.connect(dsn) as connection:
                rows = await (
                    await connection.execute(
                        "select count(*) from (select mentor_id, start_at from bookings "
                        "where status = 'confirmed' group by 1, 2 having count(*) > 1) d"
                    )
                ).fetchone()
            print(f"slots booked twice: {rows[0] if rows else '?'}")
        finally:
            process.terminate()
            process.wait(timeout=30)


if __name__ == "__main__":
    asyncio.run(main())
