"""Speed of the availability engine: prints figures, asserts nothing.

    .venv/bin/python bench/engine.py

Targets (issue 3, on the 2-core build machine): one mentor over 60 days < 1 ms per call
(median); 100 mentors x 30 days through free_slots_for_many < 50 ms; cost linear in days.
Issue 21: the full answer the widget calendar returns (the same inputs as runs, grouped by the
visitor's dates and serialised, ``api.slot_json``) at most 1.5 x the engine call, both sizes.
Wall-clock medians are reported with the process CPU-time medians beside them: on a shared
machine the first includes time spent waiting for a core, the second does not.
"""

from __future__ import annotations

import os
import random
import statistics
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from availability import (
    Booking,
    Interval,
    MentorInput,
    Policy,
    Schedule,
    TimeRange,
    WeeklyRules,
    free_slot_runs_for_many,
    free_slots,
    free_slots_for_many,
)

# Sunday 2026-03-01 00:00 Paris: every range below crosses the spring-forward of 2026-03-29.
START = datetime(2026, 2, 28, 23, 0, tzinfo=UTC)
NOW = START - timedelta(hours=1)
POLICY = Policy(
    buffer_before=timedelta(minutes=5),
    buffer_after=timedelta(minutes=5),
    notice=timedelta(hours=2),
    horizon=timedelta(days=366),
)


def schedule(shift_minutes: int = 0) -> Schedule:
    """Mon–Fri 09:00–12:00 and 14:00–18:00 Europe/Paris (shifted for the mixed-hours row)."""

    def hours(start: int, end: int) -> TimeRange:
        return TimeRange(start * 60 + shift_minutes, end * 60 + shift_minutes)

    workday = (hours(9, 12), hours(14, 18))
    return Schedule("Europe/Paris", WeeklyRules({day: workday for day in range(5)}))


def mentor(seed: int, days: int, shift_minutes: int = 0) -> MentorInput:
    """40 busy intervals and 10 bookings (5-minute buffers) spread over ``days``."""
    rng = random.Random(seed)

    def instant() -> datetime:
        return START + timedelta(minutes=rng.randrange(0, days * 1440, 5))

    busy = []
    for _ in range(40):
        begin = instant()
        busy.append(Interval(begin, begin + timedelta(minutes=rng.choice((15, 30, 60, 90)))))
    five = timedelta(minutes=5)
    bookings = []
    for _ in range(10):
        begin = instant()
        bookings.append(Booking(begin, begin + timedelta(minutes=15), five, five))
    return MentorInput(schedule(shift_minutes), POLICY, tuple(busy), tuple(bookings))


def medians_ms(call: Callable[[], object], repeat: int) -> tuple[float, float]:
    """(wall-clock median, CPU-time median) in milliseconds."""
    call()  # warm-up: zoneinfo's own caches, the slot-step table
    wall, cpu = [], []
    for _ in range(repeat):
        began, began_cpu = time.perf_counter(), time.process_time()
        call()
        cpu.append(time.process_time() - began_cpu)
        wall.append(time.perf_counter() - began)
    return statistics.median(wall) * 1000, statistics.median(cpu) * 1000


def one(days: int) -> tuple[float, float, int]:
    m = mentor(1, days)
    end = START + timedelta(days=days)

    def call() -> list[datetime]:
        return free_slots(m.schedule, m.policy, m.busy, m.bookings, NOW, START, end)

    return (*medians_ms(call, 300), len(call()))


def many(days: int, mixed_hours: bool = False, count: int = 100) -> tuple[float, float, int]:
    mentors = {i: mentor(i, days, 5 * (i % 12) if mixed_hours else 0) for i in range(count)}
    end = START + timedelta(days=days)

    def call() -> dict[int, object]:
        return free_slots_for_many(mentors, NOW, START, end)  # type: ignore[return-value]

    result = free_slots_for_many(mentors, NOW, START, end)
    return (*medians_ms(call, 21), sum(len(r.slots) for r in result.values()))


def answers(days: int, count: int) -> None:
    """The engine call against the full answer the widget calendar returns, from the same
    stored inputs: the slots as runs (``free_slot_runs_for_many``, what the route asks), grouped
    by the visitor's dates and serialised (``api.slot_json.slots_answer``); and the
    straightforward answer (datetimes, one Struct per slot) for scale."""
    from uuid import UUID

    from api.slot_json import plain_answer, slots_answer

    mentors = {UUID(int=i): mentor(i, days) for i in range(count)}
    end = START + timedelta(days=days)

    def engine() -> object:
        return free_slots_for_many(mentors, NOW, START, end)

    def full() -> object:
        found = free_slot_runs_for_many(mentors, NOW, START, end)
        return [slots_answer(mid, "Europe/Paris", runs) for mid, runs in found.items()]

    def plain() -> object:
        found = free_slots_for_many(mentors, NOW, START, end)
        return [plain_answer(mid, "Europe/Paris", list(f.slots)) for mid, f in found.items()]

    repeat = 300 if count == 1 else 21
    _, engine_cpu = medians_ms(engine, repeat)
    _, fast_cpu = medians_ms(full, repeat)
    _, plain_cpu = medians_ms(plain, repeat)
    print(
        f"{count:>3} mentor(s) x {days} days: engine {engine_cpu:7.3f} ms | full answer "
        f"{fast_cpu:7.3f} ms = {fast_cpu / engine_cpu:4.2f} x engine (target <= 1.5) | "
        f"straightforward {plain_cpu:7.3f} ms = {plain_cpu / engine_cpu:4.2f} x"
    )


def main() -> None:
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"availability engine, {os.cpu_count()} cores, load average {load}")
    print("Europe/Paris, Mon–Fri 09–12 + 14–18, from 2026-03-01 (DST 2026-03-29); 40 busy,")
    print("10 bookings (5-min buffers), policy buffers 5 min, 2 h notice. Medians, wall / CPU.\n")
    wall, cpu, n = one(60)
    print(f"one mentor, 60 days:        {wall:6.3f} / {cpu:6.3f} ms   ({n} slots; target < 1 ms)")
    wall, cpu, n = many(30)
    print(f"100 mentors, 30 days:       {wall:6.1f} / {cpu:6.1f} ms   ({n} slots; target < 50 ms)")
    wall, cpu, n = many(30, mixed_hours=True)
    print(f"  same, 12 different hours: {wall:6.1f} / {cpu:6.1f} ms   ({n} slots)\n")
    header = ("days", "1 mentor ms", "µs/day", "100 mentors ms", "µs/mentor-day")
    print(f"{header[0]:>5} | {header[1]:>15} | {header[2]:>7} | {header[3]:>15} | {header[4]:>13}")
    print("-" * 5 + "-+-" + "-" * 15 + "-+-" + "-" * 7 + "-+-" + "-" * 15 + "-+-" + "-" * 13)
    for days in (30, 60, 90, 180, 365):
        single_wall, single_cpu, _ = one(days)
        multi_wall, multi_cpu, _ = many(days)
        print(
            f"{days:>5} | {single_wall:>6.3f} / {single_cpu:>6.3f} | {single_cpu * 1000 / days:>7.1f}"
            f" | {multi_wall:>6.1f} / {multi_cpu:>6.1f} | {multi_cpu * 1000 / (100 * days):>13.2f}"
        )
    print("\n(µs/day columns from CPU time)")
    print(
        "\nFull answer (date-grouped, serialised JSON bytes) against the engine call, CPU medians:"
    )
    answers(60, 1)
    answers(30, 100)


if __name__ == "__main__":
    main()
