"""Offered slots as runs of evenly spaced integer instants, for answers built without a datetime
per slot (the widget calendar's JSON is assembled run by run).

A run is ``(first, step, count)``: the slots start at ``first + k * step`` microseconds after
the Unix epoch (UTC) for k in range(count), with ``count >= 1`` and ``step > 0``. A list of runs
is in time order and its runs do not overlap. The slots are exactly ``free_slots``'s.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Hashable, Iterable, Iterator, Mapping, Sequence
from datetime import datetime
from itertools import compress, islice
from operator import ne, sub
from typing import TypeVar

from availability._clock import from_us
from availability._engine import CallCache, Plan
from availability.intervals import Booking, BookingSpans, Interval
from availability.multi import MentorInput, plans
from availability.policy import Policy
from availability.rules import Schedule
from availability.slots import instant_us, prepare, query_us

K = TypeVar("K", bound=Hashable)
SlotRun = tuple[int, int, int]


def free_slot_runs(
    schedule: Schedule,
    policy: Policy,
    busy: Iterable[Interval],
    bookings: Iterable[Booking] | BookingSpans,
    now: datetime,
    start: datetime,
    end: datetime,
) -> list[SlotRun]:
    """``free_slots``'s answer as runs."""
    now_us = instant_us(now, "now")
    start_us, end_us = query_us(start, end)
    return _runs(prepare(schedule, policy, busy, bookings, now_us, CallCache()), start_us, end_us)


def free_slot_runs_for_many(
    mentors: Mapping[K, MentorInput], now: datetime, start: datetime, end: datetime
) -> dict[K, list[SlotRun]]:
    """Each mentor's slots in ``[start, end)`` as runs (``free_slots_for_many``'s ``slots``;
    no next free slot is looked for)."""
    now_us = instant_us(now, "now")
    start_us, end_us = query_us(start, end)
    return {key: _runs(plan, start_us, end_us) for key, plan in plans(mentors, now_us, CallCache())}


def _runs(plan: Plan, start_us: int, end_us: int) -> list[SlotRun]:
    slot = plan.slot
    return [
        (window_start + first * slot, slot, stop - first)
        for window_start, _, first, stop in plan.runs(start_us, end_us)
    ]


def run_instants(runs: Iterable[SlotRun]) -> list[datetime]:
    """The aware-UTC datetimes of the slots of ``runs``."""
    return [from_us(micros) for micros in _starts(runs)]


def _starts(runs: Iterable[SlotRun]) -> Iterator[int]:
    for first, step, count in runs:
        yield from range(first, first + step * count, step)


def merged_runs(many: Iterable[Sequence[SlotRun]]) -> list[SlotRun]:
    """Every instant at which a slot of one of ``many`` starts, each once, as runs: the union
    of several mentors' slots (one calendar for a filière). Runs keep the step of the most
    common gap, one slot per run where the grid breaks."""
    instants: set[int] = set()
    for runs in many:
        for first, step, count in runs:
            instants.update(range(first, first + step * count, step))
    starts = sorted(instants)
    if not starts:
        return []
    gaps = list(map(sub, islice(starts, 1, None), starts))
    if not gaps:
        return [(starts[0], 1, 1)]
    step = Counter(gaps).most_common(1)[0][0]
    # A run ends after slot i when the gap from slot i to i+1 is not the step.
    ends = [*compress(range(1, len(starts)), map(ne, gaps, [step] * len(gaps))), len(starts)]
    out: list[SlotRun] = []
    begin = 0
    for stop in ends:
        out.append((starts[begin], step, stop - begin))
        begin = stop
    return out
