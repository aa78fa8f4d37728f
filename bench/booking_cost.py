"""CPU and round trips of one ``POST /v1/bookings`` in-process (raw ASGI calls, no HTTP client).
Prints figures; asserts nothing.

    .venv/bin/python bench/booking_cost.py [--bookings 300] [--profile limits|bench]

The real app (create_app) on a throw-away embedded PostgreSQL seeded like bench/api.py. Each
request is sent straight to the ASGI app, one at a time, and timed with ``process_time`` (this
process's CPU: the service's Python, not PostgreSQL's). A *winner* books a free slot; a *loser*
asks for a slot just taken, with another visitor (the race's common answer, 409). Two setups:

* ``bench``: as bench/throughput.py runs the service (limits off, no verification, no live cap);
* ``limits``: production defaults (the three rate limits, the live cap of 3, verification on,
  each request carrying a valid proof).

Round trips are the statements psycopg sends plus its BEGIN, COMMIT and ROLLBACK. With
--profile, the chosen setup's winners and losers are run under cProfile and the top functions
printed. To compare two commits, run this file from each tree in turn (A B A B), e.g. copy it
into a checkout of the older commit.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import json
import os
import pstats
import statistics
import sys
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import psycopg
from litestar import Litestar
from litestar.testing import AsyncTestClient

sys.path[0] = str(Path(__file__).resolve().parent.parent)

from api.app import create_app  # noqa: E402
from api.wiring import build_parts  # noqa: E402
from bench.api import seed  # noqa: E402
from scheduler.booking import verification  # noqa: E402
from scheduler.platform import (  # noqa: E402
    PROJECT_ROOT,
    Database,
    EmbeddedPostgres,
    create_database,
    url_to_string,
)
from scheduler.platform import migrations as migrate  # noqa: E402
from scheduler.schedules import filiere_slots  # noqa: E402
from testkit.settings import settings_of  # noqa: E402

NOW = datetime(2030, 1, 7, 6, 0, tzinfo=UTC)  # a Monday
SECRET = "bench-secret-key-" + "x" * 32

ROUND_TRIPS: Counter[str] = Counter()
# The postmaster's pid, set by __main__: PostgreSQL's CPU is its processes' (from /proc).
POSTMASTER: list[int] = []
_TICK = 1 / os.sysconf("SC_CLK_TCK")


def postgres_cpu() -> float:
    """CPU seconds spent so far by the postmaster's children (backends, WAL writer…) that are
    still running; ticks of 10 ms, so only sums over many requests mean anything."""
    total = 0
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat") as stat:
                fields = stat.read().rpartition(")")[2].split()
        except OSError:
            continue
        if int(fields[1]) in POSTMASTER or int(entry.name) in POSTMASTER:
            total += int(fields[11]) + int(fields[12])
    return total * _TICK


def _count_round_trips() -> None:
    """Count what psycopg sends: each statement, and each BEGIN / COMMIT / ROLLBACK."""
    execute = psycopg.AsyncCursor.execute
    commit = psycopg.AsyncConnection.commit
    rollback = psycopg.AsyncConnection.rollback

    async def counted_execute(self: Any, *args: Any, **kwargs: Any) -> Any:
        if self.connection.info.transaction_status == psycopg.pq.TransactionStatus.IDLE and (
            not self.connection.autocommit
        ):
            ROUND_TRIPS["begin"] += 1
        ROUND_TRIPS["statement"] += 1
        return await execute(self, *args, **kwargs)

    async def counted_commit(self: Any) -> None:
        if self.info.transaction_status != psycopg.pq.TransactionStatus.IDLE:
            ROUND_TRIPS["commit"] += 1
        await commit(self)

    async def counted_rollback(self: Any) -> None:
        if self.info.transaction_status != psycopg.pq.TransactionStatus.IDLE:
            ROUND_TRIPS["rollback"] += 1
        await rollback(self)

    psycopg.AsyncCursor.execute = counted_execute  # type: ignore[method-assign]
    psycopg.AsyncConnection.commit = counted_commit  # type: ignore[method-assign]
    psycopg.AsyncConnection.rollback = counted_rollback  # type: ignore[method-assign]


async def _post(app: Litestar, body: bytes, client: str) -> int:
    scope = {
        "type": "http",
        "asgi": {"version": "3.0", "spec_version": "2.3"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": "/v1/bookings",
        "raw_path": b"/v1/bookings",
        "query_string": b"",
        "root_path": "",
        "headers": [
            (b"host", b"bench.local"),
            (b"content-type", b"application/json"),
            (b"content-length", str(len(body)).encode()),
        ],
        "client": (client, 50000),
        "server": ("bench.local", 80),
        "state": {},
    }
    sent = False
    status = 0

    async def receive() -> dict[str, Any]:
        nonlocal sent
        if sent:
            await asyncio.sleep(3600)
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        nonlocal status
        if message["type"] == "http.response.start":
            status = message["status"]

    await app(scope, receive, send)  # type: ignore[arg-type]
    return status


def _body(mentor: str, start: str, n: int, proof: bool) -> bytes:
    email = f"eleve{n}@lycee.example.fr"
    fields: dict[str, Any] = {
        "mentor_id": mentor,
        "start": start,
        "first_name": f"Eleve{n}",
        "email": email,
        "consent": True,
    }
    if proof:
        fields["email_proof"] = verification.email_proof(SECRET, email, NOW)
    return json.dumps(fields).encode()


async def _slots(database: Database) -> list[tuple[str, str]]:
    async with database.session() as session:
        offer = await filiere_slots(session, "droit", NOW, NOW, NOW + timedelta(days=14))
    columns = [[(str(o.mentor.id), s.isoformat()) for s in o.slots] for o in offer.mentors]
    items: list[tuple[str, str]] = []
    for row in range(max(len(c) for c in columns)):
        items += [column[row] for column in columns if row < len(column)]
    return items


async def measure(url: str, setup: str, items: list[tuple[str, str]], profile: bool) -> None:
    limits = setup == "limits"
    settings = settings_of(
        database_url=url,
        public_url="http://bench.local",
        seed_demo=False,
        embedded_worker=False,
        secret_key=SECRET,
        **(
            {"booking_email_verification": True, "booking_live_per_email": 3}
            if limits
            else {
                "booking_limit_per_address": 0,
                "booking_limit_per_email": 0,
                "booking_limit_per_slot": 0,
            }
        ),
    )
    database = Database.from_url(url)
    app = create_app(settings, build_parts(settings, database, clock=lambda: NOW))
    # Each request from its own address: the clock stands still, so one address would reach
    # its limit (60 a minute) and the bench would count refusals instead of bookings.
    win_cpu: list[float] = []
    lose_cpu: list[float] = []
    database_cpu = {"winner": 0.0, "loser": 0.0}
    trips: dict[str, list[int]] = {"winner": [], "loser": []}
    statuses: Counter[int] = Counter()
    # CPU, not wall time: waiting for PostgreSQL costs the process nothing.
    profiler = cProfile.Profile(time.process_time) if profile else None
    async with AsyncTestClient(app=app, base_url="http://bench.local"):
        for n, (mentor, start) in enumerate(items):
            for visitor in (2 * n, 2 * n + 1):
                body = _body(mentor, start, visitor + (0 if limits else 1_000_000), limits)
                ROUND_TRIPS.clear()
                if profiler:
                    profiler.enable()
                database_began = postgres_cpu()
                began = time.process_time()
                status = await _post(
                    app, body, f"10.{visitor >> 16 & 255}.{visitor >> 8 & 255}.{visitor & 255}"
                )
                spent = time.process_time() - began
                if profiler:
                    profiler.disable()
                statuses[status] += 1
                # A slot next to one just booked may be taken through the buffers: the status
                # says which answer the request got.
                role, cpu = ("winner", win_cpu) if status == 201 else ("loser", lose_cpu)
                cpu.append(spent)
                # The backend may still be finishing (a COMMIT's WAL flush): its CPU lands
                # with the next request's reading, a blur over many requests, not a bias.
                database_cpu[role] += postgres_cpu() - database_began
                trips[role].append(sum(ROUND_TRIPS.values()))
    await database.dispose()
    # The first requests warm caches (compiled statements, imports): leave them out.
    skip = 10
    print(
        f"{setup:>7}: winner {statistics.median(win_cpu[skip:]) * 1e6:7.0f} µs CPU"
        f" ({statistics.median(trips['winner'][skip:]):.0f} round trips), loser"
        f" {statistics.median(lose_cpu[skip:]) * 1e6:7.0f} µs CPU"
        f" ({statistics.median(trips['loser'][skip:]):.0f} round trips); PostgreSQL's CPU per"
        f" winner {database_cpu['winner'] / len(win_cpu) * 1e6:.0f} µs, per loser"
        f" {database_cpu['loser'] / len(lose_cpu) * 1e6:.0f} µs;"
        f" statuses {dict(sorted(statuses.items()))}"
    )
    if profiler:
        pstats.Stats(profiler).sort_stats("tottime").print_stats(35)
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(60)


async def main(url: str, bookings: int, profile: str | None) -> None:
    await seed(url)
    database = Database.from_url(url)
    items = await _slots(database)
    await database.dispose()
    # Alternate the setups on disjoint slots, twice each, so that machine noise hits both.
    quarter = min(bookings, len(items) // 4)
    for k, setup in enumerate(("bench", "limits", "bench", "limits")):
        chosen = items[k * quarter : (k + 1) * quarter]
        await measure(url, setup, chosen, profile == setup and k >= 2)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bookings", type=int, default=300)
    parser.add_argument("--profile", choices=("bench", "limits"))
    args = parser.parse_args()
    _count_round_trips()
    server = EmbeddedPostgres.throwaway_under(PROJECT_ROOT / "var" / "bench-pg", prefix="cost-")
    print(f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f} at start; in-process ASGI")
    with server:
        POSTMASTER.append(server._process.pid if server._process else 0)
        create_database(server.url(), "bench")
        target = url_to_string(server.url("bench"))
        migrate.upgrade(target)
        asyncio.run(main(target, args.bookings, args.profile))
