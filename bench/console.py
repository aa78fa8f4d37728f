"""The staff console at size: 500 mentors and 10,000 bookings (and 200 open reports). Server time
per page (p50/p95, in-process ASGI) and database queries per page, and the privacy service
itself (find, export, erase of one visitor's address). Prints figures; asserts nothing.

    .venv/bin/python bench/console.py [--requests 40] [--page /staff/stats ...]

Set-up data is written directly (like a restore); the pages and services only read (the
erasure is timed on its own address, one per run).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import statistics
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

# The project root replaces bench/ on the path: bench/ modules must not shadow packages (google).
sys.path[0] = str(Path(__file__).resolve().parent.parent)

from litestar.testing import AsyncTestClient  # noqa: E402
from sqlalchemy import event, text  # noqa: E402

from api.app import create_app  # noqa: E402
from api.wiring import build_parts  # noqa: E402
from bench.harness import migrated_database, staff_session  # noqa: E402
from scheduler import catalog  # noqa: E402
from scheduler.platform import (  # noqa: E402
    Actor,
    Database,
)
from scheduler.schedules import rules as schedules  # noqa: E402
from scheduler.staff import privacy  # noqa: E402
from testkit.settings import settings_of  # noqa: E402

NOW = datetime(2030, 1, 7, 6, 0, tzinfo=UTC)
MENTORS = 500
BOOKINGS = 10_000
REPORTS = 200
# Monday to Saturday, 9:00–12:00 and 14:00–20:00 (the mentors' hours in bench/api.py).
WEEK = {day: [("09:00", "12:00"), ("14:00", "20:00")] for day in range(6)}
STAFF = Actor.staff("bench@thotis.fr")
# A visitor who booked 20 times (the privacy pages' address).
FREQUENT = "frequent@lycee.example.fr"
PAGES = (
    "/staff",
    "/staff?q=mentor%2042",
    "/staff/mentors/{mentor}",
    "/staff/moderation",
    "/staff/stats",
    "/staff/questions",
    "/staff/credentials",
    "/staff/privacy",
    "/staff/bookings",
    "/staff/bookings?page=150",
    "/staff/audit",
    "/staff/audit?page=5",
)


class Counter:
    def __init__(self) -> None:
        self.count = 0

    def __call__(self, *_: Any) -> None:
        self.count += 1


async def populate(db: Database) -> Any:
    async with db.session() as session:
        for slug, fr, en in (("droit", "Droit", "Law"), ("medecine", "Médecine", "Medicine")):
            await catalog.create_filiere(session, slug, fr, en, STAFF)
        for n in range(MENTORS):
            created = await catalog.create_mentor(
                session,
                catalog.MentorFields(
                    display_name=f"Mentor {n}",
                    email=f"mentor{n}@univ.example.fr",
                    university="Université Paris Cité",
                    year_of_study=3,
                    filieres=("droit" if n % 2 else "medecine",),
                ),
                STAFF,
            )
            # Every mentor offers hours, so that the engine's pages (the utilisation of
            # /staff/stats) do the work they do in production.
            await schedules.set_weekly_rules(session, created.id, WEEK, STAFF)
    async with db.transaction() as session:
        # Booking n is mentor n % MENTORS's (n // MENTORS)-th, 30 minutes after the one before;
        # half past, half ahead. Every 500th visitor is the frequent one.
        await session.execute(
            text(
                """
                WITH m AS (SELECT id, row_number() OVER (ORDER BY email) - 1 AS k FROM mentors)
                INSERT INTO bookings (id, series_id, mentor_id, filiere_id, start_at, end_at,
                    buffer_before_minutes, buffer_after_minutes, status, visitor_first_name,
                    visitor_email, visitor_question, visitor_timezone, language, consent_at,
                    consent_basis)
                SELECT g.id, g.id, m.id, (SELECT id FROM filieres WHERE slug = 'droit'),
                       s, s + interval '15 minutes', 0, 0,
                       CASE WHEN n % 7 = 0 THEN 'cancelled' ELSE 'confirmed' END,
                       'Élève' || n,
                       CASE WHEN n % 500 = 0 THEN :frequent
                            ELSE 'eleve' || n || '@lycee.example.fr' END,
                       'Comment se passent les partiels ? (' || n || ')', 'Europe/Paris', 'fr',
                       :now, 'own'
                FROM generate_series(0, :total - 1) AS n
                JOIN m ON m.k = n % :mentors,
                LATERAL (SELECT gen_random_uuid() AS id,
                         :now + ((n / :mentors) - :half) * interval '30 minutes' AS s) AS g
                """
            ),
            {
                "total": BOOKINGS,
                "mentors": MENTORS,
                "half": BOOKINGS // MENTORS // 2,
                "now": NOW,
                "frequent": FREQUENT,
            },
        )
        await session.execute(
            text(
                """
                INSERT INTO booking_reports (booking_id, mentor_id, reason, reporter, created_at)
                SELECT id, mentor_id, 'Signalement ' || row_number() OVER (),
                       CASE WHEN random() < .5 THEN 'visitor' ELSE 'mentor' END, :now
                  FROM bookings ORDER BY id LIMIT :reports
                """
            ),
            {"now": NOW, "reports": REPORTS},
        )
        mentor = (await session.execute(text("SELECT id FROM mentors LIMIT 1"))).scalar()
        await session.execute(text("ANALYZE"))
    return mentor


async def measure(
    client: AsyncTestClient,  # type: ignore[type-arg]
    counter: Counter,
    request: Any,
    requests: int,
) -> tuple[float, float, int]:
    times: list[float] = []
    queries: set[int] = set()
    for _ in range(requests):
        counter.count = 0
        started = time.perf_counter()
        response = await request()
        times.append((time.perf_counter() - started) * 1000)
        if response.status_code != 200:
            raise SystemExit(f"{response.status_code} {response.text[:300]}")
        queries.add(counter.count)
    times.sort()
    return statistics.median(times), times[int(0.95 * (len(times) - 1))], max(queries)


async def timed(work: Any, requests: int) -> tuple[float, float]:
    times: list[float] = []
    for _ in range(requests):
        started = time.perf_counter()
        await work()
        times.append((time.perf_counter() - started) * 1000)
    times.sort()
    return statistics.median(times), times[int(0.95 * (len(times) - 1))]


async def main(url: str, requests: int, pages: tuple[str, ...]) -> None:
    database = Database.from_url(url)
    started = time.perf_counter()
    mentor = await populate(database)
    print(
        f"set-up: {MENTORS} mentors, {BOOKINGS} bookings, {REPORTS} reports in "
        f"{time.perf_counter() - started:.1f} s"
    )
    counter = Counter()
    event.listen(database.engine.sync_engine, "before_cursor_execute", counter)
    async with database.session() as session:
        staff_raw = await staff_session(session, NOW)
    settings = settings_of(
        database_url=url,
        public_url="http://bench.local",
        seed_demo=False,
        embedded_worker=False,
        staff_emails=("bench@thotis.fr",),
    )
    app = create_app(settings, build_parts(settings, database, clock=lambda: NOW))
    # Ratios to a one-query page measured in the same run read the same on a busy machine.
    print("page".ljust(40) + f"{'p50 ms':>9}{'p95 ms':>9}{'queries':>9}{'p95/base':>10}")
    async with AsyncTestClient(app=app, base_url="http://bench.local") as client:
        client.cookies.set("thotis_staff", staff_raw, domain="bench.local", path="/staff")
        await client.get("/staff/privacy")
        _, base, _ = await measure(client, counter, lambda: client.get("/staff/privacy"), requests)
        for path in pages:
            concrete = path.format(mentor=mentor)
            await client.get(concrete)  # warm-up
            p50, p95, q = await measure(client, counter, lambda c=concrete: client.get(c), requests)
            print(f"GET {path}".ljust(40) + f"{p50:>9.1f}{p95:>9.1f}{q:>9}{p95 / base:>10.1f}")
        form = (await client.get("/staff/privacy")).text
        csrf = re.search(r'name="csrf_token" value="([^"]+)"', form)
        assert csrf is not None

        def look_up() -> Any:
            return client.post(
                "/staff/privacy", data={"email": FREQUENT, "csrf_token": csrf.group(1)}
            )

        p50, p95, q = await measure(client, counter, look_up, requests)
        print("POST /staff/privacy (20 bookings)".ljust(40) + f"{p50:>9.1f}{p95:>9.1f}{q:>9}")
    print("service".ljust(40) + f"{'p50 ms':>9}{'p95 ms':>9}")

    async def find() -> None:
        async with database.session() as session:
            await privacy.find(session, FREQUENT, NOW)

    async def export() -> None:
        async with database.session() as session:
            await privacy.export(session, FREQUENT, NOW, STAFF)

    for name, work in (("privacy.find", find), ("privacy.export", export)):
        p50, p95 = await timed(work, requests)
        print(f"{name} (20 bookings)".ljust(40) + f"{p50:>9.1f}{p95:>9.1f}")
    erasures: list[float] = []
    for n in range(1, min(requests, 20) + 1):
        async with database.session() as session:
            begun = time.perf_counter()
            await privacy.erase(session, f"eleve{n}@lycee.example.fr", NOW, STAFF)
            erasures.append((time.perf_counter() - begun) * 1000)
    erasures.sort()
    print(
        "privacy.erase (1 booking)".ljust(40)
        + f"{statistics.median(erasures):>9.1f}{erasures[int(0.95 * (len(erasures) - 1))]:>9.1f}"
    )
    await database.dispose()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=40)
    parser.add_argument(
        "--page",
        action="append",
        choices=PAGES,
        help="only this page (repeatable): a shorter run, to interleave before/after runs",
    )
    args = parser.parse_args()
    print(f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f} at start; in-process ASGI")
    with migrated_database("console-") as url:
        asyncio.run(main(url, args.requests, tuple(args.page or PAGES)))
