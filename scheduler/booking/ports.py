"""What booking needs from a calendar, as a Protocol (the calendar domain implements it)."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol
from uuid import UUID

from availability import Interval


class BusyCheck(Protocol):
    """Fresh busy time for the one mentor being booked (the booking-time re-check).

    ``book()`` calls it before taking any lock. ``None`` means "no fresh answer, use the
    cached busy time" (no calendar connected, Google unreachable, ...).
    """

    async def fresh_busy(
        self, mentor_id: UUID, start: datetime, end: datetime
    ) -> list[Interval] | None: ...
