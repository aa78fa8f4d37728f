"""Request limits that hold across processes: fixed-window counters kept in PostgreSQL.

Each hit is one ``INSERT … ON CONFLICT DO UPDATE SET hits = hits + 1 RETURNING hits`` on
``rate_limits (key, window_start)``, committed by itself (autocommit: no BEGIN, no COMMIT), so every process and replica counts in the same row
(issue 15: a per-process counter let N replicas allow N times the limit). A key names what is
counted (``address:…``, ``email:…``, ``slot:…``); a key derived from personal data is a digest
(``email_key``), never the data itself. Windows older than ``KEEP`` are deleted by the worker's
``purge_job`` and, for the key being hit, opportunistically.
"""

from __future__ import annotations

import hashlib
import logging
import math
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import DateTime, Integer, Text, delete
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from scheduler.platform.clock import Clock
from scheduler.platform.db import Database
from scheduler.platform.driver import fetch_committed
from scheduler.platform.models import Base
from scheduler.platform.settings import HttpSettings
from scheduler.platform.transactions import unit_of_work
from scheduler.platform.worker import PeriodicJob

log = logging.getLogger("thotis.rate_limits")

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
# Longer than the longest window in use (an hour): older rows can no longer refuse anything.
KEEP = timedelta(days=1)


class RateLimitRow(Base):
    __tablename__ = "rate_limits"

    key: Mapped[str] = mapped_column(Text, primary_key=True)
    window_start: Mapped[datetime] = mapped_column(DateTime(timezone=True), primary_key=True)
    hits: Mapped[int] = mapped_column(Integer, nullable=False)


@dataclass(frozen=True, slots=True)
class Limit:
    """At most ``hits`` hits per ``window`` for one key; ``hits <= 0`` turns the limit off."""

    hits: int
    window: timedelta

    @property
    def enabled(self) -> bool:
        return self.hits > 0


@dataclass(frozen=True, slots=True)
class BookingLimits:
    """The limits on requests that create or move bookings (settings.http)."""

    per_address: Limit
    per_email: Limit
    per_slot: Limit


def booking_limits(http: HttpSettings) -> BookingLimits:
    """The booking limits the settings ask for."""
    return BookingLimits(
        per_address=Limit(http.booking_limit_per_address, timedelta(minutes=1)),
        per_email=Limit(http.booking_limit_per_email, timedelta(hours=1)),
        per_slot=Limit(http.booking_limit_per_slot, timedelta(minutes=1)),
    )


def window_start(now: datetime, window: timedelta) -> datetime:
    """The start of the fixed window ``now`` falls in (windows are aligned on the epoch)."""
    return EPOCH + ((now - EPOCH) // window) * window


def seconds_left(now: datetime, window: timedelta) -> int:
    """Whole seconds until the window ``now`` falls in ends (at least 1): the Retry-After."""
    left = window_start(now, window) + window - now
    return max(1, math.ceil(left.total_seconds()))


def email_key(email: str) -> str:
    """The key of a visitor email: a SHA-256 of the lowercased address, never the address."""
    return "email:" + hashlib.sha256(email.strip().lower().encode()).hexdigest()


# Every key of one request in one statement (one round trip on the booking path, committed by
# itself): count the hit in each key's current window, and drop that key's older windows
# (cheap: the primary key).
_HITS = """
    WITH counted AS (
      INSERT INTO rate_limits (key, window_start, hits)
      SELECT key, start, 1 FROM unnest(%(keys)s::text[], %(starts)s::timestamptz[])
                                AS k(key, start)
      ON CONFLICT (key, window_start) DO UPDATE SET hits = rate_limits.hits + 1
      RETURNING key, hits
    ), dropped AS (
      DELETE FROM rate_limits AS r
       USING unnest(%(keys)s::text[], %(starts)s::timestamptz[]) AS k(key, start)
       WHERE r.key = k.key AND r.window_start < k.start
    )
    SELECT key, hits FROM counted
"""


async def hit_all(
    session: AsyncSession, hits: Iterable[tuple[str, timedelta]], now: datetime
) -> dict[str, int]:
    """Count one hit on each ``(key, window)`` in the window ``now`` falls in; each key's hits
    so far, this one included. Committed at once, so that a refused request still counts."""
    starts = {key: window_start(now, window) for key, window in hits}
    if not starts:
        return {}
    rows = await fetch_committed(
        session, _HITS, {"keys": list(starts), "starts": list(starts.values())}
    )
    return {key: int(count) for key, count in rows}


async def hit(session: AsyncSession, key: str, window: timedelta, now: datetime) -> int:
    """Count one hit on ``key``; its hits so far in the current window."""
    return (await hit_all(session, [(key, window)], now))[key]


async def exceeded(
    session: AsyncSession, checks: Iterable[tuple[str, Limit]], now: datetime
) -> int | None:
    """Hit every enabled ``(key, limit)``; the seconds to wait (Retry-After) when one of them is
    over its limit, else None. Every key is hit, so a refused request counts everywhere."""
    enabled = [(key, limit) for key, limit in checks if limit.enabled]
    counts = await hit_all(session, [(key, limit.window) for key, limit in enabled], now)
    waits = [seconds_left(now, limit.window) for key, limit in enabled if counts[key] > limit.hits]
    return max(waits) if waits else None


async def purge_expired(session: AsyncSession, now: datetime) -> int:
    """Delete the windows that started more than ``KEEP`` ago; how many rows went."""
    async with unit_of_work(session):
        result = await session.execute(
            delete(RateLimitRow).where(RateLimitRow.window_start < now - KEEP)
        )
    return int(getattr(result, "rowcount", 0) or 0)


def purge_job(db: Database, clock: Clock) -> PeriodicJob:
    """The worker's hourly purge of old windows."""

    async def run() -> None:
        async with db.sessions() as session:
            count = await purge_expired(session, clock())
        if count:
            log.info("purged %d old rate-limit windows", count)

    return PeriodicJob("rate-limit-purge", run, timedelta(hours=1))
