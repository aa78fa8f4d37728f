"""Booking events in the mentor's calendar, written from the outbox: one event per booking
series (its id derived from the series), with its Meet link written back to the booking.

A delivery that meets a connection needing a reconnect raises ``ReconnectRequired``: the outbox
row waits (``scheduler.platform.outbox.RECONNECT_WAIT``) and ``release_waiting`` lets it go as
soon as the mentor connects again.
"""

from __future__ import annotations

import logging
from datetime import datetime
from uuid import UUID

from sqlalchemy import Text, cast, delete, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession

from scheduler import booking as bookings
from scheduler.booking import LIVE_STATUS, BookingRow
from scheduler.calendar.link import Links
from scheduler.calendar.models import CalendarConnection, CalendarEvent, ConnectionState
from scheduler.platform import NotFound, OutboxRow, ReconnectRequired, outbox

__all__ = ["CALENDAR_KINDS", "EventWriter", "has_event_calendar", "release_waiting"]

log = logging.getLogger("thotis.calendar")

CALENDAR_KINDS = (outbox.CALENDAR_UPSERT_EVENT, outbox.CALENDAR_CANCEL_EVENT)


class EventWriter:
    def __init__(self, links: Links) -> None:
        self.links = links
        self.db = links.db

    async def deliver_upsert(self, booking_id: UUID) -> None:
        """``calendar.upsert_event``: the series' one event, with its Meet link written back."""
        links = self.links
        async with self.db.session() as session:
            view = await bookings.load_booking_view(
                session,
                booking_id,
                links.settings.http.public_url,
                links.clock(),
                issue_manage_token=False,
                # The event carries the mentor's join link (never the visitor's address).
                secret_key=links.settings.secrets.secret_key,
            )
            placed = await session.get(CalendarEvent, view.series_id)
            placed_calendar = placed.calendar_id if placed else None
        if view.status != LIVE_STATUS:
            log.info("calendar upsert skipped for booking %s: %s", booking_id, view.status)
            return
        conn = await links.load(view.mentor_id)
        calendar_id = placed_calendar or (conn.events_calendar_id if conn else None)
        if conn is None or calendar_id is None:
            log.info("calendar upsert skipped for booking %s: no calendar connected", booking_id)
            return
        if conn.status != ConnectionState.ACTIVE:
            raise ReconnectRequired("the mentor's Google connection needs a reconnect")
        ref = await links.call(
            conn, lambda tokens: links.provider.upsert_event(tokens, calendar_id, view)
        )
        now = links.clock()
        async with self.db.transaction() as session:
            values = {
                "mentor_id": view.mentor_id,
                "calendar_id": calendar_id,
                "event_id": ref.event_id,
                "meet_url": ref.meet_url,
                "start_at": view.start,
                "end_at": view.end,
                "updated_at": now,
            }
            await session.execute(
                pg_insert(CalendarEvent)
                .values(series_id=view.series_id, **values)
                .on_conflict_do_update(index_elements=["series_id"], set_=values)
            )
        async with self.db.session() as session:
            await bookings.set_meeting_details(
                session, booking_id, meet_url=ref.meet_url, calendar_event_id=ref.event_id
            )

    async def deliver_cancel(self, booking_id: UUID) -> None:
        """``calendar.cancel_event``: delete the series' event where it was written."""
        links = self.links
        async with self.db.session() as session:
            row = (
                await session.execute(
                    select(BookingRow.series_id, BookingRow.mentor_id, BookingRow.status).where(
                        BookingRow.id == booking_id
                    )
                )
            ).first()
            if row is None:
                raise NotFound("no such booking")
            placed = await session.get(CalendarEvent, row.series_id)
            placed_calendar = placed.calendar_id if placed else None
        if row.status == LIVE_STATUS or placed_calendar is None:
            log.info("calendar cancel skipped for booking %s: no event to delete", booking_id)
            return
        conn = await links.load(row.mentor_id)
        if conn is None:
            log.info("calendar cancel skipped for booking %s: calendar disconnected", booking_id)
            return
        if conn.status != ConnectionState.ACTIVE:
            raise ReconnectRequired("the mentor's Google connection needs a reconnect")
        series_id: UUID = row.series_id
        await links.call(
            conn, lambda tokens: links.provider.cancel_event(tokens, placed_calendar, series_id)
        )
        async with self.db.transaction() as session:
            await session.execute(delete(CalendarEvent).where(CalendarEvent.series_id == series_id))


async def release_waiting(session: AsyncSession, mentor_id: UUID, now: datetime) -> None:
    """Event deliveries that waited for a reconnect go now, not in an hour."""
    await session.execute(
        update(OutboxRow)
        .where(
            OutboxRow.status == "pending",
            OutboxRow.kind.in_(CALENDAR_KINDS),
            OutboxRow.available_at > now,
            OutboxRow.payload["booking_id"].astext.in_(
                select(cast(BookingRow.id, Text)).where(BookingRow.mentor_id == mentor_id)
            ),
        )
        .values(available_at=now)
    )


async def has_event_calendar(session: AsyncSession, mentor_id: UUID) -> bool:
    """Whether the engine writes this mentor's bookings into a Google calendar of theirs."""
    found = await session.execute(
        select(CalendarConnection.mentor_id).where(
            CalendarConnection.mentor_id == mentor_id,
            CalendarConnection.status == ConnectionState.ACTIVE,
            CalendarConnection.events_calendar_id.is_not(None),
        )
    )
    return found.first() is not None
