"""A mentor's recurring availability: weekly wall-clock ranges plus date overrides.

Times are minutes after local midnight (0..1440); 1440 is "24:00", the next local midnight.
Values are validated when built, so an invalid rule never reaches the slot computation.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from availability.errors import (
    InvalidRange,
    InvalidTimezone,
    InvalidWeekday,
    RangeNotOn5Minutes,
    RangeOutOfOrder,
)

MINUTES_PER_DAY = 1440
_HHMM = re.compile(r"^(\d{2}):(\d{2})$")


def parse_wall_time(text: str) -> int:
    """``"HH:MM"`` -> minutes after local midnight; ``"24:00"`` is 1440."""
    match = _HHMM.match(text) if isinstance(text, str) else None
    if match is None:
        raise InvalidRange(f"{text!r} is not a wall-clock time HH:MM")
    hours, minutes = int(match[1]), int(match[2])
    if minutes > 59 or hours > 24 or (hours == 24 and minutes != 0):
        raise InvalidRange(f"{text!r} is not a time between 00:00 and 24:00")
    return hours * 60 + minutes


def format_wall_time(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


@dataclass(frozen=True, slots=True, order=True)
class TimeRange:
    """A half-open wall-clock range ``[start, end)`` within one local date, in minutes."""

    start: int
    end: int

    def __post_init__(self) -> None:
        for value in (self.start, self.end):
            if isinstance(value, bool) or not isinstance(value, int):
                raise InvalidRange(f"{value!r} is not a number of minutes")
            if not 0 <= value <= MINUTES_PER_DAY:
                raise InvalidRange(f"{value} minutes is outside 00:00..24:00")
            if value % 5:
                raise RangeNotOn5Minutes(f"{format_wall_time(value)} is not on a 5-minute boundary")
        if self.start >= self.end:
            raise RangeOutOfOrder(
                f"{format_wall_time(self.start)}-{format_wall_time(self.end)} "
                "does not end after it starts"
            )

    @classmethod
    def parse(cls, start: str, end: str) -> TimeRange:
        return cls(parse_wall_time(start), parse_wall_time(end))

    def __str__(self) -> str:
        return f"{format_wall_time(self.start)}-{format_wall_time(self.end)}"


def _normalized(ranges: Iterable[TimeRange]) -> tuple[TimeRange, ...]:
    try:
        values = tuple(ranges)
    except TypeError as error:
        raise InvalidRange(f"{ranges!r} is not a collection of TimeRange") from error
    for value in values:
        if not isinstance(value, TimeRange):
            raise InvalidRange(f"{value!r} is not a TimeRange")
    return tuple(sorted(values))


@dataclass(frozen=True, slots=True)
class WeeklyRules:
    """Weekday (Monday = 0 .. Sunday = 6) -> wall-clock ranges. Missing weekdays are off."""

    days: Mapping[int, tuple[TimeRange, ...]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not isinstance(self.days, Mapping):
            raise InvalidWeekday("weekly rules must map weekdays 0..6 to ranges")
        normalized: dict[int, tuple[TimeRange, ...]] = {}
        for weekday, ranges in self.days.items():
            if isinstance(weekday, bool) or not isinstance(weekday, int) or not 0 <= weekday <= 6:
                raise InvalidWeekday(f"{weekday!r} is not a weekday 0 (Monday) .. 6 (Sunday)")
            checked = _normalized(ranges)
            if checked:
                normalized[weekday] = checked
        object.__setattr__(self, "days", normalized)

    def ranges_for(self, weekday: int) -> tuple[TimeRange, ...]:
        return self.days.get(weekday, ())

    def __hash__(self) -> int:
        return hash(tuple(sorted(self.days.items())))


@dataclass(frozen=True, slots=True)
class DateOverride:
    """Replaces the weekly rules of one local date. No ranges = day off."""

    day: date
    ranges: tuple[TimeRange, ...] = ()

    def __post_init__(self) -> None:
        if not isinstance(self.day, date) or isinstance(self.day, datetime):
            raise InvalidRange(f"{self.day!r} is not a date")
        object.__setattr__(self, "ranges", _normalized(self.ranges))


# Names the tz database ships that are no place: "localtime" is whatever the machine is set to
# (so an answer would depend on the host), "Factory" is a placeholder zone, "posixrules" a
# template for POSIX strings.
_NOT_PLACES = frozenset({"localtime", "Factory", "posixrules"})


@cache
def _canonical_names() -> frozenset[str]:
    # Walks the tz database once per process (it reads directories); the set is then a lookup.
    return frozenset(available_timezones()) - _NOT_PLACES


def zone(name: str) -> ZoneInfo:
    """The IANA timezone ``name``, or InvalidTimezone: only names of the tz database's index
    (``zoneinfo.available_timezones()``) that are a place, never a file path ZoneInfo would
    also open."""
    # The type first: an unhashable value would make the set lookup raise TypeError.
    if not isinstance(name, str) or name not in _canonical_names():
        raise InvalidTimezone(f"{name!r} is not an IANA timezone")
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError) as error:
        raise InvalidTimezone(f"{name!r} is not an IANA timezone") from error


@dataclass(frozen=True, slots=True)
class Schedule:
    """Everything recurring about when a mentor is available, in their own timezone."""

    timezone: str
    weekly: WeeklyRules = field(default_factory=WeeklyRules)
    overrides: Mapping[date, DateOverride] = field(default_factory=dict)

    def __post_init__(self) -> None:
        zone(self.timezone)
        if not isinstance(self.weekly, WeeklyRules):
            raise InvalidRange(f"{self.weekly!r} is not WeeklyRules")
        if not isinstance(self.overrides, Mapping):
            raise InvalidRange("overrides must map dates to DateOverride")
        overrides = dict(self.overrides)
        for day, override in overrides.items():
            if not isinstance(override, DateOverride):
                raise InvalidRange(f"{override!r} is not a DateOverride")
            if override.day != day:
                raise InvalidRange(f"override keyed {day} is for {override.day}")
        object.__setattr__(self, "overrides", overrides)

    @property
    def tz(self) -> ZoneInfo:
        return zone(self.timezone)

    def ranges_on(self, day: date) -> tuple[TimeRange, ...]:
        """The wall-clock ranges that apply on local date ``day``."""
        override = self.overrides.get(day)
        if override is not None:
            return override.ranges
        return self.weekly.ranges_for(day.weekday())

    def __hash__(self) -> int:
        return hash((self.timezone, self.weekly, tuple(sorted(self.overrides.items()))))
