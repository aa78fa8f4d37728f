"""The widget calendar's answer (``schemas.MentorSlots``) as JSON bytes, built without a
per-slot time-zone conversion or date formatting.

Why: the engine finds 14 days of slots in a fraction of a millisecond, but converting each slot
to the visitor's zone (``astimezone``), grouping by local date, formatting three strings per slot
(``isoformat``/``strftime``) and encoding a tree of Structs cost about ten times as much. Here
the visitor zone's offset is asked at each UTC midnight (a slot is converted on its own only in
a day whose two ends differ — no zone changes twice within a day), local dates come from
integer minutes, and the strings are joined from tables of the day's 1,440 times.

The bytes are the same as ``msgspec.json.encode`` of the ``schemas.MentorSlots`` that
``plain_answer`` builds (a property test compares both across clock changes in several zones);
whatever the tables do not cover (seconds in a slot or in an offset, as in local mean times
before 1900) takes that straightforward path.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta, tzinfo
from itertools import islice
from operator import attrgetter
from uuid import UUID

import msgspec

from api import schemas
from availability import group_by_local_date, zone

_DAY_MINUTES = 1440
# "HH:MM" of each minute of the day.
_LABELS = tuple(f"{m // 60:02d}:{m % 60:02d}" for m in range(_DAY_MINUTES))
# What follows a slot's UTC date, up to its local date.
_UTC_PARTS = tuple(f'T{label}:00Z","local_start":"' for label in _LABELS)
_EPOCH_ORDINAL = date(1970, 1, 1).toordinal()
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_TZINFO = attrgetter("tzinfo")
_MINUTE = 60
# What follows a slot's local date, per offset (filled as offsets are met; there are few).
_LOCAL_PARTS: dict[int, list[str | None]] = {}
# The same, indexed by the UTC minute of the day.
_LOCAL_TABLES: dict[int, list[str]] = {}


def plain_answer(mentor_id: UUID, timezone: str, slots: Sequence[datetime]) -> bytes:
    """The straightforward answer: every slot converted and formatted on its own."""
    visitor_zone = zone(timezone)
    days = [
        schemas.SlotDay(
            date=day,
            slots=[
                schemas.Slot(
                    start=slot.astimezone(UTC),
                    local_start=slot.astimezone(visitor_zone),
                    label=slot.astimezone(visitor_zone).strftime("%H:%M"),
                )
                for slot in grouped
            ],
        )
        for day, grouped in group_by_local_date(slots, timezone).items()
    ]
    return msgspec.json.encode(
        schemas.MentorSlots(mentor_id=mentor_id, timezone=timezone, days=days)
    )


def _suffix(offset_minutes: int) -> str:
    """msgspec's form of an offset: ``Z`` for zero, else ``±HH:MM``."""
    if offset_minutes == 0:
        return "Z"
    sign = "+" if offset_minutes > 0 else "-"
    hours, minutes = divmod(abs(offset_minutes), 60)
    return f"{sign}{hours:02d}:{minutes:02d}"


def _offset_minutes(tz: tzinfo, instant: datetime) -> int | None:
    """The zone's offset at ``instant`` in whole minutes (None when it has seconds)."""
    offset = instant.astimezone(tz).utcoffset()
    assert offset is not None  # a zone always has an offset
    seconds = int(offset.total_seconds())
    return None if seconds % 60 else seconds // 60


def _local_part(offset: int, minute: int) -> str:
    table = _LOCAL_PARTS.get(offset)
    if table is None:
        table = _LOCAL_PARTS[offset] = [None] * _DAY_MINUTES
    part = table[minute]
    if part is None:
        label = _LABELS[minute]
        part = table[minute] = f'T{label}:00{_suffix(offset)}","label":"{label}"}}'
    return part


def _local_table(offset: int) -> list[str]:
    """``_local_part`` of every UTC minute of a day, for one offset (built once per offset)."""
    table = _LOCAL_TABLES.get(offset)
    if table is None:
        table = _LOCAL_TABLES[offset] = [
            _local_part(offset, (minute + offset) % _DAY_MINUTES) for minute in range(_DAY_MINUTES)
        ]
    return table


def _day_text(day: int, prefixes: dict[int, str]) -> str:
    text = prefixes.get(day)
    if text is None:
        text = prefixes[day] = date.fromordinal(day + _EPOCH_ORDINAL).isoformat()
    return text


def slots_answer(mentor_id: UUID, timezone: str, slots: Sequence[datetime]) -> bytes:
    """``plain_answer``'s bytes, fast. ``slots`` are aware instants in ascending order (the
    engine's answer); anything else takes the straightforward path."""
    tz = zone(timezone)
    # Checked with C-level maps: a Python-level pass per slot costs as much as the rest.
    if None in map(_TZINFO, slots):
        return plain_answer(mentor_id, timezone, slots)
    stamps = list(map(datetime.timestamp, slots))
    minutes = [int(stamp // 60) for stamp in stamps]
    if not all(map(int.__lt__, minutes, islice(minutes, 1, None))) or any(
        map(float.__ne__, stamps, map(float, map(_MINUTE.__mul__, minutes)))
    ):
        return plain_answer(mentor_id, timezone, slots)
    prefixes: dict[int, str] = {}
    days: list[tuple[int, list[str]]] = []  # (local day, slot texts), in order
    # One UTC day at a time. Its offset is asked at both of its ends: equal, the day has no
    # change (no zone changes twice within a day) and its slots are formatted together, in at
    # most two runs (before and after the local midnight); different, one by one.
    count = len(minutes)
    i = 0
    while i < count:
        utc_day = minutes[i] // _DAY_MINUTES
        day_start = utc_day * _DAY_MINUTES
        j = bisect_left(minutes, day_start + _DAY_MINUTES, i)
        utc_text = _day_text(utc_day, prefixes)
        begin_offset = _offset_minutes(tz, _EPOCH + timedelta(days=utc_day))
        end_offset = _offset_minutes(tz, _EPOCH + timedelta(days=utc_day + 1))
        if begin_offset is not None and begin_offset == end_offset:
            table = _local_table(begin_offset)
            # The UTC minute of the day at which the local date changes.
            split = bisect_left(minutes, day_start + (-begin_offset) % _DAY_MINUTES, i, j)
            if begin_offset % _DAY_MINUTES == 0:
                split = i
            for low, high in ((i, split), (split, j)):
                if low == high:
                    continue
                local_day = (minutes[low] + begin_offset) // _DAY_MINUTES
                local_text = _day_text(local_day, prefixes)
                texts = [
                    f'{{"start":"{utc_text}{_UTC_PARTS[at - day_start]}{local_text}'
                    f"{table[at - day_start]}"
                    for at in minutes[low:high]
                ]
                if days and days[-1][0] == local_day:
                    days[-1][1].extend(texts)
                elif days and days[-1][0] > local_day:
                    return plain_answer(mentor_id, timezone, slots)
                else:
                    days.append((local_day, texts))
        else:
            for at in minutes[i:j]:
                offset = _offset_minutes(tz, _EPOCH + timedelta(minutes=at))
                if offset is None:
                    return plain_answer(mentor_id, timezone, slots)
                local_day, minute = divmod(at + offset, _DAY_MINUTES)
                text = (
                    f'{{"start":"{utc_text}{_UTC_PARTS[at - day_start]}'
                    f"{_day_text(local_day, prefixes)}{_local_part(offset, minute)}"
                )
                if days and days[-1][0] == local_day:
                    days[-1][1].append(text)
                elif days and days[-1][0] > local_day:
                    # A fall-back across midnight revisits the previous local date: rare,
                    # and grouped by the straightforward path.
                    return plain_answer(mentor_id, timezone, slots)
                else:
                    days.append((local_day, [text]))
        i = j
    body = ",".join(
        f'{{"date":"{_day_text(day, prefixes)}","slots":[{",".join(texts)}]}}'
        for day, texts in days
    )
    head = f'{{"mentor_id":"{mentor_id}","timezone":{msgspec.json.encode(timezone).decode()}'
    return f'{head},"days":[{body}]}}'.encode()
