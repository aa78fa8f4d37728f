"""Half-open UTC intervals ``[start, end)`` and the occupied ranges of bookings."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from availability.errors import InvalidPolicy, InvalidQueryRange, NaiveDatetime
from availability.policy import MAX_BUFFER


def as_utc(instant: datetime, name: str = "instant") -> datetime:
    """``instant`` in UTC; NaiveDatetime when it carries no offset."""
    if not isinstance(instant, datetime):
        raise NaiveDatetime(f"{name} must be a datetime with an offset, got {instant!r}")
    if instant.tzinfo is None or instant.utcoffset() is None:
        raise NaiveDatetime(f"{name} {instant.isoformat()} has no UTC offset")
    return instant.astimezone(UTC)


@dataclass(frozen=True, slots=True, order=True)
class Interval:
    """A half-open interval of aware UTC instants. Touching intervals do not overlap."""

    start: datetime
    end: datetime

    def __post_init__(self) -> None:
        object.__setattr__(self, "start", as_utc(self.start, "start"))
        object.__setattr__(self, "end", as_utc(self.end, "end"))
        if self.end < self.start:
            raise InvalidQueryRange(
                f"interval ends ({self.end.isoformat()}) "
                f"before it starts ({self.start.isoformat()})"
            )

    def overlaps(self, other: Interval) -> bool:
        return self.start < other.end and other.start < self.end


@dataclass(frozen=True, slots=True, order=True)
class Booking:
    """A live booking, with the buffers it was made with."""

    start: datetime
    end: datetime
    buffer_before: timedelta = timedelta(0)
    buffer_after: timedelta = timedelta(0)

    def __post_init__(self) -> None:
        object.__setattr__(self, "start", as_utc(self.start, "booking start"))
        object.__setattr__(self, "end", as_utc(self.end, "booking end"))
        if self.end <= self.start:
            raise InvalidQueryRange(
                f"booking ends ({self.end.isoformat()}) before it starts ({self.start.isoformat()})"
            )
        for name in ("buffer_before", "buffer_after"):
            value = getattr(self, name)
            if not isinstance(value, timedelta) or not timedelta(0) <= value <= MAX_BUFFER:
                raise InvalidPolicy(f"booking {name} must be a timedelta between 0 and 7 days")

    @property
    def occupied(self) -> Interval:
        return Interval(self.start - self.buffer_before, self.end + self.buffer_after)


def merge(intervals: Iterable[Interval]) -> list[Interval]:
    """Sorted, with overlapping or touching intervals merged (a single sweep after sorting)."""
    merged: list[Interval] = []
    for interval in sorted(intervals):
        if interval.start == interval.end:
            continue
        if merged and interval.start <= merged[-1].end:
            if interval.end > merged[-1].end:
                merged[-1] = Interval(merged[-1].start, interval.end)
        else:
            merged.append(interval)
    return merged
