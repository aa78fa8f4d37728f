"""Sync: what changed in the events calendar since the last look (incremental with the stored
sync token, a full listing when it expired).

A booking's event deleted or moved by the mentor in Google is a warning, never a cancellation:
the booking stands, at its own time. ``find_changes`` decides what changed from the listing and
from where the engine last wrote its events; it reads no database and calls no one.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from uuid import UUID

from sqlalchemy import select, update

from scheduler.booking import LIVE_STATUS, BookingRow
from scheduler.calendar.busy import BusyCache
from scheduler.calendar.link import CALENDAR_FAILURES, LinkedAccount, Links
from scheduler.calendar.models import (
    CalendarConnection,
    CalendarEvent,
    ConnectionState,
    WarningKind,
)
from scheduler.calendar.ports import (
    CalendarResult,
    GoogleTokens,
    SyncResult,
    event_id_for_series,
    series_for_event_id,
)

__all__ = ["SYNC_POLL", "EventChanges", "EventSync", "Move", "PlacedEvent", "find_changes"]

log = logging.getLogger("thotis.calendar")

# Polling when no push arrives (no public HTTPS address, or a lost notification).
SYNC_POLL = timedelta(minutes=15)
# A full listing looks this far back: an event that ended earlier no longer matters.
FULL_SYNC_LOOKBACK = timedelta(days=1)


@dataclass(frozen=True, slots=True)
class PlacedEvent:
    """Where the engine last wrote a series' event."""

    series_id: UUID
    start: datetime | None  # None: written before the engine kept the times
    end: datetime | None


@dataclass(frozen=True, slots=True)
class Move:
    """Where the mentor moved an engine event. Google may give an end without a time of day
    (``end`` None): it says nothing about where the event is, so only the start counts then."""

    series_id: UUID
    start: datetime
    end: datetime | None

    def differs_from(self, start: datetime | None, end: datetime | None) -> bool:
        return self.start != start or (self.end is not None and self.end != end)

    @property
    def detail(self) -> str:
        """The warning's detail, read back by ``CalendarWarningView.moved_to``."""
        if self.end is None:
            return self.start.isoformat()
        return f"{self.start.isoformat()}/{self.end.isoformat()}"


@dataclass(frozen=True, slots=True)
class EventChanges:
    gone: Mapping[str, UUID]  # event id -> series
    moved: Mapping[str, Move]  # event id -> where to

    @property
    def series(self) -> set[UUID]:
        return {*self.gone.values(), *(move.series_id for move in self.moved.values())}


def find_changes(result: SyncResult, placed: Mapping[str, PlacedEvent]) -> EventChanges:
    """The engine's events that a listing shows deleted, or at other times than the ones last
    written. An event id that is not the one derived from its series is not ours."""
    ours = {
        event_id: event.series_id
        for event_id, event in placed.items()
        if series_for_event_id(event_id) == event.series_id
    }
    if result.full:
        present = {event.event_id for event in result.changed}
        gone = {event_id: series for event_id, series in ours.items() if event_id not in present}
    else:
        gone = {event_id: ours[event_id] for event_id in result.deleted if event_id in ours}
    moved: dict[str, Move] = {}
    for event in result.changed:
        if event.event_id not in ours or event.start is None:
            continue
        written = placed[event.event_id]
        move = Move(written.series_id, event.start, event.end)
        if written.start is not None and move.differs_from(written.start, written.end):
            moved[event.event_id] = move
    return EventChanges(gone, moved)


class EventSync:
    def __init__(self, links: Links, busy: BusyCache) -> None:
        self.links = links
        self.busy = busy
        self.db = links.db

    async def sync(self, mentor_id: UUID) -> list[UUID]:
        """Read what changed in the events calendar. Returns the live bookings whose event the
        mentor deleted or moved (each reported once as an ``event_deleted`` or ``event_moved``
        warning; the booking stands, at its own time)."""
        conn = await self.links.load(mentor_id)
        if conn is None or conn.status != ConnectionState.ACTIVE or conn.events_calendar_id is None:
            return []
        calendar_id = conn.events_calendar_id
        started = self.links.clock()
        result = await self._listing(conn, calendar_id, started - FULL_SYNC_LOOKBACK)
        changes = find_changes(result, await self._placed(mentor_id, calendar_id))
        warned = await self._warn(mentor_id, changes, started)
        await self._synced(mentor_id, result.next_sync_token, started)
        if result.changed or result.deleted:
            # Events moved in the calendar that receives bookings: busy time moved too.
            with contextlib.suppress(*CALENDAR_FAILURES):
                await self.busy.refresh(mentor_id)
        return warned

    async def _listing(self, conn: LinkedAccount, calendar_id: str, since: datetime) -> SyncResult:
        """Incremental with the stored sync token; a full listing from ``since`` when there is
        none or it expired."""

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
            log.info("sync token of mentor %s expired: full resync", conn.mentor_id)
            result = await self.links.call(conn, listing(None))
        return result

    async def _placed(self, mentor_id: UUID, calendar_id: str) -> dict[str, PlacedEvent]:
        async with self.db.session() as session:
            rows = await session.execute(
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
            return {
                row.event_id: PlacedEvent(row.series_id, row.start_at, row.end_at) for row in rows
            }

    async def _warn(self, mentor_id: UUID, changes: EventChanges, now: datetime) -> list[UUID]:
        """One warning per live booking whose event changed; the bookings newly warned."""
        series = changes.series
        if not series:
            return []
        async with self.db.session() as session:
            live = (
                await session.execute(
                    select(
                        BookingRow.id,
                        BookingRow.series_id,
                        BookingRow.start_at,
                        BookingRow.end_at,
                    ).where(
                        BookingRow.series_id.in_(series),
                        BookingRow.mentor_id == mentor_id,
                        BookingRow.status == LIVE_STATUS,
                        BookingRow.end_at > now,
                    )
                )
            ).all()
        warned: list[UUID] = []
        for booking in live:
            event_id = event_id_for_series(booking.series_id)
            move = changes.moved.get(event_id)
            if event_id in changes.gone:
                kind, detail = WarningKind.EVENT_DELETED, event_id
            elif move is not None and move.differs_from(booking.start_at, booking.end_at):
                # (Equal: our own update of a rescheduled booking, seen before we stored the
                # times we wrote, is no move.)
                kind, detail = WarningKind.EVENT_MOVED, move.detail
            else:
                continue
            if await self.links.warnings.open(mentor_id, kind, booking.id, detail=detail):
                warned.append(booking.id)
        return warned

    async def _synced(self, mentor_id: UUID, sync_token: str | None, started: datetime) -> None:
        async with self.db.transaction() as session:
            await session.execute(
                update(CalendarConnection)
                .where(CalendarConnection.mentor_id == mentor_id)
                .values(sync_token=sync_token, synced_at=started, updated_at=started)
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
