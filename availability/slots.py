"""The single-mentor entry point: free slot starts over a UTC range.

(Interface fixed; implementation by the engine work.)
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from availability.intervals import Booking, Interval
from availability.policy import Policy
from availability.rules import Schedule

MAX_QUERY_RANGE_DAYS = 400


def free_slots(
    schedule: Schedule,
    policy: Policy,
    busy: Iterable[Interval],
    bookings: Iterable[Booking],
    now: datetime,
    start: datetime,
    end: datetime,
) -> list[datetime]:
    """Sorted aware-UTC starts of the slots offered in ``[start, end)``.

    ``bookings`` are the mentor's live bookings; for the day/week caps to be right they must
    include every live booking starting within ``bookings_window(schedule, start, end)``.
    """
    raise NotImplementedError


def is_bookable(
    schedule: Schedule,
    policy: Policy,
    busy: Iterable[Interval],
    bookings: Iterable[Booking],
    now: datetime,
    slot_start: datetime,
) -> bool:
    """Whether ``slot_start`` would be offered now (the booking-time re-validation)."""
    raise NotImplementedError


def bookings_window(schedule: Schedule, start: datetime, end: datetime) -> Interval:
    """The UTC span whose live bookings ``free_slots`` needs to apply buffers and caps."""
    raise NotImplementedError
