"""The database at Thotis's size, simulated. Prints figures; asserts nothing.

    .venv/bin/python bench/scale.py [--scale 0.1]

Loads into a fresh embedded PostgreSQL (fsync off while loading, then on), with
``generate_series`` in SQL: 5,000 mentors in 60 filières (Mon–Fri 09–12 and 14–18), 2 million
past bookings (over two years, the older ones' personal data already purged as the daily job
leaves them) and 100,000 live ones in the next four weeks, times --scale. Then prints:

* table and index sizes;
* the hot queries' plans (EXPLAIN ANALYZE, buffers) and times: the booking's pre-check, the
  slot loader's bookings for one mentor and for a filière page's mentors, the filière page's
  mentor list, the retention purge's selection — and whether any plan scans ``bookings``
  sequentially;
* the retention purge itself (a week's bookings to erase: the job missed six days).

Not covered here (see bench/throughput.py and bench/race.py against a server): HTTP latency.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import psycopg

sys.path[0] = str(Path(__file__).resolve().parent.parent)

from scheduler.booking.precheck import _TAKEN  # noqa: E402
from scheduler.booking.retention import purge_personal_data  # noqa: E402
from scheduler.platform import (  # noqa: E402
    PROJECT_ROOT,
    Database,
    EmbeddedPostgres,
    url_to_string,
)
from scheduler.platform import migrations as migrate  # noqa: E402
from scheduler.schedules.loading import _INPUTS  # noqa: E402
from scheduler.schedules.slots import _FILIERE_MENTORS  # noqa: E402

NOW = datetime(2026, 12, 7, 8, 0, tzinfo=UTC)  # a Monday

LOAD = """
INSERT INTO filieres (slug, name_fr, name_en)
SELECT 'filiere-' || f, 'Filière ' || f, 'Field ' || f FROM generate_series(1, %(filieres)s) f;

INSERT INTO mentors (display_name, email, university, year_of_study)
SELECT 'Mentor ' || m, 'mentor' || m || '@univ.example.fr', 'Université', 3
  FROM generate_series(1, %(mentors)s) m;

INSERT INTO mentor_filieres (mentor_id, filiere_id)
SELECT m.id, f.id
  FROM (SELECT id, row_number() OVER (ORDER BY email) AS n FROM mentors) m
  JOIN (SELECT id, row_number() OVER (ORDER BY slug) AS n FROM filieres) f
    ON f.n = 1 + m.n %% %(filieres)s;

INSERT INTO availability_rules (mentor_id, weekday, start_minute, end_minute)
SELECT m.id, d, r.s, r.e
  FROM mentors m, generate_series(0, 4) d, (VALUES (540, 720), (840, 1080)) r(s, e);

-- Past bookings: per mentor, one every 44 hours back from yesterday (two years, no overlap).
INSERT INTO bookings (series_id, mentor_id, start_at, end_at, buffer_before_minutes,
                      buffer_after_minutes, status, visitor_first_name, visitor_email,
                      visitor_timezone, consent_at, personal_data_purged_at)
SELECT gen_random_uuid(), m.id, t, t + interval '15 min', 5, 5, 'confirmed',
       CASE WHEN t > %(cutoff)s THEN 'Camille' END,
       CASE WHEN t > %(cutoff)s THEN 'eleve@lycee.example.fr' END,
       'Europe/Paris', t - interval '2 days',
       CASE WHEN t <= %(cutoff)s THEN t + interval '181 days' END
  FROM mentors m,
       LATERAL (SELECT %(yesterday)s::timestamptz - n * interval '44 hours' AS t
                  FROM generate_series(0, %(past_each)s - 1) n) s;

-- Live bookings: per mentor, in the next four weeks, one every 6 hours.
INSERT INTO bookings (series_id, mentor_id, start_at, end_at, buffer_before_minutes,
                      buffer_after_minutes, status, visitor_first_name, visitor_email,
                      visitor_timezone, consent_at)
SELECT gen_random_uuid(), m.id, t, t + interval '15 min', 5, 5, 'confirmed', 'Camille',
       'eleve@lycee.example.fr', 'Europe/Paris', %(now)s
  FROM mentors m,
       LATERAL (SELECT %(now)s::timestamptz + interval '1 day' + n * interval '6 hours' AS t
                  FROM generate_series(0, %(live_each)s - 1) n) s;
ANALYZE;
"""


def plan(connection: psycopg.Connection, label: str, sql: str, params: dict[str, object]) -> bool:
    rows = connection.execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql}", params).fetchall()
    text = "\n".join(f"    {row[0]}" for row in rows)
    seq = any("Seq Scan on bookings" in row[0] for row in rows)
    total = [row[0] for row in rows if row[0].startswith("Execution Time")]
    print(f"\n{label}: {total[0] if total else ''}{'  ** SEQ SCAN ON BOOKINGS **' if seq else ''}")
    print(text)
    return seq


async def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--scale", type=float, default=1.0)
    args = parser.parse_args()
    mentors = max(60, int(5000 * args.scale))
    past_each, live_each = 400, 20  # 2,000,000 and 100,000 at scale 1
    server = EmbeddedPostgres.throwaway_under(
        PROJECT_ROOT / "var" / "bench-pg", prefix="scale-", durable=False
    )
    with server:
        url = url_to_string(server.url("postgres"))
        dsn = url.replace("postgresql+psycopg://", "postgresql://")
        migrate.upgrade(url)
        began = time.perf_counter()
        with psycopg.connect(dsn, autocommit=True) as connection:
            params = {
                "filieres": 60,
                "mentors": mentors,
                "past_each": past_each,
                "live_each": live_each,
                "now": NOW,
                "yesterday": NOW - timedelta(days=1),
                "cutoff": NOW - timedelta(days=180),
            }
            for statement in LOAD.split(";\n"):
                if statement.strip():
                    connection.execute(statement, params)
            counts = connection.execute(
                "SELECT count(*) FILTER (WHERE start_at < %(now)s), "
                "count(*) FILTER (WHERE start_at >= %(now)s) FROM bookings",
                {"now": NOW},
            ).fetchone()
            assert counts is not None
            print(
                f"scale {args.scale:g}: {mentors} mentors, 60 filières, {counts[0]:,} past and "
                f"{counts[1]:,} live bookings loaded in {time.perf_counter() - began:.0f} s\n"
            )
            print("| relation | rows | table | indexes |")
            print("|---|---|---|---|")
            for name in ("bookings", "mentors", "availability_rules", "outbox", "audit_log"):
                size = connection.execute(
                    "SELECT (SELECT reltuples::bigint FROM pg_class WHERE relname = %(n)s::text), "
                    "pg_size_pretty(pg_table_size(%(n)s::regclass)), pg_size_pretty(pg_indexes_size(%(n)s::regclass))",
                    {"n": name},
                ).fetchone()
                assert size is not None
                print(f"| {name} | {size[0]:,} | {size[1]} | {size[2]} |")
            for index, size in connection.execute(
                "SELECT indexrelname, pg_size_pretty(pg_relation_size(indexrelid)) "
                "FROM pg_stat_user_indexes WHERE relname = 'bookings' ORDER BY 1"
            ):
                print(f"|   {index} | | | {size} |")
            mentor = connection.execute("SELECT id FROM mentors ORDER BY email LIMIT 1").fetchone()
            assert mentor is not None
            page = connection.execute(
                "SELECT array_agg(mentor_id) FROM mentor_filieres mf JOIN filieres f "
                "ON f.id = mf.filiere_id WHERE f.slug = 'filiere-1'"
            ).fetchone()
            assert page is not None
            ids = page[0]
            low, high = NOW, NOW + timedelta(days=14)
            seqs = [
                plan(
                    connection,
                    "booking pre-check (scheduler/booking/precheck.py)",
                    _TAKEN,
                    {
                        "mentor_id": mentor[0],
                        "start": NOW + timedelta(days=1),
                        "end": NOW + timedelta(days=1, minutes=15),
                    },
                ),
                plan(
                    connection,
                    "slot loader, one mentor, 14 days (scheduler/schedules/loading.py)",
                    _INPUTS,
                    {
                        "ids": [mentor[0]],
                        "lows": [low],
                        "highs": [high],
                        "first_day": low.date(),
                        "last_day": high.date(),
                        "exclude": None,
                    },
                ),
                plan(
                    connection,
                    f"slot loader, a filière page's {len(ids)} mentors to the horizon",
                    _INPUTS,
                    {
                        "ids": ids,
                        "lows": [low] * len(ids),
                        "highs": [NOW + timedelta(days=30)] * len(ids),
                        "first_day": low.date(),
                        "last_day": (NOW + timedelta(days=30)).date(),
                        "exclude": None,
                    },
                ),
                plan(
                    connection,
                    "filière page's mentor list",
                    _FILIERE_MENTORS,
                    {"slug": "filiere-1"},
                ),
                plan(
                    connection,
                    "retention purge's selection",
                    "SELECT id FROM bookings WHERE end_at < %(cutoff)s "
                    "AND personal_data_purged_at IS NULL",
                    {"cutoff": NOW - timedelta(days=180)},
                ),
            ]
        db = Database.from_url(url)
        async with db.sessions() as session:
            began = time.perf_counter()
            purged = await purge_personal_data(session, NOW + timedelta(days=7), 180)
            seconds = time.perf_counter() - began
        await db.dispose()
        print(
            f"\nretention purge (a week of bookings due): {purged:,} bookings erased in {seconds * 1000:.0f} ms"
        )
        print(f"sequential scans on bookings in the hot plans: {sum(seqs)}")


if __name__ == "__main__":
    asyncio.run(main())
