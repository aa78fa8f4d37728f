"""Google busy time: the cache the slots are computed from, and the booking-time re-check.

The request path reads only the cache (``ExternalBusy`` rows with source ``google``), which the
worker refreshes. ``CalendarUnavailable`` never reaches a visitor: the busy time keeps its last
known value with ``busy_fetch_state.stale`` set, and the re-check answers ``None`` (use the cache).
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from uuid import UUID

from sqlalchemy import delete, insert, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert

from availability import Interval
from scheduler.calendar.link import CALENDAR_FAILURES, MAX_ERROR, Links
from scheduler.calendar.models import (
    BusyFetchState,
    CalendarConnection,
    ConnectionState,
    WarningKind,
)
from scheduler.calendar.ports import CalendarNotFound, CalendarProvider, CalendarUnavailable
from scheduler.catalog import PolicyRow
from scheduler.schedules import ExternalBusy

__all__ = ["GOOGLE_SOURCE", "BusyCache", "BusyRecheck"]

log = logging.getLogger("thotis.calendar")

GOOGLE_SOURCE = "google"
DEFAULT_HORIZON_DAYS = 30
# Busy time is fetched a little past the horizon: a slot at the horizon's edge has buffers.
HORIZON_MARGIN = timedelta(days=1)


class BusyCache:
    def __init__(self, links: Links) -> None:
        self.links = links
        self.db = links.db

    async def _horizon(self, mentor_id: UUID) -> timedelta:
        async with self.db.session() as session:
            days = (
                await session.execute(
                    select(PolicyRow.horizon_days).where(PolicyRow.mentor_id == mentor_id)
                )
            ).scalar()
        return timedelta(days=days or DEFAULT_HORIZON_DAYS) + HORIZON_MARGIN

    async def refresh(self, mentor_id: UUID) -> bool:
        """Replace the mentor's cached Google busy time over [now, now + horizon].

        True when fresh. Google unreachable: the last known busy time stays, flagged stale
        (raises nothing). A reconnect or a vanished calendar also leaves it stale and opens a
        warning; those re-raise for the caller that wants to know.
        """
        links = self.links
        conn = await links.load(mentor_id)
        if conn is None or conn.status != ConnectionState.ACTIVE:
            return False
        now = links.clock()
        end = now + await self._horizon(mentor_id)
        ids = conn.busy_calendar_ids
        try:
            busy = await links.call(
                conn, lambda tokens: links.provider.free_busy(tokens, ids, now, end)
            )
        except CalendarUnavailable as error:
            log.info(
                "busy refresh of mentor %s failed, keeping the last known: %s", mentor_id, error
            )
            await self._keep_last_known(mentor_id, error)
            return False
        except CalendarNotFound as error:
            await self._keep_last_known(mentor_id, error)
            await links.warnings.open(
                mentor_id, WarningKind.CALENDAR_MISSING, detail=error.calendar_id
            )
            raise
        await self._store(mentor_id, busy, now)
        return True

    async def _keep_last_known(self, mentor_id: UUID, error: Exception) -> None:
        await self.links.mark_stale(mentor_id)
        await self.links.update(mentor_id, last_error=str(error)[:MAX_ERROR])

    async def _store(self, mentor_id: UUID, busy: list[Interval], now: datetime) -> None:
        """The new busy time replaces the old at once, marked fresh, the last error cleared."""
        async with self.db.transaction() as session:
            await session.execute(
                delete(ExternalBusy).where(
                    ExternalBusy.mentor_id == mentor_id, ExternalBusy.source == GOOGLE_SOURCE
                )
            )
            if busy:
                await session.execute(
                    insert(ExternalBusy),
                    [
                        {
                            "mentor_id": mentor_id,
                            "start_at": interval.start,
                            "end_at": interval.end,
                            "source": GOOGLE_SOURCE,
                            "fetched_at": now,
                        }
                        for interval in busy
                    ],
                )
            await session.execute(
                pg_insert(BusyFetchState)
                .values(mentor_id=mentor_id, fetched_at=now, stale=False)
                .on_conflict_do_update(
                    index_elements=["mentor_id"], set_={"fetched_at": now, "stale": False}
                )
            )
            await session.execute(
                update(CalendarConnection)
                .where(CalendarConnection.mentor_id == mentor_id)
                .values(last_error=None)
            )

    async def forget(self, mentor_id: UUID) -> None:
        async with self.db.transaction() as session:
            await session.execute(
                delete(ExternalBusy).where(
                    ExternalBusy.mentor_id == mentor_id, ExternalBusy.source == GOOGLE_SOURCE
                )
            )
            await session.execute(
                delete(BusyFetchState).where(BusyFetchState.mentor_id == mentor_id)
            )


class BusyRecheck:
    """``BusyCheck`` (``scheduler.booking.ports``). Its provider has a short timeout and few
    retries: a visitor is waiting."""

    def __init__(self, links: Links, provider: CalendarProvider) -> None:
        self.links = links
        self.provider = provider

    async def fresh_busy(
        self, mentor_id: UUID, start: datetime, end: datetime
    ) -> list[Interval] | None:
        """Fresh busy time for the mentor being booked, or None (use the cache) when there is
        no usable connection or Google does not answer in time."""
        conn = await self.links.load(mentor_id)
        if conn is None or conn.status != ConnectionState.ACTIVE or not conn.busy_calendar_ids:
            return None
        ids = conn.busy_calendar_ids
        try:
            return await self.links.call(
                conn, lambda tokens: self.provider.free_busy(tokens, ids, start, end)
            )
        except CALENDAR_FAILURES as error:
            log.info(
                "booking-time busy check of mentor %s fell back to the cache: %s", mentor_id, error
            )
            return None
