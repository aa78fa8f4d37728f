"""Google Calendar costs, measured against the fake Google with the real client libraries and
the real app on the embedded PostgreSQL. Prints figures; asserts nothing.

    .venv/bin/python bench/google.py [--mentors 500] [--requests 300]

1. Google calls made by visitors' slot requests (goal: 0: the request path reads PostgreSQL);
2. one busy refresh round for every connected mentor (what the worker does every
   BUSY_REFRESH_MINUTES), and one sync polling round, as requests per hour and per minute
   against Google Calendar's default quotas: 600 requests/minute per user, 10 000 per project.

Times are against a local fake: Google's own latency (~100-300 ms per call) is not in them;
the call counts are what the quotas see.
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

# This file's folder comes first on sys.path when run as a script, where its name would shadow
# the ``google`` package (google-auth): put the project root there instead.
sys.path[0] = str(Path(__file__).resolve().parent.parent)

from cryptography.fernet import Fernet  # noqa: E402
from litestar.testing import AsyncTestClient  # noqa: E402

from api.app import create_app  # noqa: E402
from api.wiring import build_parts  # noqa: E402
from bench.harness import add_mentors, migrated_database  # noqa: E402
from integrations.google import GoogleCalendarProvider  # noqa: E402
from scheduler import catalog  # noqa: E402
from scheduler.calendar import (  # noqa: E402
    SYNC_POLL,
    CalendarService,
    GoogleTokens,
)
from scheduler.platform import (  # noqa: E402
    Actor,
    Database,
)
from testkit.fake_google import (  # noqa: E402
    ALL_CALENDAR_SCOPES,
    CLIENT_ID,
    CLIENT_SECRET,
    FakeGoogle,
)
from testkit.settings import settings_of  # noqa: E402

STAFF = Actor.staff("bench")
PER_USER_QUOTA = 600  # requests per minute per user
PER_PROJECT_QUOTA = 10_000  # requests per minute per project


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2030, 1, 7, 6, 0, tzinfo=UTC)  # Monday 07:00 in Paris

    def __call__(self) -> datetime:
        return self.now


async def setup(db: Database, fake: FakeGoogle, service: CalendarService, mentors: int) -> list:  # type: ignore[type-arg]
    ids = []
    async with db.sessions() as session:
        await catalog.create_filiere(session, "droit", "Droit", "Law", STAFF)
        week = {d: [("17:00", "21:00")] for d in range(5)}
        added = await add_mentors(session, "droit", mentors, week, name="Mentor {i:03d}")
        ids.extend(mentor.id for mentor in added)
        await session.commit()
    gate = asyncio.Semaphore(8)

    async def connect(i: int) -> None:
        email = f"mentor{i}@gmail.example.com"
        fake.add_account(email)
        fake.add_calendar(email, f"cours{i}", summary="Cours")
        for day in range(0, 30, 3):
            start = service.clock() + timedelta(days=day, hours=11)
            fake.add_busy(email, start, start + timedelta(hours=1))
        access, refresh = fake.issue_tokens(email)
        expiry = datetime.now(UTC) + timedelta(minutes=50)  # google-auth reads the real clock
        tokens = GoogleTokens(access, refresh, expiry, tuple(sorted(ALL_CALENDAR_SCOPES)))
        async with gate:
            await service.connect(ids[i], tokens, email)
            await service.choose_calendars(ids[i], [email, f"cours{i}"], email)

    await asyncio.gather(*(connect(i) for i in range(mentors)))
    return ids


async def main(url: str, mentors: int, requests: int) -> None:
    fake = FakeGoogle().start()
    clock = Clock()
    settings = settings_of(
        database_url=url,
        public_url="http://127.0.0.1:8000",  # no HTTPS: polling, no push channels
        seed_demo=False,
        embedded_worker=False,
        google_client_id=CLIENT_ID,
        google_client_secret=CLIENT_SECRET,
        google_auth_uri=fake.auth_uri,
        google_token_uri=fake.token_uri,
        google_revoke_uri=fake.revoke_uri,
        google_api_base=fake.base_url,
        token_keys=(Fernet.generate_key().decode(),),
    )
    db = Database.from_url(url, pool_size=20)
    provider = GoogleCalendarProvider(settings.google, num_retries=3, timeout_seconds=10)
    service = CalendarService(db, provider, settings, clock=clock)
    try:
        t0 = time.perf_counter()
        ids = await setup(db, fake, service, mentors)
        print(f"set-up: {mentors} mentors connected in {time.perf_counter() - t0:.1f} s")

        print("1. visitors' slot requests")
        parts = build_parts(settings, Database.from_url(url), clock=clock)
        parts = dataclasses.replace(parts, calendar=provider, calendar_check=provider)
        app = create_app(settings, parts)
        before = len(fake.log)
        timings = []
        async with AsyncTestClient(app=app) as client:
            for n in range(requests):
                started = time.perf_counter()
                answer = await client.get(f"/v1/mentors/{ids[n % len(ids)]}/slots")
                timings.append((time.perf_counter() - started) * 1000)
                assert answer.status_code == 200
                if n % 10 == 0:
                    await client.get("/v1/filieres/droit/mentors")
        calls = len(fake.log) - before
        timings.sort()
        print(
            f"  => {calls} Google calls for {requests + requests // 10} slot requests "
            f"({calls / requests:.2f} per request; goal 0); "
            f"p50 {timings[len(timings) // 2]:.1f} ms, p95 {timings[int(len(timings) * 0.95)]:.1f} ms"
        )

        print(
            f"2. busy refresh round, {mentors} mentors, every {settings.worker.busy_refresh_minutes} min"
        )
        clock.now += timedelta(minutes=settings.worker.busy_refresh_minutes + 1)
        before = len(fake.log)
        freebusy_before = fake.count("POST", r"/calendar/v3/freeBusy")
        tokens_before = fake.count("POST", "/token")
        started = time.perf_counter()
        fresh = await service.refresh_all_due(limit=mentors, concurrency=8)
        took = time.perf_counter() - started
        freebusy = fake.count("POST", r"/calendar/v3/freeBusy") - freebusy_before
        token_calls = fake.count("POST", "/token") - tokens_before
        api_calls = len(fake.log) - before - token_calls
        rounds_per_hour = 60 / settings.worker.busy_refresh_minutes
        print(
            f"  => {fresh} mentors fresh in {took:.1f} s; {freebusy} freeBusy calls "
            f"({freebusy / mentors:.2f} per mentor), {token_calls} token refreshes (OAuth endpoint, ~1/mentor/hour, not Calendar quota)"
        )

        print(f"3. sync polling round (events.list with syncToken, every {SYNC_POLL})")
        await service.sync_due(limit=mentors, concurrency=8)  # first full listing
        clock.now += SYNC_POLL + timedelta(seconds=1)
        before = fake.count("GET", r"/calendar/v3/calendars/[^/]+/events")
        await service.sync_due(limit=mentors, concurrency=8)
        sync_calls = fake.count("GET", r"/calendar/v3/calendars/[^/]+/events") - before
        syncs_per_hour = timedelta(hours=1) / SYNC_POLL
        print(
            f"  => {sync_calls} events.list calls per round ({sync_calls / mentors:.2f} per mentor)"
        )

        per_hour = api_calls * rounds_per_hour + sync_calls * syncs_per_hour
        per_minute = per_hour / 60
        per_user_minute = per_hour / mentors / 60
        print("quota view (Calendar API requests):")
        print(
            f"  {mentors} mentors: {per_hour:.0f} requests/hour = {per_minute:.0f}/min for the "
            f"project ({100 * per_minute / PER_PROJECT_QUOTA:.2f} % of {PER_PROJECT_QUOTA}/min)"
        )
        print(
            f"  per mentor: {per_hour / mentors:.0f} requests/hour = {per_user_minute:.2f}/min "
            f"({100 * per_user_minute / PER_USER_QUOTA:.3f} % of {PER_USER_QUOTA}/min per user)"
        )
        room = PER_PROJECT_QUOTA * 60 / (per_hour / mentors)
        print(f"  the project quota would carry ~{room:.0f} mentors at these intervals")
    finally:
        await db.dispose()
        fake.stop()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mentors", type=int, default=500)
    parser.add_argument("--requests", type=int, default=300)
    args = parser.parse_args()
    with migrated_database("google-") as url:
        asyncio.run(main(url, args.mentors, args.requests))
