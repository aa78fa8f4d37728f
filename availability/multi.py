"""The multi-mentor entry point for a field-of-study page.

(Interface fixed; implementation by the engine work.)
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import TypeVar

from availability.intervals import Booking, Interval
from availability.policy import Policy
from availability.rules import Schedule

K = TypeVar("K", bound=Hashable)


@dataclass(frozen=True, slots=True)
class MentorInput:
    schedule: Schedule
    policy: Policy
    busy: tuple[Interval, ...] = ()
    bookings: tuple[Booking, ...] = ()


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
    raise NotImplementedError
