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
from itertools import pairwise
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
# What follows a slot's local date, per offset (filled as offsets are met; there are few).
_LOCAL_PARTS: dict[int, list[str | None]] = {}


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


def _day_text(day: int, prefixes: dict[int, str]) -> str:
    text = prefixes.get(day)
    if text is None:
        text = prefixes[day] = date.fromordinal(day + _EPOCH_ORDINAL).isoformat()
    return text


def slots_answer(mentor_id: UUID, timezone: str, slots: Sequence[datetime]) -> bytes:
    """``plain_answer``'s bytes, fast. ``slots`` are aware instants in ascending order (the
    engine's answer); anything else takes the straightforward path."""
    tz = zone(timezone)
    try:
        stamps = [slot.timestamp() for slot in slots if slot.tzinfo is not None]
    except (AttributeError, TypeError):
        return plain_answer(mentor_id, timezone, slots)
    minutes = [int(stamp) // 60 for stamp in stamps]
    if (
        len(stamps) != len(slots)
        or any(a >= b for a, b in pairwise(minutes))
        or any(m * 60 != stamp for m, stamp in zip(minutes, stamps, strict=True))
    ):
        return plain_answer(mentor_id, timezone, slots)
    prefixes: dict[int, str] = {}
    days: list[tuple[int, list[str]]] = []  # (local day, slot texts), in order
    # One UTC day at a time. Its offset is asked at both of its ends: equal, the day has no
    # change (no zone changes twice within a day) and its slots are formatted together;
    # different, they are converted one by one.
    i = 0
    while i < len(minutes):
        utc_day = minutes[i] // _DAY_MINUTES
        begin_offset = _offset_minutes(tz, _EPOCH + timedelta(days=utc_day))
        end_offset = _offset_minutes(tz, _EPOCH + timedelta(days=utc_day + 1))
        j = bisect_left(minutes, (utc_day + 1) * _DAY_MINUTES, i)
        utc_text = _day_text(utc_day, prefixes)
        if begin_offset is not None and begin_offset == end_offset:
            offsets = [begin_offset] * (j - i)
        else:
            offsets = []
            for at in minutes[i:j]:
                offset = _offset_minutes(tz, _EPOCH + timedelta(minutes=at))
                if offset is None:
                    return plain_answer(mentor_id, timezone, slots)
                offsets.append(offset)
        for at, offset in zip(minutes[i:j], offsets, strict=True):
            day, minute = divmod(at + offset, _DAY_MINUTES)
            if not days or day != days[-1][0]:
                if days and day < days[-1][0]:
                    # A fall-back across midnight revisits the previous local date: rare,
                    # and grouped by the straightforward path.
                    return plain_answer(mentor_id, timezone, slots)
                days.append((day, []))
                local_text = _day_text(day, prefixes)
            days[-1][1].append(
                f'{{"start":"{utc_text}{_UTC_PARTS[at - utc_day * _DAY_MINUTES]}{local_text}'
                f"{_local_part(offset, minute)}"
            )
        i = j
    body = ",".join(
        f'{{"date":"{_day_text(day, prefixes)}","slots":[{",".join(texts)}]}}'
        for day, texts in days
    )
    head = f'{{"mentor_id":"{mentor_id}","timezone":{msgspec.json.encode(timezone).decode()}'
    return f'{head},"days":[{body}]}}'.encode()
