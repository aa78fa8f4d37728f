"""Speed of the availability engine: prints figures, asserts nothing.

    .venv/bin/python bench/engine.py

Targets (issue 3, on the 2-core build machine): one mentor over 60 days < 1 ms per call
(median); 100 mentors x 30 days through free_slots_for_many < 50 ms; cost linear in days.
"""

from __future__ import annotations

import random
import statistics
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from availability import (  # noqa: E402
    Booking,
    Interval,
    MentorInput,
    Policy,
    Schedule,
    TimeRange,
    WeeklyRules,
    free_slots,
    free_slots_for_many,
)

# Sunday 2026-03-01 00:00 Paris: every range below crosses the spring-forward of 2026-03-29.
START = datetime(2026, 2, 28, 23, 0, tzinfo=UTC)
NOW = START - timedelta(hours=1)
WORKDAY = (TimeRange.parse("09:00", "12:00"), TimeRange.parse("14:00", "18:00"))
SCHEDULE = Schedule("Europe/Paris", WeeklyRules({day: WORKDAY for day in range(5)}))
POLICY = Policy(
    buffer_before=timedelta(minutes=5),
    buffer_after=timedelta(minutes=5),
    notice=timedelta(hours=2),
    horizon=timedelta(days=366),
)


def mentor(seed: int, days: int) -> MentorInput:
    """40 busy intervals and 10 bookings (5-minute buffers) spread over ``days``."""
    rng = random.Random(seed)
    span_minutes = days * 1440

    def instant() -> datetime:
        return START + timedelta(minutes=rng.randrange(0, span_minutes, 5))

    busy = []
    for _ in range(40):
        begin = instant()
        busy.append(Interval(begin, begin + timedelta(minutes=rng.choice((15, 30, 60, 90)))))
    bookings = []
    for _ in range(10):
        begin = instant()
        bookings.append(
            Booking(begin, begin + timedelta(minutes=15), timedelta(minutes=5), timedelta(minutes=5))
        )
    return MentorInput(SCHEDULE, POLICY, tuple(busy), tuple(bookings))


def median_ms(call: Callable[[], object], repeat: int) -> float:
    call()  # warm-up (zoneinfo's own caches, the slot-step table)
    times = []
    for _ in range(repeat):
        began = time.perf_counter()
        call()
        times.append(time.perf_counter() - began)
    return statistics.median(times) * 1000


def one(days: int) -> tuple[float, int]:
    m = mentor(1, days)
    end = START + timedelta(days=days)
    slots = free_slots(m.schedule, m.policy, m.busy, m.bookings, NOW, START, end)
    ms = median_ms(lambda: free_slots(m.schedule, m.policy, m.busy, m.bookings, NOW, START, end), 200)
    return ms, len(slots)


def many(days: int, count: int = 100) -> tuple[float, int]:
    mentors = {i: mentor(i, days) for i in range(count)}
    end = START + timedelta(days=days)
    result = free_slots_for_many(mentors, NOW, START, end)
    ms = median_ms(lambda: free_slots_for_many(mentors, NOW, START, end), 15)
    return ms, sum(len(r.slots) for r in result.values())


def main() -> None:
    print("availability engine — Europe/Paris, Mon–Fri 09–12 + 14–18, from 2026-03-01 (DST 03-29)")
    print("40 busy, 10 bookings (5-min buffers), policy buffers 5 min, 2 h notice; medians\n")
    ms, n = one(60)
    print(f"one mentor, 60 days: {ms:.3f} ms per call ({n} slots)   target < 1 ms")
    ms, n = many(30)
    print(f"100 mentors, 30 days (free_slots_for_many): {ms:.1f} ms ({n} slots)   target < 50 ms\n")
    print(f"{'days':>5} | {'1 mentor ms':>11} | {'µs/day':>7} | {'100 mentors ms':>14} | {'µs/mentor-day':>13}")
    print(f"{'-' * 5}-+-{'-' * 11}-+-{'-' * 7}-+-{'-' * 14}-+-{'-' * 13}")
    for days in (30, 60, 90, 180, 365):
        single, _ = one(days)
        multi, _ = many(days)
        print(
            f"{days:>5} | {single:>11.3f} | {single * 1000 / days:>7.1f} | {multi:>14.1f} |"
            f" {multi * 1000 / (100 * days):>13.2f}"
        )


if __name__ == "__main__":
    main()
