"""Grouping slot instants by the local date of whoever looks at them."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime


def group_by_local_date(slots: Iterable[datetime], timezone: str) -> dict[date, list[datetime]]:
    """Slots grouped by their local date in ``timezone`` (each slot converted to it), in order."""
    raise NotImplementedError
