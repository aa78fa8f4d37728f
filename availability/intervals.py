"""Half-open UTC intervals ``[start, end)`` and the occupied ranges of bookings."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from operator import le, lt

from availability._clock import EPOCH, ONE_US, duration_us, to_us
from availability.errors import InvalidPolicy, InvalidQueryRange, NaiveDatetime
from availability.policy import MAX_BUFFER


def as_utc(instant: datetime, name: str = "instant") -> datetime:
    """``instant`` in UTC; NaiveDatetime when it carries no offset."""
    if not isinstance(instant, datetime):
        raise NaiveDatetime(f"{name} must be a datetime with an offset, got {instant!r}")
    if instant.tzinfo is None or instant.utcoffset() is None:
        raise NaiveDatetime(f"{name} {instant.isoformat()} has no UTC offset")
    return instant.astimezone(UTC)


# The instants and dates the service accepts from outside (a visitor's slot, a query's range, a
# mentor's special day). The engine itself reaches the years 2..9997; the window is narrower so
# that no arithmetic an input leads to (offsets, buffers, horizons, ISO weeks, a month view) can
# leave what datetime represents, and so that nobody stores a day in the year 9999.
SUPPORTED_FROM = datetime(2000, 1, 1, tzinfo=UTC)
SUPPORTED_UNTIL = datetime(2100, 1, 1, tzinfo=UTC)
# UTC offsets stay within a day: a wall-clock reading this far outside the window is outside
# it whatever its offset, and is refused before astimezone (which overflows near year 1/9999).
_MARGIN = timedelta(days=2)
_WALL_FROM = SUPPORTED_FROM.replace(tzinfo=None) - _MARGIN
_WALL_UNTIL = SUPPORTED_UNTIL.replace(tzinfo=None) + _MARGIN
_WINDOW = f"{SUPPORTED_FROM.date().isoformat()} .. {SUPPORTED_UNTIL.date().isoformat()}"


def supported_instant(instant: datetime, name: str = "instant") -> datetime:
    """``instant`` in UTC, if it carries an offset (else NaiveDatetime) and lies in the supported
    window ``[SUPPORTED_FROM, SUPPORTED_UNTIL)`` (else InvalidQueryRange). Every instant that
    comes from outside passes here before any arithmetic is done with it."""
    if not isinstance(instant, datetime):
        raise NaiveDatetime(f"{name} must be a datetime with an offset, got {type(instant)!r}")
    if instant.tzinfo is None:
        raise NaiveDatetime(f"{name} has no UTC offset")
    if not _WALL_FROM <= instant.replace(tzinfo=None) <= _WALL_UNTIL:
        raise InvalidQueryRange(f"{name} must lie between {_WINDOW}")
    utc = as_utc(instant, name)
    if not SUPPORTED_FROM <= utc < SUPPORTED_UNTIL:
        raise InvalidQueryRange(f"{name} must lie between {_WINDOW}")
    return utc


def supported_date(day: date, name: str = "date") -> date:
    """``day`` if it lies in the supported window (else InvalidQueryRange): a local date such as
    a special day, kept away from ``date.min`` / ``date.max`` where a day either side overflows."""
    if not isinstance(day, date) or isinstance(day, datetime):
        raise InvalidQueryRange(f"{name} must be a date")
    if not SUPPORTED_FROM.date() <= day < SUPPORTED_UNTIL.date():
        raise InvalidQueryRange(f"{name} must lie between {_WINDOW}")
    return day


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

    @classmethod
    def trusted_many(cls, instants: Sequence[int]) -> tuple[Interval, ...]:
        """Intervals from epoch microseconds ``start, end, start, end, ...``, built without
        re-validation: for a loader whose values come from rows the database has checked
        (``end > start``), where checking each again cost as much as the slot computation."""
        new, set_attribute = object.__new__, object.__setattr__
        intervals = []
        for index in range(0, len(instants), 2):
            interval = new(cls)
            set_attribute(interval, "start", EPOCH + ONE_US * instants[index])
            set_attribute(interval, "end", EPOCH + ONE_US * instants[index + 1])
            intervals.append(interval)
        return tuple(intervals)


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


@dataclass(frozen=True, slots=True)
class BookingSpans:
    """Live bookings as epoch microseconds, one tuple per field: booking ``i`` starts at
    ``starts[i]`` and occupies ``[occupied_starts[i], occupied_ends[i])``, buffers included.

    What the engine computes with. A loader reading thousands of bookings hands them over in
    this form rather than as a ``Booking`` and four datetimes per row, which cost more than the
    slot computation itself; ``of`` turns ``Booking`` values into it.
    """

    starts: tuple[int, ...] = ()
    occupied_starts: tuple[int, ...] = ()
    occupied_ends: tuple[int, ...] = ()

    def __post_init__(self) -> None:
        columns = (self.starts, self.occupied_starts, self.occupied_ends)
        if any(type(column) is not tuple for column in columns):
            raise InvalidQueryRange("booking spans are three tuples of integers")
        if not len(self.starts) == len(self.occupied_starts) == len(self.occupied_ends):
            raise InvalidQueryRange("booking spans need as many starts as occupied ranges")
        # Whole-column checks run in C: a few microseconds for a thousand bookings.
        kinds = set(map(type, self.starts)) | set(map(type, self.occupied_starts))
        if not kinds | set(map(type, self.occupied_ends)) <= {int}:
            raise InvalidQueryRange("booking spans hold integer microseconds only")
        if not all(map(le, self.occupied_starts, self.starts)) or not all(
            map(lt, self.starts, self.occupied_ends)
        ):
            raise InvalidQueryRange("a booking's occupied range must hold its start")

    def __len__(self) -> int:
        return len(self.starts)

    @classmethod
    def trusted(cls, instants: Sequence[int]) -> BookingSpans:
        """Spans from epoch microseconds ``start, occupied start, occupied end, ...`` per
        booking, built without re-validation: for a loader whose values come from rows the
        database has checked (``occupied`` is computed from the start and non-negative buffers).
        A test compares it with the validating constructor."""
        spans = object.__new__(cls)
        object.__setattr__(spans, "starts", tuple(instants[0::3]))
        object.__setattr__(spans, "occupied_starts", tuple(instants[1::3]))
        object.__setattr__(spans, "occupied_ends", tuple(instants[2::3]))
        return spans

    @classmethod
    def of(cls, bookings: Iterable[Booking]) -> BookingSpans:
        starts: list[int] = []
        occupied_starts: list[int] = []
        occupied_ends: list[int] = []
        for booking in bookings:
            start = to_us(booking.start)
            starts.append(start)
            occupied_starts.append(start - duration_us(booking.buffer_before))
            occupied_ends.append(to_us(booking.end) + duration_us(booking.buffer_after))
        return cls(tuple(starts), tuple(occupied_starts), tuple(occupied_ends))


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
