"""Database growth per booking, measured. Prints figures; asserts nothing.

    .venv/bin/python bench/footprint.py [--bookings 2000]

Books ``--bookings`` slots through the real booking service (``scheduler.booking.book``: the
booking row, its manage token, its outbox rows — confirmation mails, calendar event, webhook
fan-out, reminders — and its audit line; no webhook endpoint is registered) into a fresh, migrated embedded PostgreSQL, with a
question of 40 characters each, then prints the growth of every table (``pg_total_relation_size``:
heap, TOAST and indexes, after VACUUM ANALYZE) divided by the number of bookings, and what
1,000 bookings a day make in a month and a year. The outbox rows are counted as they stand
before the worker sends them (the worst case: the worker's own clean-up only shrinks it).
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from datetime import datetime
from pathlib import Path
from uuid import UUID

import psycopg

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))

from booking import NOW, fresh_database, prepare, visitor  # noqa: E402

from scheduler.booking import book  # noqa: E402
from scheduler.platform import PROJECT_ROOT, Database, EmbeddedPostgres  # noqa: E402

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


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bookings", type=int, default=2000)
    args = parser.parse_args()
    server = EmbeddedPostgres.throwaway_under(
        PROJECT_ROOT / "var" / "bench-pg", prefix="footprint-", durable=False
    )
    with server:
        main(server, args.bookings)
