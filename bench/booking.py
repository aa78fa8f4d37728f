"""Booking core benchmarks on the embedded PostgreSQL. Prints figures; asserts nothing.

    .venv/bin/python bench/booking.py [--bookings 3000] [--booked 3000] [--fast]

1. bookings per second with 16 concurrent clients (goal >= 500/s), each booking one
   transaction: mentor lock, engine re-check, insert, token, outbox rows, audit; run with the
   clients in one process, then spread over two (the service runs one API worker per core),
   with the CPU each booking costs the clients and the whole machine; then the same statements
   from a bare psycopg client, the floor the database work alone allows;
2. the 64-client race for one slot: time until every client has its answer;
3. slots of a filière of 20 mentors x 14 days read from a database holding --booked bookings
   (goal p95 < 15 ms).

The server is durable (fsync on, like `serve`); --fast turns fsync off to show the CPU bound.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import multiprocessing
import os
import statistics
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from uuid import UUID, uuid4

import psycopg
from sqlalchemy.engine import make_url

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from availability import SLOT_LENGTH
from scheduler import catalog
from scheduler.booking import book, visitors
from scheduler.booking.book import _LOCK_MENTOR
from scheduler.booking.insert import _INSERT_BOOKING
from scheduler.booking.precheck import _GATE, slot_key
from scheduler.platform import (
    PROJECT_ROOT,
    Actor,
    Database,
    EmbeddedPostgres,
    SlotTaken,
    create_database,
    url_to_string,
)
from scheduler.platform import migrations as migrate
from scheduler.schedules import filiere_slots, loading
from scheduler.schedules import rules as schedules

NOW = datetime(2030, 1, 7, 6, 0, tzinfo=UTC)  # a Monday, 07:00 in Paris
MENTORS = 20
DAYS = 14
STAFF = Actor.staff("bench")


def visitor(n: int) -> visitors.Visitor:
    return visitors.Visitor(f"Élève{n}", f"eleve{n}@lycee.example.fr", "Quelle charge de travail ?")


async def setup(db: Database) -> list:  # type: ignore[type-arg]
    async with db.sessions() as session:
        await catalog.create_filiere(session, "droit", "Droit", "Law", STAFF)
        mentors = []
        for i in range(MENTORS):
            mentor = await catalog.create_mentor(
                session,
                catalog.MentorFields(
                    display_name=f"Mentor {i:02d}",
                    email=f"mentor{i}@univ.example.fr",
                    university="Université Paris Cité",
                    year_of_study=3,
                    filieres=("droit",),
                ),
                STAFF,
            )
            await schedules.set_weekly_rules(
                session, mentor.id, {d: [("08:00", "22:00")] for d in range(7)}, STAFF
            )
            await schedules.set_policy(
                session,
                mentor.id,
                schedules.PolicySettings(
                    buffer_before_minutes=0, buffer_after_minutes=0, horizon_days=30
                ),
                STAFF,
            )
            mentors.append(mentor)
    return mentors


async def booking_queue(db: Database, total: int) -> list[tuple[str, str]]:
    """``total`` free slots as (mentor id, start), interleaving mentors so that concurrent
    clients mostly book different mentors."""
    async with db.sessions() as session:
        offer = await filiere_slots(
            session, "droit", NOW, NOW + timedelta(days=1), NOW + timedelta(days=1 + DAYS)
        )
    columns = [[(str(o.mentor.id), s.isoformat()) for s in o.slots] for o in offer.mentors]
    items: list[tuple[str, str]] = []
    for row in range(max(len(c) for c in columns)):
        items += [column[row] for column in columns if row < len(column)]
    return items[:total]


async def book_all(url: str, items: list[tuple[str, str]], clients: int) -> tuple[int, int]:
    """Book ``items`` with ``clients`` concurrent clients, each on its own connection."""
    db = Database.from_url(url, pool_size=clients, max_overflow=0)
    queue: asyncio.Queue[tuple[str, str]] = asyncio.Queue()
    for item in items:
        queue.put_nowait(item)
    taken = 0

    async def client(k: int) -> int:
        nonlocal taken
        done = 0
        async with db.sessions() as session:
            while not queue.empty():
                mentor_id, start = queue.get_nowait()
                try:
                    await book(
                        session,
                        mentor_id=UUID(mentor_id),
                        slot_start=datetime.fromisoformat(start),
                        visitor=visitor(k),
                        now=NOW,
                    )
                    done += 1
                except SlotTaken:
                    taken += 1
        return done

    try:
        made = sum(await asyncio.gather(*(client(k) for k in range(clients))))
    finally:
        await db.dispose()
    return made, taken


def _process(url: str, items: list[tuple[str, str]], clients: int, gate: Any, out: Any) -> None:
    """One client process: waits for the others, books its share, reports its figures."""
    gc.freeze()  # as the service does after start-up (api.app)
    gate.wait()
    started, cpu, busy = time.time(), time.process_time(), machine_busy_seconds()
    made, taken = asyncio.run(book_all(url, items, clients))
    ended, cpu, busy = time.time(), time.process_time() - cpu, (busy, machine_busy_seconds())
    out.put((made, taken, started, ended, cpu, busy))


def machine_busy_seconds() -> float:
    """CPU seconds the whole machine (clients, PostgreSQL, kernel) has been busy, from
    /proc/stat: what bounds bookings per second once every core is busy."""
    with open("/proc/stat") as stat:
        user, nice, system, _idle, _iowait, irq, softirq, *_ = map(int, stat.readline().split()[1:])
    return (user + nice + system + irq + softirq) / os.sysconf("SC_CLK_TCK")


def throughput(url: str, items: list[tuple[str, str]], processes: int, clients: int = 16) -> float:
    """Bookings per second of ``clients`` concurrent clients spread over ``processes``
    processes (the service runs one API worker per core)."""
    context = multiprocessing.get_context("spawn")
    gate, out = context.Barrier(processes), context.Queue()
    workers = [
        context.Process(
            target=_process,
            args=(url, items[p::processes], clients // processes, gate, out),
        )
        for p in range(processes)
    ]
    for worker in workers:
        worker.start()
    results = [out.get() for _ in workers]
    for worker in workers:
        worker.join()
    made = sum(r[0] for r in results)
    taken = sum(r[1] for r in results)
    elapsed = max(r[3] for r in results) - min(r[2] for r in results)
    cpu = sum(r[4] for r in results)
    # From the first client's start to the last one's end: not the processes' start-up.
    busy = max(r[5][1] for r in results) - min(r[5][0] for r in results)
    print(
        f"  {made} bookings by {clients} clients in {processes} process(es) in {elapsed:.2f} s"
        f" ({taken} slot_taken)\n  CPU per booking: {cpu / made * 1000:.2f} ms in the clients,"
        f" {busy / made * 1000:.2f} ms for the whole machine (PostgreSQL and kernel included)"
    )
    return made / elapsed


async def bare_floor(url: str, items: list[tuple[str, str]], clients: int = 16) -> float:
    """The booking path's own four statements (the slot's gate, the mentor's lock, the engine's
    inputs, the insert) plus BEGIN/COMMIT from a bare psycopg client:
    no session, pool or checkout check, no validation, no engine. What this machine allows for the
    database work alone, to compare with the service path above."""
    parts = make_url(url)
    conninfo = psycopg.conninfo.make_conninfo(
        host=parts.query["host"],
        port=parts.query["port"],
        user=parts.username,
        dbname=parts.database,
    )
    connections = [await psycopg.AsyncConnection.connect(conninfo) for _ in range(clients)]
    queue = list(items)

    async def client(connection: psycopg.AsyncConnection[Any]) -> int:
        done = 0
        while queue:
            mentor_id, text = queue.pop()
            start = datetime.fromisoformat(text)
            gate = {"mentor_id": mentor_id, "start": start, "end": start + SLOT_LENGTH}
            key = {"hold": True, "key": slot_key(UUID(mentor_id), start)}
            await connection.execute(_GATE, gate | key)
            await connection.execute(
                _LOCK_MENTOR, {"id": mentor_id, "email_hash": b"", "slug": None}
            )
            window = {"ids": [mentor_id], "lows": [start], "highs": [start + 2 * SLOT_LENGTH]}
            days = {"first_day": start.date(), "last_day": start.date(), "exclude": None}
            await connection.execute(loading._INPUTS, window | days | {"now": NOW}, binary=True)
            made = uuid4()
            ids = {"booking_id": str(made)}
            await connection.execute(
                _INSERT_BOOKING,
                {
                    "id": made, "series_id": made, "sequence": 0, "mentor_id": mentor_id,
                    "filiere_id": None, "start_at": start, "end_at": start + SLOT_LENGTH,
                    "buffer_before": 0, "buffer_after": 0, "first_name": "Élève",
                    "email": "eleve@lycee.example.fr", "question": None,
                    "timezone": "Europe/Paris", "language": "fr", "consent_at": NOW, "now": NOW,
                    "token_hash": uuid4().bytes * 2, "token_expires": start + timedelta(days=1),
                    "outbox": json.dumps(
                        [{"kind": "bench", "payload": ids, "available_at": NOW.isoformat()}] * 5
                    ),
                    "actor_kind": "visitor", "actor_id": None, "action": "book",
                    "details": json.dumps(ids), "idempotency_key": None, "request_hash": None,
                    "consent_basis": None,
                },
            )  # fmt: skip
            await connection.commit()
            done += 1
        return done

    started, cpu, busy = time.perf_counter(), time.process_time(), machine_busy_seconds()
    made = sum(await asyncio.gather(*(client(c) for c in connections)))
    elapsed = time.perf_counter() - started
    busy, cpu = machine_busy_seconds() - busy, time.process_time() - cpu
    for connection in connections:
        await connection.close()
    print(
        f"  {made} bookings in {elapsed:.2f} s; CPU per booking: {cpu / made * 1000:.2f} ms in"
        f" the client, {busy / made * 1000:.2f} ms for the whole machine"
    )
    return made / elapsed


async def race(url: str, mentor_id, start: datetime, clients: int = 64) -> tuple[float, int]:  # type: ignore[no-untyped-def]
    db = Database.from_url(url, pool_size=clients, max_overflow=0)
    sessions = [db.sessions() for _ in range(clients)]
    for session in sessions:
        await session.connection()
        await session.commit()
    gate = asyncio.Event()

    async def client(k: int, session) -> bool:  # type: ignore[no-untyped-def]
        await gate.wait()
        try:
            await book(session, mentor_id=mentor_id, slot_start=start, visitor=visitor(k), now=NOW)
            return True
        except SlotTaken:
            return False
        finally:
            await session.close()

    tasks = [asyncio.create_task(client(k, s)) for k, s in enumerate(sessions)]
    await asyncio.sleep(0)
    started = time.perf_counter()
    gate.set()
    won = sum(await asyncio.gather(*tasks))
    elapsed = time.perf_counter() - started
    await db.dispose()
    return elapsed, won


async def slot_reads(db: Database, runs: int = 200) -> list[float]:
    timings = []
    start, end = NOW + timedelta(days=1), NOW + timedelta(days=1 + DAYS)
    cpu = time.process_time()
    async with db.sessions() as session:
        for _ in range(runs):
            t = time.perf_counter()
            offer = await filiere_slots(session, "droit", NOW, start, end)
            timings.append((time.perf_counter() - t) * 1000)
            await session.commit()
    cpu = time.process_time() - cpu
    print(f"  this process's CPU: {cpu / runs * 1000:.1f} ms per read")
    slots = sum(len(o.slots) for o in offer.mentors)
    print(f"  {len(offer.mentors)} mentors, {slots} free slots over {DAYS} days")
    return timings


async def prepare(url: str, total: int) -> tuple[list[Any], list[tuple[str, str]]]:
    db = Database.from_url(url, pool_size=4)
    try:
        mentors = await setup(db)
        return mentors, await booking_queue(db, total)
    finally:
        await db.dispose()


async def races(url: str, mentors: list[Any]) -> None:
    print("2. 64 clients race for one slot (5 rounds)")
    times = []
    for i in range(5):
        start = NOW + timedelta(days=20, minutes=15 * i) + timedelta(hours=8)
        elapsed, won = await race(url, mentors[i].id, start)
        assert won == 1, won
        times.append(elapsed * 1000)
    print(
        f"  => settles in {statistics.median(times):.0f} ms median (rounds: "
        + ", ".join(f"{t:.0f}" for t in times)
        + " ms); exactly one winner each time"
    )


async def reads(url: str, booked: int) -> None:
    print(f"3. slots of a filière, 20 mentors x 14 days, from a database of {booked} bookings")
    db = Database.from_url(url, pool_size=4)
    try:
        timings = sorted(await slot_reads(db))
    finally:
        await db.dispose()
    p50 = timings[len(timings) // 2]
    p95 = timings[int(len(timings) * 0.95) - 1]
    print(f"  => p50 {p50:.1f} ms, p95 {p95:.1f} ms, max {timings[-1]:.1f} ms (goal p95 < 15 ms)")


def main(server: EmbeddedPostgres, per_run: int, booked: int) -> None:
    url = fresh_database(server, "bench_write")
    mentors, items = asyncio.run(prepare(url, 3 * per_run))
    print(f"1. throughput: {per_run} bookings with the clients in one process, {per_run} in two")
    for processes, share in ((1, items[:per_run]), (2, items[per_run : 2 * per_run])):
        rate = throughput(url, share, processes)
        print(f"  => {rate:.0f} bookings/s with {processes} process(es) (goal >= 500/s)")
    print(f"   then {per_run} with the same statements from a bare psycopg client (the floor)")
    rate = asyncio.run(bare_floor(url, items[2 * per_run :]))
    print(f"  => {rate:.0f} bookings/s for the database work alone")
    asyncio.run(races(url, mentors))
    # The read is measured on its own database holding exactly ``booked`` bookings, whatever
    # the length of the throughput runs.
    url = fresh_database(server, "bench_read")
    _, items = asyncio.run(prepare(url, booked))
    made, _ = asyncio.run(book_all(url, items, 16))
    gc.freeze()  # as the service does after start-up
    asyncio.run(reads(url, made))


def fresh_database(server: EmbeddedPostgres, name: str) -> str:
    create_database(server.url(), name)
    url = url_to_string(server.url(name))
    migrate.upgrade(url)
    return url


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bookings", type=int, default=3000, help="per throughput run")
    parser.add_argument(
        "--booked", type=int, default=3000, help="bookings in the database the read runs on"
    )
    parser.add_argument("--fast", action="store_true", help="fsync off")
    args = parser.parse_args()
    server = EmbeddedPostgres.throwaway_under(
        PROJECT_ROOT / "var" / "bench-pg", prefix="booking-", durable=not args.fast
    )
    print(f"embedded PostgreSQL 18, fsync {'off' if args.fast else 'on'}")
    print(
        f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f} at start (figures are wall time)"
    )
    with server:
        main(server, args.bookings, args.booked)
    print(f"load average {os.getloadavg()[0]:.1f} at the end")
