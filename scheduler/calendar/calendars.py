"""Which of the mentor's calendars count as busy time, and which one receives the booking
events: the primary calendar for both until the mentor chooses otherwise."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Sequence
from uuid import UUID

from scheduler.calendar.busy import BusyCache
from scheduler.calendar.channels import Channels
from scheduler.calendar.link import CALENDAR_FAILURES, Links
from scheduler.calendar.models import WarningKind
from scheduler.calendar.ports import CalendarInfo
from scheduler.calendar.warnings import resolve_open
from scheduler.platform import ValidationFailed

__all__ = ["ChosenCalendars"]

log = logging.getLogger("thotis.calendar")


class ChosenCalendars:
    def __init__(self, links: Links, busy: BusyCache, channels: Channels) -> None:
        self.links = links
        self.busy = busy
        self.channels = channels
        self.db = links.db

    async def choose_defaults(self, mentor_id: UUID) -> None:
        """The primary calendar counts as busy and receives the events until the mentor
        chooses otherwise."""
        try:
            calendars = await self.list_calendars(mentor_id)
        except CALENDAR_FAILURES as error:
            log.info("calendar defaults for mentor %s postponed: %s", mentor_id, error)
            return
        primary = next((c for c in calendars if c.primary), None)
        if primary is None:
            return
        await self.links.update(
            mentor_id,
            busy_calendar_ids=[primary.id],
            events_calendar_id=primary.id if primary.can_receive_events else None,
        )

    async def list_calendars(self, mentor_id: UUID) -> tuple[CalendarInfo, ...]:
        conn = await self.links.require(mentor_id)
        return await self.links.call(conn, self.links.provider.list_calendars)

    async def choose_calendars(
        self, mentor_id: UUID, busy: Sequence[str], events: str | None
    ) -> None:
        """Which calendars count as busy, and which one receives the booking events."""
        links = self.links
        if isinstance(busy, str):
            raise ValidationFailed("busy: a list of calendar ids")
        busy = list(dict.fromkeys(busy))
        conn = await links.require(mentor_id)
        calendars = {c.id: c for c in await links.call(conn, links.provider.list_calendars)}
        unknown = [calendar_id for calendar_id in busy if calendar_id not in calendars]
        if unknown:
            raise ValidationFailed(f"busy: unknown calendars {', '.join(unknown)}")
        if events is not None:
            chosen = calendars.get(events)
            if chosen is None:
                raise ValidationFailed(f"events: unknown calendar {events}")
            if not chosen.can_receive_events:
                raise ValidationFailed(f"events: the calendar {events} is not one you own")
        values: dict[str, object] = {"busy_calendar_ids": busy, "events_calendar_id": events}
        if events != conn.events_calendar_id:
            # Another calendar: its own sync history and its own channel.
            await self.channels.stop(conn)
            values |= {"sync_token": None, "sync_requested_at": links.clock()}
        await links.update(mentor_id, **values)
        async with self.db.transaction() as session:
            await resolve_open(session, mentor_id, links.clock(), WarningKind.CALENDAR_MISSING)
        with contextlib.suppress(*CALENDAR_FAILURES):
            await self.busy.refresh(mentor_id)
