"""Instants as integer epoch microseconds, and one timezone's wall clock -> UTC conversion.

The engine computes in integers (exact, and several times faster than datetime arithmetic) and
builds datetimes only for its answer. Microseconds, not seconds, because busy intervals and
buffers may carry sub-second parts and the occupancy rule must stay exact.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from availability.errors import InvalidQueryRange

US = 1_000_000
MINUTE_US = 60 * US
DAY_US = 86_400 * US
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
EPOCH_ORDINAL = date(1970, 1, 1).toordinal()

# Instants the engine accepts. The margins keep every date it derives (a day either side of
# the range, the horizon, a week of buffer) inside what `date` and `datetime` can represent.
MIN_US = (date(2, 1, 1).toordinal() - EPOCH_ORDINAL) * DAY_US
MAX_US = (date(9998, 1, 1).toordinal() - EPOCH_ORDINAL) * DAY_US


# Wall-clock ranges of one date, (start, end) in minutes after local midnight, sorted.
Ranges = tuple[tuple[int, int], ...]
# UTC windows as (start, end) microseconds: absolute, or relative to a date's local midnight.
Windows = tuple[tuple[int, int], ...]

ONE_US = timedelta(microseconds=1)


def to_us(instant: datetime) -> int:
    """Microseconds since the Unix epoch of an aware datetime."""
    return (instant - EPOCH) // ONE_US


def duration_us(delta: timedelta) -> int:
    return delta // ONE_US


def from_us(micros: int) -> datetime:
    """The aware UTC datetime ``micros`` microseconds after the epoch."""
    return EPOCH + ONE_US * micros  # twice as fast as timedelta(microseconds=micros)


def check_bounds(micros: int, name: str) -> None:
    if not MIN_US <= micros < MAX_US:
        raise InvalidQueryRange(f"{name} must lie between the years 0002 and 9997")


def _offset(offset: timedelta | None) -> int:
    if offset is None:  # a ZoneInfo always has an offset; this is for the type checker
        raise AssertionError("zoneinfo returned no UTC offset")
    return offset // ONE_US


def relative_windows(ranges: Ranges) -> Windows:
    """A date's ranges as windows relative to its local midnight, for a date with one offset.

    With a single offset the conversion is a translation, so merging the wall-clock ranges that
    overlap or touch is merging their UTC windows.
    """
    merged: list[list[int]] = []
    for start, end in ranges:
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    return tuple((start * MINUTE_US, end * MINUTE_US) for start, end in merged)


class WallClock:
    """One timezone's local wall clock, converted to UTC per the contract.

    A wall time that does not exist (spring-forward gap) becomes the transition instant, the
    first instant that exists after it; an ambiguous one (fall-back) takes its first occurrence
    (fold=0). Results are memoised for the life of this object, which lasts one call only.

    Fast path: on a local date with one UTC offset, wall time ``w`` is just ``w - offset``.
    The offset is sampled every 48 hours (UTC midnights). The tz database never changes a
    zone's offset twice within 48 hours (its closest changes are four days apart; a test checks
    the installed database), so two equal samples 48 hours apart mean no change between them.
    When the samples around a date, from the day before to two days after, agree, every instant
    that can carry one of its wall times (offsets are under a day) has that offset: no gap and
    no repeat. Other dates (two or three per transition) take the exact path through
    zoneinfo's folds.
    """

    __slots__ = ("_cache", "_offsets", "_samples", "_windows", "tz")

    def __init__(self, tz: ZoneInfo) -> None:
        self.tz = tz
        self._cache: dict[tuple[int, int], int] = {}
        self._samples: dict[int, int] = {}
        self._windows: dict[tuple[int, Ranges], Windows] = {}
        self._offsets: dict[tuple[int, int], list[int | None]] = {}

    def day_offsets(self, first: int, last: int) -> list[int | None]:
        """For each local date ``first..last`` (ordinals): its one UTC offset, or None.
        The mentors of one call mostly ask for the same dates: each span is computed once."""
        key = (first, last)
        found = self._offsets.get(key)
        if found is None:
            found = self._offsets[key] = self._day_offsets(first, last)
        return found

    def _day_offsets(self, first: int, last: int) -> list[int | None]:
        samples, tz = self._samples, self.tz
        # Samples at UTC midnight of every other day (even days since the epoch). Date d needs
        # the three around it, which cover days d-1 .. d+2.
        low = (first - EPOCH_ORDINAL - 1) // 2
        values: list[int] = []
        for pair in range(low, (last - EPOCH_ORDINAL - 1) // 2 + 3):
            value = samples.get(pair)
            if value is None:
                value = samples[pair] = _offset(
                    datetime.fromtimestamp(pair * 172_800, tz).utcoffset()
                )
            values.append(value)
        out: list[int | None] = []
        for day in range(first - EPOCH_ORDINAL, last - EPOCH_ORDINAL + 1):
            k = (day - 1) // 2 - low
            a = values[k]
            out.append(a if a == values[k + 1] == values[k + 2] else None)
        return out

    def windows(self, ordinal: int, ranges: Ranges) -> Windows:
        """The date's ranges as absolute UTC windows (exact path), merged, sorted."""
        key = (ordinal, ranges)
        windows = self._windows.get(key)
        if windows is None:
            windows = self._windows[key] = self._convert_ranges(ordinal, ranges)
        return windows

    def _convert_ranges(self, ordinal: int, ranges: Ranges) -> Windows:
        merged: list[list[int]] = []
        for start_minute, end_minute in ranges:
            start = self.to_utc(ordinal, start_minute)
            end = self.to_utc(ordinal, end_minute)
            if start >= end:  # wholly inside a gap
                continue
            # Ranges come sorted by start and the conversion never goes backwards, so one pass
            # merges them; ranges apart on the wall clock can come to touch through a gap.
            if merged and start <= merged[-1][1]:
                merged[-1][1] = max(merged[-1][1], end)
            else:
                merged.append([start, end])
        return tuple((start, end) for start, end in merged)

    def to_utc(self, ordinal: int, minute: int) -> int:
        """UTC microseconds of wall time ``minute`` (0..1440) on the local date ``ordinal``."""
        key = (ordinal, minute)
        cached = self._cache.get(key)
        if cached is None:
            cached = self._cache[key] = self._convert(ordinal, minute)
        return cached

    def _convert(self, ordinal: int, minute: int) -> int:
        if minute >= 1440:  # 24:00 is the next local midnight
            ordinal, minute = ordinal + minute // 1440, minute % 1440
        day = date.fromordinal(ordinal)
        hour, minute_of_hour = divmod(minute, 60)
        wall = (ordinal - EPOCH_ORDINAL) * DAY_US + minute * MINUTE_US
        tz = self.tz
        local = datetime(day.year, day.month, day.day, hour, minute_of_hour, tzinfo=tz)
        before = _offset(tz.utcoffset(local))
        after = _offset(tz.utcoffset(local.replace(fold=1)))
        # zoneinfo (PEP 495) reads fold=0 with the offset in force before a transition and
        # fold=1 with the one after: equal offsets = an ordinary time, a larger offset before =
        # a repeated (ambiguous) time whose first occurrence fold=0 already gives, a smaller one
        # before = a time inside a gap.
        if before >= after:
            return wall - before
        return self._transition(wall, wall - after, wall - before)

    def _transition(self, wall: int, low: int, high: int) -> int:
        """The first instant whose wall time is at or after ``wall`` (which lies in a gap).

        Not ``wall - offset_before`` (what fold=0 gives): that lands as far after the
        transition as ``wall`` lies after the gap's start. Transitions fall on whole seconds in
        the tz database, so a binary search over seconds in ``(low, high]`` finds it exactly.
        """
        tz = self.tz
        low_s, high_s = low // US, high // US
        while high_s - low_s > 1:
            middle = (low_s + high_s) // 2
            if middle * US + _offset(datetime.fromtimestamp(middle, tz).utcoffset()) >= wall:
                high_s = middle
            else:
                low_s = middle
        return high_s * US

    def local_ordinal(self, micros: int) -> int:
        """The local date (as an ordinal) of the instant ``micros``."""
        return datetime.fromtimestamp(micros // US, self.tz).toordinal()
