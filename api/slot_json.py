"""The answers that list slots by the visitor's local date (the widget calendar's
``schemas.MentorSlots``, a filière's merged ``schemas.FiliereSlots``) as JSON bytes, built from
the engine's runs (``availability.SlotRun``) without Python work per slot.

Why: the engine finds its slots as runs of evenly spaced instants in a fraction of a
millisecond; converting each slot to a datetime, then to the visitor's zone, grouping by local
date, formatting three strings and encoding a tree of Structs cost ten times as much. Here a run
is cut where its UTC date or its local date changes, and each piece's text is joined by C-level
operations from a table of slot texts per offset (indexed by the UTC minute of the day), its two
dates put in by ``str.replace``. The visitor zone's offset is asked at each UTC midnight: the tz
database never changes a zone's offset twice within 48 hours (the engine's ``WallClock`` relies
on the same fact, and a test checks it), so two equal samples mean one offset all day; a day
whose ends differ has its slots converted one by one.

The bytes are those of ``msgspec.json.encode`` of the Structs that the straightforward answers
(``plain_answer``, ``plain_filiere_answer``) build; property tests compare them across clock
changes. Whatever the tables do not cover (instants or offsets with seconds, as in local mean
times before 1900; a fall-back across midnight that revisits a date) takes that path.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, tzinfo
from uuid import UUID

import msgspec

from api import schemas
from api.convert import slot_days
from availability import SlotRun, run_instants, zone

_DAY = 1440  # minutes
_MINUTE_US = 60_000_000
_EPOCH_ORDINAL = date(1970, 1, 1).toordinal()
# Stand-ins for a slot's UTC date and local date in the tables' texts.
_UTC_DATE = "\x00"
_LOCAL_DATE = "\x01"
_LABELS = tuple(f"{m // 60:02d}:{m % 60:02d}" for m in range(_DAY))
# Per offset in minutes, each UTC minute of the day's slot text (offsets are few; filled as met).
_TABLES: dict[int, tuple[str, ...]] = {}
# Caches kept between answers, each emptied when it reaches _MAX_CACHED entries (a visitor
# choosing far dates cannot make them grow without end): joined pieces, ISO dates by day since
# the epoch, and each zone's offset by UTC day (None: it changes that day, or has seconds).
_MAX_CACHED = 20_000
_PIECES: dict[tuple[int, int, int, int], str] = {}
_DATES: dict[int, str] = {}
_OFFSETS: dict[tzinfo, dict[int, int | None]] = {}
_UNKNOWN = 1 << 20  # not an offset in minutes


def plain_answer(mentor_id: UUID, timezone: str, slots: Sequence[datetime]) -> bytes:
    """The straightforward widget answer: every slot converted and formatted on its own."""
    return msgspec.json.encode(
        schemas.MentorSlots(mentor_id=mentor_id, timezone=timezone, days=slot_days(slots, timezone))
    )


def plain_filiere_answer(
    filiere: schemas.Filiere, timezone: str, slots: Sequence[datetime]
) -> bytes:
    """The straightforward merged calendar of a filière."""
    return msgspec.json.encode(
        schemas.FiliereSlots(filiere=filiere, timezone=timezone, days=slot_days(slots, timezone))
    )


def slots_answer(mentor_id: UUID, timezone: str, runs: Sequence[SlotRun]) -> bytes:
    """``plain_answer``'s bytes for the slots of ``runs`` (in time order, not overlapping)."""
    days = _days(zone(timezone), runs)
    if days is None:
        return plain_answer(mentor_id, timezone, run_instants(runs))
    name = msgspec.json.encode(timezone).decode()
    return f'{{"mentor_id":"{mentor_id}","timezone":{name},"days":{days}}}'.encode()


def filiere_answer(filiere: schemas.Filiere, timezone: str, runs: Sequence[SlotRun]) -> bytes:
    """``plain_filiere_answer``'s bytes for the slots of ``runs``."""
    days = _days(zone(timezone), runs)
    if days is None:
        return plain_filiere_answer(filiere, timezone, run_instants(runs))
    head = msgspec.json.encode(filiere).decode()
    name = msgspec.json.encode(timezone).decode()
    return f'{{"filiere":{head},"timezone":{name},"days":{days}}}'.encode()


def _suffix(offset: int) -> str:
    """msgspec's form of an offset in minutes: ``Z`` for zero, else ``±HH:MM``."""
    if offset == 0:
        return "Z"
    sign = "+" if offset > 0 else "-"
    hours, minutes = divmod(abs(offset), 60)
    return f"{sign}{hours:02d}:{minutes:02d}"


def _table(offset: int) -> tuple[str, ...]:
    """Each UTC minute of the day's slot text at ``offset``, its dates left as stand-ins."""
    table = _TABLES.get(offset)
    if table is None:
        suffix = _suffix(offset)
        texts = []
        for minute in range(_DAY):
            local = _LABELS[(minute + offset) % _DAY]
            # On the UTC date itself, the local date is the same stand-in: one replace.
            local_date = _UTC_DATE if 0 <= minute + offset < _DAY else _LOCAL_DATE
            texts.append(
                f'{{"start":"{_UTC_DATE}T{_LABELS[minute]}:00Z",'
                f'"local_start":"{local_date}T{local}:00{suffix}","label":"{local}"}}'
            )
        table = _TABLES[offset] = tuple(texts)
    return table


def _piece(key: tuple[int, int, int, int]) -> str:
    """The texts of the slots ``first, first + step .. last`` (minutes of one UTC day, of one
    local date) at ``offset``, joined: mentors keep the same hours from day to day and from
    one to the other, so a piece is joined once and its dates replaced on each use."""
    offset, first, last, step = key
    if len(_PIECES) >= _MAX_CACHED:
        _PIECES.clear()
    text = _PIECES[key] = ",".join(map(_table(offset).__getitem__, range(first, last + 1, step)))
    return text


def _date(day: int) -> str:
    """The ISO date of a day since the epoch."""
    if len(_DATES) >= _MAX_CACHED:
        _DATES.clear()
    text = _DATES[day] = date.fromordinal(day + _EPOCH_ORDINAL).isoformat()
    return text


def _offsets(tz: tzinfo) -> dict[int, int | None]:
    """The known offsets of ``tz``'s UTC days (kept between calls: a zone does not change)."""
    known = _OFFSETS.get(tz)
    if known is None or len(known) >= _MAX_CACHED:
        known = _OFFSETS[tz] = {}
    return known


def _offset_at(tz: tzinfo, minute: int) -> int | None:
    """The zone's offset in minutes at the UTC ``minute`` (None when it has seconds)."""
    offset = datetime.fromtimestamp(minute * 60, tz).utcoffset()
    assert offset is not None  # a ZoneInfo always has one
    seconds = offset.days * 86_400 + offset.seconds
    return None if seconds % 60 else seconds // 60


class _Fallback(Exception):
    """What the tables do not cover: the caller takes the straightforward path."""


class _Days:
    """The answer's days as they are assembled: texts of slots grouped by local date."""

    __slots__ = ("offsets", "texts", "tz")

    def __init__(self, tz: tzinfo) -> None:
        self.tz = tz
        self.offsets = _offsets(tz)
        self.texts: list[tuple[int, list[str]]] = []  # (local day, its slots' texts), in order

    def day_offset(self, utc_day: int) -> int | None:
        """The offset of the whole UTC day, or None if it changes or has seconds."""
        if utc_day in self.offsets:
            return self.offsets[utc_day]
        begin = _offset_at(self.tz, utc_day * _DAY)
        offset = begin if begin == _offset_at(self.tz, utc_day * _DAY + _DAY) else None
        self.offsets[utc_day] = offset
        return offset

    def piece(self, offset: int, first: int, last: int, step: int) -> None:
        """Slots ``first, first + step .. last`` (UTC minutes) of one UTC and one local date."""
        utc_day = first // _DAY
        base = utc_day * _DAY
        local_day = (first + offset) // _DAY
        key = (offset, first - base, last - base, step)
        text = (_PIECES.get(key) or _piece(key)).replace(
            _UTC_DATE, _DATES.get(utc_day) or _date(utc_day)
        )
        if local_day != utc_day:
            text = text.replace(_LOCAL_DATE, _DATES.get(local_day) or _date(local_day))
        texts = self.texts
        if texts and texts[-1][0] == local_day:
            texts[-1][1].append(text)
        elif texts and texts[-1][0] > local_day:
            raise _Fallback  # a fall-back across midnight revisits the previous date: rare
        else:
            texts.append((local_day, [text]))

    def run(self, first: int, last: int, step: int) -> None:
        """Slots ``first, first + step .. last`` (UTC minutes), cut by UTC and local dates."""
        while first <= last:
            utc_day = first // _DAY
            base = utc_day * _DAY
            # The day's last slot.
            end = last if last < base + _DAY else first + (base + _DAY - 1 - first) // step * step
            offset = self.day_offset(utc_day)
            if offset is None:
                for minute in range(first, end + 1, step):
                    one = _offset_at(self.tz, minute)
                    if one is None:
                        raise _Fallback
                    self.piece(one, minute, minute, step)
            else:
                # The first UTC minute of the day at which the local date is a new one.
                midnight = base + (-offset) % _DAY
                if first < midnight <= end:
                    before = first + (midnight - 1 - first) // step * step
                    self.piece(offset, first, before, step)
                    self.piece(offset, before + step, end, step)
                else:
                    self.piece(offset, first, end, step)
            first = end + step

    def json(self) -> str:
        return "[{}]".format(
            ",".join(
                f'{{"date":"{_DATES.get(day) or _date(day)}","slots":[{",".join(texts)}]}}'
                for day, texts in self.texts
            )
        )


def _days(tz: tzinfo, runs: Sequence[SlotRun]) -> str | None:
    """The ``days`` array's JSON, or None for the straightforward path.

    The common run (within one UTC date and one local date, of a day with one offset) is
    handled here in a few C-level operations on cached texts; the others by ``_Days.run``."""
    days = _Days(tz)
    texts = days.texts
    offsets = _offsets(tz)
    dates, pieces = _DATES, _PIECES
    current: list[str] = []
    current_day = -(2**62)
    try:
        for first, step, count in runs:
            if count == 1:
                step = _MINUTE_US
            if first % _MINUTE_US or step % _MINUTE_US or count < 1:
                return None
            low = first // _MINUTE_US
            minutes = step // _MINUTE_US
            high = low + (count - 1) * minutes
            utc_day = low // _DAY
            base = utc_day * _DAY
            offset = offsets.get(utc_day, _UNKNOWN)
            if offset == _UNKNOWN:
                offset = days.day_offset(utc_day)
            if high < base + _DAY and offset is not None:
                local_day = (low + offset) // _DAY
                if (high + offset) // _DAY == local_day:
                    key = (offset, low - base, high - base, minutes)
                    piece = pieces.get(key)
                    if piece is None:
                        piece = _piece(key)
                    text = piece.replace(_UTC_DATE, dates.get(utc_day) or _date(utc_day))
                    if local_day != utc_day:
                        text = text.replace(_LOCAL_DATE, dates.get(local_day) or _date(local_day))
                    if local_day == current_day:
                        current.append(text)
                    elif local_day > current_day:
                        current_day, current = local_day, [text]
                        texts.append((local_day, current))
                    else:
                        return None  # a fall-back across midnight revisits a date: rare
                    continue
            days.run(low, high, minutes)
            current_day, current = texts[-1] if texts else (current_day, current)
    except _Fallback:
        return None
    return days.json()
