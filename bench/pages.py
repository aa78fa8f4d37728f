"""Mentor space and staff console pages: server time per page (p50/p95) and database queries
per page, for a mentor with 0, 100 and 1000 bookings. Prints figures; asserts nothing.

    .venv/bin/python bench/pages.py [--requests 40]

The app is ``create_app()`` on an embedded PostgreSQL with the demo data, called in-process
(ASGI, no network), signed in through real sessions. Queries are counted with a SQLAlchemy
``before_cursor_execute`` listener on the app's engine; the session guard's lookup is included.
A constant count across the three sizes is the "no N+1" claim.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

# The project root replaces bench/ on the path: bench/ modules must not shadow packages (google).
sys.path[0] = str(Path(__file__).resolve().parent.parent)

from litestar.testing import AsyncTestClient  # noqa: E402
from sqlalchemy import event, text  # noqa: E402

from api.app import create_app  # noqa: E402
from api.wiring import build_parts  # noqa: E402
from bench.harness import migrated_database, staff_session  # noqa: E402
from scheduler.identity import sessions  # noqa: E402
from scheduler.platform import (  # noqa: E402
    Database,
)
from scheduler.schedules import seed  # noqa: E402
from testkit.settings import settings_of  # noqa: E402

NOW = datetime(2030, 1, 7, 6, 0, tzinfo=UTC)  # a Monday, 07:00 in Paris
MENTOR = "camille.laurent@demo.thotis.fr"
SIZES = (0, 100, 1000)
MENTOR_PAGES = (
    "/mentor",
    "/mentor/bookings/{booking}",
    "/mentor/availability",
    "/mentor/availability/overrides",
    "/mentor/settings",
)
STAFF_PAGES = ("/staff", "/staff/stats", "/staff/questions", "/staff/moderation")


class Counter:
    def __init__(self) -> None:
        self.count = 0

    def __call__(self, *_: Any) -> None:
        self.count += 1


async def add_bookings(db: Database, mentor_id: Any, first: int, total: int) -> None:
    """``total`` bookings of the mentor, half past and half ahead, 30 minutes apart (set-up
    data written directly, like a restore; the pages only read them)."""
    if total == 0:
        return
    async with db.transaction() as session:
        await session.execute(
            text(
                """
                INSERT INTO bookings (id, series_id, mentor_id, filiere_id, start_at, end_at,
                    buffer_before_minutes, buffer_after_minutes, status, visitor_first_name,
                    visitor_email, visitor_question, visitor_timezone, language, consent_at)
                SELECT g.id, g.id, :mentor,
                       (SELECT id FROM filieres WHERE slug = 'droit'),
                       s, s + interval '15 minutes', 0, 0,
                       CASE WHEN n % 7 = 0 THEN 'cancelled' ELSE 'confirmed' END,
                       'Élève' || n, 'eleve' || n || '@lycee.example.fr',
                       'Comment se passent les partiels ? (' || n || ')', 'Europe/Paris', 'fr', :now
                FROM generate_series(:first, :first + :total - 1) AS n,
                     LATERAL (SELECT gen_random_uuid() AS id,
                              :now + (n - :middle) * interval '30 minutes'
                                   + interval '3 days' AS s) AS g
                """
            ),
            {
                "mentor": mentor_id,
                "first": first,
                "total": total,
                "now": NOW,
                "middle": SIZES[-1] // 2,
            },
        )


async def measure(
    client: AsyncTestClient, counter: Counter, path: str, requests: int
) -> tuple[float, float, int]:  # type: ignore[type-arg]
    times: list[float] = []
    queries: set[int] = set()
    for _ in range(requests):
        counter.count = 0
        started = time.perf_counter()
        response = await client.get(path)
        times.append((time.perf_counter() - started) * 1000)
        if response.status_code != 200:
            raise SystemExit(f"{path}: {response.status_code} {response.text[:300]}")
        queries.add(counter.count)
    if len(queries) != 1:
        print(f"  note: {path} ran {sorted(queries)} queries across requests")
    times.sort()
    return statistics.median(times), times[int(0.95 * (len(times) - 1))], max(queries)


async def main(url: str, requests: int) -> None:
    database = Database.from_url(url)
    counter = Counter()
    event.listen(database.engine.sync_engine, "before_cursor_execute", counter)
    async with database.session() as session:
        await seed(session)
        await session.commit()
        mentor_id = await sessions.sign_in_mentor_id(session, MENTOR)
        await session.execute(
            text("INSERT INTO mentor_preferences (mentor_id, onboarded_at) VALUES (:m, :now)"),
            {"m": mentor_id, "now": NOW},
        )
        await session.commit()
        mentor_raw, _ = await sessions.open_session(
            session, role="mentor", now=NOW, lifetime=timedelta(days=1), mentor_id=mentor_id
        )
        staff_raw = await staff_session(session, NOW)
    settings = settings_of(
        database_url=url, public_url="http://bench.local", seed_demo=False, embedded_worker=False
    )
    app = create_app(settings, build_parts(settings, database, clock=lambda: NOW))
    results: dict[str, list[tuple[float, float, int]]] = {}
    added = 0
    async with AsyncTestClient(app=app, base_url="http://bench.local") as client:
        client.cookies.set("thotis_mentor", mentor_raw, domain="bench.local", path="/mentor")
        client.cookies.set("thotis_staff", staff_raw, domain="bench.local", path="/staff")
        for size in SIZES:
            await add_bookings(database, mentor_id, added + 1, size - added)
            added = size
            async with database.session() as session:
                booking = (
                    await session.execute(
                        text(
                            "SELECT id FROM bookings WHERE mentor_id = :m ORDER BY start_at LIMIT 1"
                        ),
                        {"m": mentor_id},
                    )
                ).scalar()
            for path in MENTOR_PAGES + STAFF_PAGES:
                if "{booking}" in path and booking is None:
                    continue
                concrete = path.format(booking=booking)
                await client.get(concrete)  # warm-up (template compilation, caches)
                results.setdefault(path, []).append(
                    await measure(client, counter, concrete, requests)
                )
    await database.dispose()

    header = "page".ljust(34) + "".join(f"{'n=' + str(s):>26}" for s in SIZES)
    print(header)
    print(" " * 34 + "".join(f"{'p50 / p95 ms, queries':>26}" for _ in SIZES))
    for path, rows in results.items():
        cells = "".join(f"{p50:>9.1f} /{p95:>6.1f}, {q:>4}" for p50, p95, q in rows)
        if len(rows) < len(SIZES):
            cells = " " * 26 * (len(SIZES) - len(rows)) + cells
        print(path.ljust(34) + cells)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=40)
    args = parser.parse_args()
    print(f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f} at start; in-process ASGI")
    with migrated_database("pages-") as url:
        asyncio.run(main(url, args.requests))
