"""The answers that list slots by the visitor's local date (the widget calendar's
``schemas.MentorSlots``, a filière's merged ``schemas.FiliereSlots``) as JSON bytes, built from
the engine's runs (``availability.SlotRun``) without Python work per slot.

Why: the engine finds its slots as runs of evenly spaced instants in a fraction of a
millisecond; converting each slot to a datetime, then to the visitor's zone, grouping by local
date, formatting three strings and encoding a tree of Structs cost ten times as much. Here a run
is cut where its UTC date or its local date changes; each piece's bytes are joined once from a
table of slot texts per offset (indexed by the UTC minute of the day) and kept, their two dates
as stand-ins that one ``bytes.replace`` fills; the answer is one join of the pieces. Mentors keep
the same hours from day to day and from one to the other, so pieces repeat. The visitor zone's
offset is asked at each UTC midnight: the tz database never changes a zone's offset twice within
48 hours (the engine's ``WallClock`` relies on the same fact, and a test checks it), so two
equal samples mean one offset all day; a day whose ends differ has its slots converted one by
one.

The bytes are those of ``msgspec.json.encode`` of the Structs that the straightforward answers
(``plain_answer``, ``plain_filiere_answer``) build; property tests compare them across clock
changes. Whatever the tables do not cover (instants or offsets with seconds, as in local mean
times before 1900; a fall-back across midnight that revisits a date) takes that path.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, tzinfo
from typing import Any
from uuid import UUID

import msgspec

from api import schemas
from api.convert import slot_days
from availability import SlotRun, run_instants, zone

_DAY = 1440  # minutes
_MINUTE_US = 60_000_000
_EPOCH_ORDINAL = date(1970, 1, 1).toordinal()
# Stand-ins for a slot's UTC date and local date in the tables' texts.
_UTC_DATE = b"\x00"
_LOCAL_DATE = b"\x01"
_LABELS = tuple(f"{m // 60:02d}:{m % 60:02d}" for m in range(_DAY))
_NO_DAY = -(2**62)
# Per offset in minutes, each UTC minute of the day's slot text (offsets are few; filled as met).
_TABLES: dict[int, tuple[bytes, ...]] = {}
# What a run needs of its UTC day when that day has one offset: its first minute, the minute
# at which the local date changes, the next day's first minute, the offset, the UTC date, and
# the local dates (day since the epoch, text or None when it is the UTC date's: one replace
# less) before and after that change.
_DayInfo = tuple[int, int, int, int, bytes, int, bytes | None, int, bytes | None]
# Caches kept between answers, each emptied when it reaches _MAX_CACHED entries (a visitor
# choosing far dates cannot make them grow without end): joined pieces, ISO dates by day since
# the epoch, and each zone's offset (None: it changes that day, or has seconds) and
# ``_DayInfo`` by UTC day.
_MAX_CACHED = 20_000
_PIECES: dict[tuple[int, int, int, int], bytes] = {}
_DATES: dict[int, bytes] = {}
_OFFSETS: dict[tzinfo, dict[int, int | None]] = {}
_INFOS: dict[tzinfo, dict[int, _DayInfo | None]] = {}
_NO_INFO: Any = object()


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
    name = msgspec.json.encode(timezone)
    head = b'{"mentor_id":"%s","timezone":%s,"days":[' % (str(mentor_id).encode(), name)
    answer = _answer(zone(timezone), runs, head)
    if answer is None:
        return plain_answer(mentor_id, timezone, run_instants(runs))
    return answer


def filiere_answer(filiere: schemas.Filiere, timezone: str, runs: Sequence[SlotRun]) -> bytes:
    """``plain_filiere_answer``'s bytes for the slots of ``runs``."""
    name = msgspec.json.encode(timezone)
    head = b'{"filiere":%s,"timezone":%s,"days":[' % (msgspec.json.encode(filiere), name)
    answer = _answer(zone(timezone), runs, head)
    if answer is None:
        return plain_filiere_answer(filiere, timezone, run_instants(runs))
    return answer


def _suffix(offset: int) -> str:
    """msgspec's form of an offset in minutes: ``Z`` for zero, else ``±HH:MM``."""
    if offset == 0:
        return "Z"
    sign = "+" if offset > 0 else "-"
    hours, minutes = divmod(abs(offset), 60)
    return f"{sign}{hours:02d}:{minutes:02d}"


def _table(offset: int) -> tuple[bytes, ...]:
    """Each UTC minute of the day's slot text at ``offset``, its dates left as stand-ins."""
    table = _TABLES.get(offset)
    if table is None:
        suffix = _suffix(offset)
        utc, other = _UTC_DATE.decode(), _LOCAL_DATE.decode()
        texts = []
        for minute in range(_DAY):
            local = _LABELS[(minute + offset) % _DAY]
            # On the UTC date itself, the local date is the same stand-in: one replace.
            local_date = utc if 0 <= minute + offset < _DAY else other
            texts.append(
                f'{{"start":"{utc}T{_LABELS[minute]}:00Z",'
                f'"local_start":"{local_date}T{local}:00{suffix}","label":"{local}"}}'.encode()
            )
        table = _TABLES[offset] = tuple(texts)
    return table


def _piece(key: tuple[int, int, int, int]) -> bytes:
    """The joined texts of the slots ``first, first + step .. last`` (minutes of one UTC day,
    of one local date) at ``offset``: ``key`` is (offset, first, last, step)."""
    offset, first, last, step = key
    if len(_PIECES) >= _MAX_CACHED:
        _PIECES.clear()
    text = _PIECES[key] = b",".join(map(_table(offset).__getitem__, range(first, last + 1, step)))
    return text


def _date(day: int) -> bytes:
    """The ISO date of a day since the epoch."""
    if len(_DATES) >= _MAX_CACHED:
        _DATES.clear()
    text = _DATES[day] = date.fromordinal(day + _EPOCH_ORDINAL).isoformat().encode()
    return text


def _kept(kept: dict[tzinfo, dict[int, Any]], tz: tzinfo) -> dict[int, Any]:
    """``tz``'s entry of a per-zone cache (a zone's offsets do not change while it runs)."""
    known = kept.get(tz)
    if known is None or len(known) >= _MAX_CACHED:
        known = kept[tz] = {}
    return known


def _offset_at(tz: tzinfo, minute: int) -> int | None:
    """The zone's offset in minutes at the UTC ``minute`` (None when it has seconds)."""
    offset = datetime.fromtimestamp(minute * 60, tz).utcoffset()
    assert offset is not None  # a ZoneInfo always has one
    seconds = offset.days * 86_400 + offset.seconds
    return None if seconds % 60 else seconds // 60


class _Fallback(Exception):
    """What the tables do not cover: the caller takes the straightforward path."""


class _Writer:
    """The answer's bytes as they are assembled, day by local day."""

    __slots__ = ("day", "offsets", "out", "tz")

    def __init__(self, tz: tzinfo, head: bytes) -> None:
        self.tz = tz
        self.offsets: dict[int, int | None] = _kept(_OFFSETS, tz)
        self.out = [head]
        self.day = _NO_DAY  # the local day being written

    def add(self, local_day: int, text: bytes) -> None:
        """The slots of ``text`` after those written, on ``local_day``."""
        out = self.out
        if local_day == self.day:
            out.append(b",")
        elif local_day > self.day:
            if self.day != _NO_DAY:
                out.append(b"]},")
            out += (b'{"date":"', _DATES.get(local_day) or _date(local_day), b'","slots":[')
            self.day = local_day
        else:
            raise _Fallback  # a fall-back across midnight revisits the previous date: rare
        out.append(text)

    def bytes(self) -> bytes:
        out = self.out
        out.append(b"]}]}" if self.day != _NO_DAY else b"]}")
        return b"".join(out)

    def day_offset(self, utc_day: int) -> int | None:
        """The offset of the whole UTC day, or None if it changes or has seconds."""
        if utc_day in self.offsets:
            return self.offsets[utc_day]
        begin = _offset_at(self.tz, utc_day * _DAY)
        offset = begin if begin == _offset_at(self.tz, utc_day * _DAY + _DAY) else None
        self.offsets[utc_day] = offset
        return offset

    def day_info(self, utc_day: int) -> _DayInfo | None:
        offset = self.day_offset(utc_day)
        if offset is None:
            return None
        base = utc_day * _DAY
        midnight = base + (-offset) % _DAY  # base itself when the offset is zero
        before = (base + offset) // _DAY
        after = (midnight + offset) // _DAY
        return (
            base,
            midnight,
            base + _DAY,
            offset,
            _DATES.get(utc_day) or _date(utc_day),
            before,
            None if before == utc_day else _DATES.get(before) or _date(before),
            after,
            None if after == utc_day else _DATES.get(after) or _date(after),
        )

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
        self.add(local_day, text)

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


def _answer(tz: tzinfo, runs: Sequence[SlotRun], head: bytes) -> bytes | None:
    """``head`` followed by the ``days`` array and the closing brace, or None for the
    straightforward path.

    The common run (within one UTC date and one local date, of a day with one offset) is
    handled here in a few operations on cached texts; the others by ``_Writer.run``."""
    writer = _Writer(tz, head)
    out = writer.out
    infos: dict[int, _DayInfo | None] = _kept(_INFOS, tz)
    pieces = _PIECES
    day = _NO_DAY
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
            info = infos.get(utc_day, _NO_INFO)
            if info is _NO_INFO:
                info = infos[utc_day] = writer.day_info(utc_day)
            if info is not None:
                base, midnight, following, offset, utc_text = info[:5]
                if high < midnight:
                    local_day, local_text = info[5], info[6]
                elif midnight <= low and high < following:
                    local_day, local_text = info[7], info[8]
                else:
                    local_day = _NO_DAY
                if local_day != _NO_DAY:
                    key = (offset, low - base, high - base, minutes)
                    text = (pieces.get(key) or _piece(key)).replace(_UTC_DATE, utc_text)
                    if local_text is not None:
                        text = text.replace(_LOCAL_DATE, local_text)
                    if local_day == day:
                        out.append(b",")
                        out.append(text)
                    else:
                        writer.add(local_day, text)
                        day = local_day
                    continue
            writer.run(low, high, minutes)
            day = writer.day
    except _Fallback:
        return None
    return writer.bytes()
