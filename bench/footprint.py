"""Database growth per booking, measured. Prints figures; asserts nothing.

    .venv/bin/python bench/footprint.py [--bookings 2000]

Books ``--bookings`` slots through the real booking service (``scheduler.booking.book``: the
booking row, its manage token, its outbox rows — confirmation mails, calendar event, webhook
fan-out, reminders — and its audit line; no webhook endpoint is registered) into a fresh, migrated embedded PostgreSQL, with a
question of 40 characters each, then prints the growth of every table (``pg_total_relation_size``:
heap, TOAST and indexes, after VACUUM ANALYZE) divided by the number of bookings, and what
1,000 bookings a day make in a month and a year. First, the resident memory of one
``thotis serve`` with the demo data, after start-up and after ``--requests`` widget reads. The outbox rows are counted as they stand
before the worker sends them (the worst case: the worker's own clean-up only shrinks it).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import subprocess
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path
from uuid import UUID

import httpx
import psycopg

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))

from booking import NOW, fresh_database, prepare, visitor  # noqa: E402

from scheduler.booking import book  # noqa: E402
from scheduler.platform import PROJECT_ROOT, Database, EmbeddedPostgres  # noqa: E402
from testkit.smtp_sink import free_port  # noqa: E402

SIZES = """
SELECT c.relname, pg_total_relation_size(c.oid)
  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
 WHERE n.nspname = 'public' AND c.relkind = 'r'
"""


def sizes(url: str) -> dict[str, int]:
    with psycopg.connect(url.replace("+psycopg", ""), autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE")
        return {name: size for name, size in conn.execute(SIZES).fetchall()}


async def book_all(url: str, items: list[tuple[str, str]]) -> int:
    """Book ``items`` one after the other, as visitors would, each in its transaction."""
    db = Database.from_url(url, pool_size=1)
    try:
        async with db.sessions() as session:
            for n, (mentor_id, start) in enumerate(items):
                await book(
                    session,
                    mentor_id=UUID(mentor_id),
                    slot_start=datetime.fromisoformat(start),
                    visitor=visitor(n),
                    now=NOW,
                    filiere="droit",
                )
    finally:
        await db.dispose()
    return len(items)


def main(server: EmbeddedPostgres, total: int) -> None:
    url = fresh_database(server, "bench_footprint")
    _, items = asyncio.run(prepare(url, total))
    before = sizes(url)
    made = asyncio.run(book_all(url, items))
    after = sizes(url)
    growth = {name: after[name] - before.get(name, 0) for name in after}
    print(f"{made} bookings made through scheduler.booking.book")
    for name, grown in sorted(growth.items(), key=lambda item: -item[1]):
        if grown > 0:
            print(f"  {name:<28} {grown / made:8.0f} bytes per booking")
    per_booking = sum(growth.values()) / made
    print(f"  => {per_booking:.0f} bytes per booking, all tables (heap + TOAST + indexes)")
    print(
        f"  => 1,000 bookings a day: {per_booking * 1000 * 30 / 1e6:.0f} MB a month, "
        f"{per_booking * 1000 * 365 / 1e6:.0f} MB a year"
    )


def _rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def _children(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        text = (task / "children").read_text().split()
        found += [int(child) for child in text]
    return found + [grand for child in found for grand in _children(child)]


def memory(requests: int) -> None:
    """Resident memory of one ``thotis serve`` (embedded worker, as ``make run``) after start-up
    and after ``requests`` widget reads, and of its embedded PostgreSQL's processes."""
    port = free_port()
    with tempfile.TemporaryDirectory(prefix="thotis-footprint-") as folder:
        env = os.environ | {"THOTIS_DATA_DIR": folder, "PORT": str(port), "LOG_FORMAT": "text"}
        env.pop("DATABASE_URL", None)
        url = f"http://127.0.0.1:{port}"
        thotis = str(HERE.parent / ".venv" / "bin" / "thotis")
        server = subprocess.Popen(
            [thotis, "serve"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        try:
            while True:
                try:
                    if httpx.get(f"{url}/readyz", timeout=2).status_code == 200:
                        break
                except httpx.HTTPError:
                    time.sleep(0.3)
            started = _rss_kib(server.pid)
            mentors = httpx.get(f"{url}/v1/filieres/droit/mentors").json()["mentors"]
            with httpx.Client(base_url=url) as client:
                for n in range(requests):
                    mentor = mentors[n % len(mentors)]["id"]
                    client.get(f"/v1/mentors/{mentor}/slots", params={"tz": "Europe/Paris"})
                    client.get("/v1/filieres/droit/mentors")
            served = _rss_kib(server.pid)
            postgres = sum(_rss_kib(child) for child in _children(server.pid))
        finally:
            server.terminate()
            server.wait(timeout=30)
    print(f"thotis serve (one process, embedded worker): {started / 1024:.0f} MiB resident")
    print(f"  after {requests} calendar and filière reads: {served / 1024:.0f} MiB")
    print(
        f"  its embedded PostgreSQL's processes (RSS, shared pages counted in each): {postgres / 1024:.0f} MiB"
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bookings", type=int, default=2000)
    parser.add_argument("--requests", type=int, default=500, help="reads before the memory figure")
    args = parser.parse_args()
    memory(args.requests)
    server = EmbeddedPostgres.throwaway_under(
        PROJECT_ROOT / "var" / "bench-pg", prefix="footprint-", durable=False
    )
    with server:
        main(server, args.bookings)
