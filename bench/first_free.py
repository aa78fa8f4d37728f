""" "Le premier étudiant disponible" on the embedded PostgreSQL. Prints figures; asserts nothing.

    .venv/bin/python bench/first_free.py [--booked 3000] [--rounds 20] [--fast]

1. the merged calendar of a filière of 20 mentors x 14 days (``filiere_calendar``, what
   ``GET /v1/filieres/{slug}/slots`` computes), read from a database holding --booked bookings:
   p50 / p95 over 200 reads, beside the per-mentor answer of the same filière
   (``filiere_slots``) in the same run for scale;
2. the race: --rounds times, 64 visitors (each on its own connection, released together) ask
   ``book_first_free`` for the same time across a filière of 5 mentors; per round 5 win (each
   on a different mentor) and 59 get slot_taken. Throughput = requests answered per second and
   bookings made per second, wall time from release to the last answer.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import os
import sys
import time
from collections import Counter
from datetime import datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.booking import NOW, book_all, fresh_database, prepare, visitor
from bench.harness import add_mentors, percentile
from scheduler import catalog
from scheduler.booking import book_first_free, filiere_calendar
from scheduler.platform import PROJECT_ROOT, Actor, Database, EmbeddedPostgres, SlotTaken
from scheduler.schedules import filiere_slots
from scheduler.schedules import rules as schedules

DAYS = 14
STAFF = Actor.staff("bench")


def _percentiles(timings: list[float]) -> str:
    p50, p95 = percentile(timings, 0.5), percentile(timings, 0.95)
    return f"p50 {p50:.1f} ms, p95 {p95:.1f} ms, max {max(timings):.1f} ms"


async def calendar_reads(url: str, booked: int) -> None:
    print(f"1. merged calendar, 20 mentors x {DAYS} days, from a database of {booked} bookings")
    db = Database.from_url(url, pool_size=4)
    start, end = NOW + timedelta(hours=2), NOW + timedelta(days=DAYS)
    merged: list[float] = []
    separate: list[float] = []
    slots = 0
    try:
        async with db.sessions() as session:
            for _ in range(20):  # warm-up: caches, prepared plans
                await filiere_calendar(session, "droit", NOW, start, end)
            for _ in range(200):
                began = time.perf_counter()
                answer = await filiere_calendar(session, "droit", NOW, start, end)
                merged.append((time.perf_counter() - began) * 1000)
                await session.commit()
                began = time.perf_counter()
                await filiere_slots(session, "droit", NOW, start, end)
                separate.append((time.perf_counter() - began) * 1000)
                await session.commit()
            slots = len(answer.slots)
    finally:
        await db.dispose()
    print(f"  => merged calendar ({slots} distinct times): {_percentiles(merged)}")
    print(f"  => per-mentor slots of the same filière, for scale: {_percentiles(separate)}")


async def race_filiere(db: Database) -> list[str]:
    """A filière ``course`` of 5 mentors, open every day 08:00–22:00 (no buffers)."""
    ids = []
    async with db.sessions() as session:
        await catalog.create_filiere(session, "course", "Course", "Race", STAFF)
        added = await add_mentors(
            session,
            "course",
            5,
            {d: [("08:00", "22:00")] for d in range(7)},
            name="Coureur {i}",
            email="coureur{i}@univ.example.fr",
            policy=schedules.PolicySettings(
                buffer_before_minutes=0, buffer_after_minutes=0, horizon_days=30
            ),
        )
        ids.extend(str(mentor.id) for mentor in added)
    return ids


async def one_round(url: str, start: datetime, round_no: int) -> tuple[Counter[str], float, int]:
    clients = Database.from_url(url, pool_size=64, max_overflow=0)
    gate = asyncio.Event()
    mentors: set[str] = set()
    try:
        sessions = [clients.sessions() for _ in range(64)]
        for session in sessions:
            await session.connection()
            await session.commit()

        async def client(n: int, session) -> str:  # type: ignore[no-untyped-def]
            await gate.wait()
            try:
                made = await book_first_free(
                    session,
                    filiere="course",
                    slot_start=start,
                    visitor=visitor(round_no * 100 + n),
                    now=NOW,
                    idempotency_key=f"r{round_no}-v{n}",
                    request_secret="test-secret",
                )
            except SlotTaken:
                return "slot_taken"
            finally:
                await session.close()
            mentors.add(str(made.booking.mentor_id))
            return "booked"

        tasks = [asyncio.create_task(client(n, s)) for n, s in enumerate(sessions)]
        await asyncio.sleep(0)
        began = time.perf_counter()
        gate.set()
        outcome = Counter(await asyncio.gather(*tasks))
        elapsed = time.perf_counter() - began
    finally:
        await clients.dispose()
    return outcome, elapsed, len(mentors)


async def races(url: str, rounds: int) -> None:
    print(f"2. race: {rounds} rounds of 64 visitors for one time across a filière of 5 mentors")
    db = Database.from_url(url)
    try:
        await race_filiere(db)
    finally:
        await db.dispose()
    total: Counter[str] = Counter()
    wall = 0.0
    per_round: list[float] = []
    distinct_ok = True
    for r in range(rounds):
        start = NOW + timedelta(days=1, hours=3, minutes=15 * r)
        outcome, elapsed, distinct = await one_round(url, start, r)
        total += outcome
        wall += elapsed
        per_round.append(elapsed * 1000)
        distinct_ok &= distinct == outcome["booked"] <= 5
    requests = sum(total.values())
    print(
        f"  => {dict(total)} over {rounds} rounds; each booking on a different mentor: "
        f"{distinct_ok}; no other error"
    )
    print(
        f"  => {requests / wall:.0f} requests answered/s, {total['booked'] / wall:.0f} bookings/s; "
        f"a round (64 answers) {_percentiles(per_round)}"
    )


def main(server: EmbeddedPostgres, booked: int, rounds: int) -> None:
    url = fresh_database(server, "bench_first_free")
    _, items = asyncio.run(prepare(url, booked))
    made, _ = asyncio.run(book_all(url, items, 16))
    gc.freeze()  # as the service does after start-up
    asyncio.run(calendar_reads(url, made))
    asyncio.run(races(url, rounds))


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--booked", type=int, default=3000, help="bookings in the database")
    parser.add_argument("--rounds", type=int, default=20, help="race rounds of 64 visitors")
    parser.add_argument("--fast", action="store_true", help="fsync off")
    args = parser.parse_args()
    server = EmbeddedPostgres.throwaway_under(
        PROJECT_ROOT / "var" / "bench-pg", prefix="first-free-", durable=not args.fast
    )
    print(f"embedded PostgreSQL 18, fsync {'off' if args.fast else 'on'}")
    print(f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f} at start (wall time)")
    with server:
        main(server, args.booked, args.rounds)
    print(f"load average {os.getloadavg()[0]:.1f} at the end")
