"""Sync: what changed in the events calendar since the last look (incremental with the stored
sync token, a full listing when it expired).

A booking's event deleted or moved by the mentor in Google is a warning, never a cancellation:
the booking stands, at its own time.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Awaitable, Callable
from datetime import timedelta
from uuid import UUID

from sqlalchemy import select, update

from scheduler.booking import LIVE_STATUS, BookingRow
from scheduler.calendar.busy import BusyCache
from scheduler.calendar.link import Links
from scheduler.calendar.models import CalendarConnection, CalendarEvent
from scheduler.calendar.ports import (
    CALENDAR_FAILURES,
    CalendarResult,
    GoogleTokens,
    SyncResult,
    event_id_for_series,
    series_for_event_id,
)

__all__ = ["SYNC_POLL", "EventSync"]

log = logging.getLogger("thotis.calendar")

# Polling when no push arrives (no public HTTPS address, or a lost notification).
SYNC_POLL = timedelta(minutes=15)
# A full listing looks this far back: an event that ended earlier no longer matters.
FULL_SYNC_LOOKBACK = timedelta(days=1)


class EventSync:
    def __init__(self, links: Links, busy: BusyCache) -> None:
        self.links = links
        self.busy = busy
        self.db = links.db

    async def sync(self, mentor_id: UUID) -> list[UUID]:
        """Read what changed in the events calendar (incremental with the stored sync token, a
        full listing when it expired). Returns the live bookings whose event the mentor deleted
        or moved (each reported once as an ``event_deleted`` or ``event_moved`` warning; the
        booking stands, at its own time)."""
        conn = await self.links.load(mentor_id)
        if conn is None or conn.status != "active" or conn.events_calendar_id is None:
            return []
        calendar_id = conn.events_calendar_id
        started = self.links.clock()
        since = started - FULL_SYNC_LOOKBACK

        def listing(
            token: str | None,
        ) -> Callable[[GoogleTokens], Awaitable[CalendarResult[SyncResult]]]:
            def call(tokens: GoogleTokens) -> Awaitable[CalendarResult[SyncResult]]:
                return self.links.provider.sync(
                    tokens, calendar_id, token, full_sync_from=None if token else since
                )

            return call

        result = await self.links.call(conn, listing(conn.sync_token))
        if result.needs_full_resync:
            log.info("sync token of mentor %s expired: full resync", mentor_id)
            result = await self.links.call(conn, listing(None))
        async with self.db.session() as session:
            placed = {
                row.event_id: row
                for row in await session.execute(
                    select(
                        CalendarEvent.event_id,
                        CalendarEvent.series_id,
                        CalendarEvent.start_at,
                        CalendarEvent.end_at,
                    ).where(
                        CalendarEvent.mentor_id == mentor_id,
                        CalendarEvent.calendar_id == calendar_id,
                    )
                )
            }
        ours = {
            event_id: row.series_id
            for event_id, row in placed.items()
            if series_for_event_id(event_id) == row.series_id
        }
        if result.full:
            present = {event.event_id for event in result.changed}
            gone = {event_id for event_id in ours if event_id not in present}
        else:
            gone = {event_id for event_id in result.deleted if event_id in ours}
        # Times other than the ones we last wrote: the mentor moved the event in Google.
        moved = {
            event.event_id: (event.start, event.end)
            for event in result.changed
            if event.event_id in ours
            and event.start is not None
            and placed[event.event_id].start_at is not None
            and (event.start, event.end)
            != (placed[event.event_id].start_at, placed[event.event_id].end_at)
        }
        warned: list[UUID] = []
        changed_series = [ours[e] for e in gone | moved.keys()]
        if changed_series:
            async with self.db.session() as session:
                live = (
                    await session.execute(
                        select(
                            BookingRow.id,
                            BookingRow.series_id,
                            BookingRow.start_at,
                            BookingRow.end_at,
                        ).where(
                            BookingRow.series_id.in_(changed_series),
                            BookingRow.mentor_id == mentor_id,
                            BookingRow.status == LIVE_STATUS,
                            BookingRow.end_at > started,
                        )
                    )
                ).all()
            for booking in live:
                event_id = event_id_for_series(booking.series_id)
                if event_id in gone:
                    kind, detail = "event_deleted", event_id
                elif moved[event_id] != (booking.start_at, booking.end_at):
                    # (Equal: our own update of a rescheduled booking, seen before we stored
                    # the times we wrote, is no move.) The detail is where it was moved to.
                    start, end = moved[event_id]
                    kind, detail = "event_moved", f"{start.isoformat()}/{end.isoformat()}"
                else:
                    continue
                if await self.links.warnings.open(mentor_id, kind, booking.id, detail=detail):
                    warned.append(booking.id)
        async with self.db.transaction() as session:
            await session.execute(
                update(CalendarConnection)
                .where(CalendarConnection.mentor_id == mentor_id)
                .values(sync_token=result.next_sync_token, synced_at=started, updated_at=started)
            )
            # A notification that arrived during this sync asks for another one.
            await session.execute(
                update(CalendarConnection)
                .where(
                    CalendarConnection.mentor_id == mentor_id,
                    CalendarConnection.sync_requested_at <= started,
                )
                .values(sync_requested_at=None)
            )
        if result.changed or result.deleted:
            # Events moved in the calendar that receives bookings: busy time moved too.
            with contextlib.suppress(*CALENDAR_FAILURES):
                await self.busy.refresh(mentor_id)
        return warned
