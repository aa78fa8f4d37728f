"""Grouping slot instants by the local date of whoever looks at them."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime

from availability.errors import NaiveDatetime
from availability.intervals import as_utc
from availability.rules import zone


def group_by_local_date(slots: Iterable[datetime], timezone: str) -> dict[date, list[datetime]]:
    """Slots grouped by their local date in ``timezone`` (each slot converted to it), in order.

    Dates come in ascending order and each date's slots in time order, whatever the input's.
    """
    tz = zone(timezone)
    try:
        instants = sorted(as_utc(slot, "slot") for slot in slots)
    except TypeError as error:
        raise NaiveDatetime("slots must be an iterable of aware datetimes") from error
    grouped: dict[date, list[datetime]] = {}
    for instant in instants:
        local = instant.astimezone(tz)
        grouped.setdefault(local.date(), []).append(local)
    # Sorted again by date: a fall-back across midnight can revisit the previous local date.
    return dict(sorted(grouped.items()))
