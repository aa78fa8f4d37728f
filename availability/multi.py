"""The multi-mentor entry point for a field-of-study page."""

from __future__ import annotations

from collections.abc import Hashable, Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import TypeVar

from availability._clock import from_us
from availability._engine import CallCache, Plan
from availability.errors import InvalidQueryRange
from availability.intervals import Booking, BookingSpans, Interval
from availability.policy import Policy
from availability.rules import Schedule
from availability.slots import instant_us, prepare, query_us, to_datetimes

K = TypeVar("K", bound=Hashable)


@dataclass(frozen=True, slots=True)
class MentorInput:
    schedule: Schedule
    policy: Policy
    busy: tuple[Interval, ...] = ()
    bookings: tuple[Booking, ...] | BookingSpans = ()


@dataclass(frozen=True, slots=True)
class MentorSlots:
    slots: tuple[datetime, ...]
    next_free: datetime | None


def free_slots_for_many(
    mentors: Mapping[K, MentorInput], now: datetime, start: datetime, end: datetime
) -> dict[K, MentorSlots]:
    """Each mentor's slots in ``[start, end)`` and their next free slot.

    ``next_free`` is the first slot at or after ``start``; when ``[start, end)`` has none it is
    searched for beyond ``end`` up to the mentor's horizon (so the inputs' busy and bookings
    must cover up to ``now + policy.horizon``).
    """
    now_us = instant_us(now, "now")
    start_us, end_us = query_us(start, end)
    cache = CallCache()
    answer: dict[K, MentorSlots] = {}
    for key, plan in plans(mentors, now_us, cache):
        slots = tuple(to_datetimes(plan, plan.runs(start_us, end_us), cache.grids))
        if slots:
            next_free: datetime | None = slots[0]
        else:
            # The walk is lazy, date by date: it stops at the first offered slot rather than
            # computing the whole horizon.
            first = next(plan.runs(end_us, plan.latest), None)
            next_free = None if first is None else from_us(first[0] + first[2] * plan.slot)
        answer[key] = MentorSlots(slots, next_free)
    return answer


def plans(
    mentors: Mapping[K, MentorInput], now_us: int, cache: CallCache
) -> Iterator[tuple[K, Plan]]:
    """Each mentor's validated inputs, ready for the walk. Mentors of one timezone share its
    conversions through ``cache``, for the length of one call only."""
    if not isinstance(mentors, Mapping):
        raise InvalidQueryRange("mentors must be a mapping of keys to MentorInput")
    for key, mentor in mentors.items():
        if not isinstance(mentor, MentorInput):
            raise InvalidQueryRange(f"mentor {key!r} is not a MentorInput")
        yield (
            key,
            prepare(mentor.schedule, mentor.policy, mentor.busy, mentor.bookings, now_us, cache),
        )
