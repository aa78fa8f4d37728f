"""The visitor's journey in figures, on the embedded PostgreSQL and the real app (in-process ASGI).
Prints figures; asserts nothing.

    .venv/bin/python -P bench/venue.py [--bookings 200]   (-P: bench/google.py would shadow google)

Books ``--bookings`` calls through ``POST /v1/bookings`` across the demo mentors (none of them
has Google connected, as on a fresh install; two of them get their own meeting link first), then for
each one, right after the confirmation, opens the visitor's join link with the service's clock
moved into the call's window:

1. the share of bookings whose join link leads to a venue at confirmation (a 303 to a video
   room: Jitsi, the mentor's own link) — goal 100 %;
2. the wall time from the confirmation (the POST's answer) to a join link that resolves — the
   link is in the answer itself and resolves with no background work, so this is one request.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path

# The project root replaces bench/ on the path: bench/google.py would otherwise shadow the
# ``google`` package that the Google client libraries import (a circular import of api.app).
sys.path[0] = str(Path(__file__).resolve().parent.parent)

from litestar.testing import AsyncTestClient  # noqa: E402

from api.app import create_app  # noqa: E402
from api.wiring import build_parts  # noqa: E402
from bench.harness import migrated_database  # noqa: E402
from scheduler import catalog  # noqa: E402
from scheduler.platform import Actor, Database  # noqa: E402
from scheduler.schedules import demo  # noqa: E402
from testkit.factories import Clock  # noqa: E402
from testkit.settings import settings_of  # noqa: E402


async def run(url: str, total: int) -> None:
    settings = settings_of(
        database_url=url,
        public_url="http://bench.local",
        booking_limit_per_address=0,
        booking_limit_per_email=0,
        booking_limit_per_slot=0,
        filiere_cache_seconds=0,
        seed_demo=False,
        embedded_worker=False,
    )
    db = Database.from_url(url)
    async with db.session() as session:
        await demo.seed(session)
    clock = Clock(datetime.now().astimezone())
    app = create_app(settings, build_parts(settings, Database.from_url(url), clock=clock))
    async with AsyncTestClient(app=app, base_url="http://bench.local") as client:
        mentors = []
        for slug in [f["slug"] for f in (await client.get("/v1/filieres")).json()]:
            page = (await client.get(f"/v1/filieres/{slug}/mentors")).json()
            mentors += [(m["id"], slug) for m in page["mentors"]]
        async with db.session() as session:
            for mentor_id, _ in mentors[:: max(1, len(mentors) // 10)][:2]:
                await catalog.update_mentor(
                    session,
                    mentor_id,
                    catalog.MentorChanges(meeting_url="https://zoom.us/j/1"),
                    Actor.staff("bench"),
                )
        resolved = 0
        kinds: dict[str, int] = {}
        delays: list[float] = []
        made = 0
        for n in range(total):
            mentor_id, slug = mentors[n % len(mentors)]
            clock.now = datetime.now().astimezone()
            slots = (await client.get(f"/v1/mentors/{mentor_id}/slots")).json()
            free = [s["start"] for d in slots["days"] for s in d["slots"]]
            if not free:
                continue
            created = await client.post(
                "/v1/bookings",
                json={
                    "mentor_id": mentor_id,
                    "start": free[0],
                    "first_name": "Camille",
                    "email": f"camille{n}@bench.example",
                    "consent": True,
                    "filiere": slug,
                },
            )
            if created.status_code != 201:
                continue
            confirmed_at = time.perf_counter()
            made += 1
            body = created.json()
            clock.now = datetime.fromisoformat(body["booking"]["start"]) - timedelta(minutes=5)
            path = body["join_url"].removeprefix("http://bench.local")
            opened = await client.get(path, follow_redirects=False)
            if opened.status_code == 303:
                resolved += 1
                delays.append(time.perf_counter() - confirmed_at)
                where = opened.headers["location"]
                kind = (
                    "jitsi" if "meet.jit.si" in where else "own link" if "zoom" in where else "meet"
                )
                kinds[kind] = kinds.get(kind, 0) + 1
    print(f"bookings confirmed: {made}")
    print(
        f"1. join link leads to a venue at confirmation: {resolved}/{made}"
        f" = {100 * resolved / max(made, 1):.1f} % (by venue: {kinds})"
    )
    if delays:
        delays.sort()
        p95 = delays[int(0.95 * (len(delays) - 1))]
        print(
            f"2. confirmation -> join link resolving: median {1000 * statistics.median(delays):.1f} ms,"
            f" p95 {1000 * p95:.1f} ms (one request; no background work is waited for)"
        )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bookings", type=int, default=200)
    args = parser.parse_args()
    print(f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f} at start")
    with migrated_database("venue-", "bench_venue") as url:
        asyncio.run(run(url, args.bookings))
