"""Mentors' calendar connections as the shells see them: one ``CalendarService`` composed of the
parts, each a module of its own:

* ``link``        the connection snapshot and the provider call (tokens refreshed and stored)
* ``connection``  connect (OAuth state, the grant), disconnect, the connection's state
* ``calendars``   which calendars count as busy and which one receives the events
* ``busy``        the busy cache and its refresh; the booking-time re-check (``BusyCheck``)
* ``events``      booking events written from the outbox
* ``sync``        what the mentor changed in Google; ``channels`` the push that asks for it
* ``warnings``    what the mentor space shows
* ``jobs``        the worker's rounds over the mentors that are due

No database transaction stays open while Google is called: read a snapshot, call, write. The
calendar itself is a ``CalendarProvider`` passed in (Google in production, the same adapter
against a fake Google in tests).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from uuid import UUID

from availability import Interval
from scheduler.calendar.busy import BusyCache, BusyRecheck
from scheduler.calendar.calendars import ChosenCalendars
from scheduler.calendar.channels import Channels
from scheduler.calendar.connection import Connections, ConnectionStatus
from scheduler.calendar.events import EventWriter
from scheduler.calendar.jobs import CalendarRounds
from scheduler.calendar.link import Links
from scheduler.calendar.ports import CalendarInfo, CalendarProvider, GoogleTokens
from scheduler.calendar.sync import EventSync
from scheduler.calendar.warnings import Warnings
from scheduler.platform import Clock, Database, PeriodicJob, Settings, outbox, system_clock

__all__ = ["CalendarService", "calendar_handlers", "calendar_jobs"]


class CalendarService:
    """One deployment's calendar connections.

    ``check_provider`` serves the booking-time re-check (short timeout, few retries: a visitor
    is waiting); it defaults to ``provider``.
    """

    def __init__(
        self,
        db: Database,
        provider: CalendarProvider,
        settings: Settings,
        *,
        check_provider: CalendarProvider | None = None,
        clock: Clock = system_clock,
    ) -> None:
        self.clock = clock
        self.warnings = Warnings(db, clock)
        links = Links(db, provider, settings, self.warnings, clock)
        self.busy = BusyCache(links)
        self.recheck = BusyRecheck(links, check_provider or provider)
        self.channels = Channels(links)
        self.calendars = ChosenCalendars(links, self.busy, self.channels)
        self.connections = Connections(links, self.busy, self.calendars, self.channels)
        self.events = EventWriter(links)
        self.event_sync = EventSync(links, self.busy)
        self.rounds = CalendarRounds(links, self.busy, self.event_sync, self.channels)

    # --- the mentor's connection (api.google, the mentor space) ------------------------------
    async def remember_state(self, mentor_id: UUID, state: str, code_verifier: str) -> None:
        await self.connections.remember_state(mentor_id, state, code_verifier)

    async def take_state(self, state: str) -> tuple[UUID, str] | None:
        return await self.connections.take_state(state)

    async def connect(self, mentor_id: UUID, tokens: GoogleTokens, email: str) -> None:
        await self.connections.connect(mentor_id, tokens, email)

    async def disconnect(self, mentor_id: UUID) -> None:
        await self.connections.disconnect(mentor_id)

    async def status(self, mentor_id: UUID) -> ConnectionStatus:
        return await self.connections.status(mentor_id)

    async def list_calendars(self, mentor_id: UUID) -> tuple[CalendarInfo, ...]:
        return await self.calendars.list_calendars(mentor_id)

    async def choose_calendars(
        self, mentor_id: UUID, busy: Sequence[str], events: str | None
    ) -> None:
        await self.calendars.choose_calendars(mentor_id, busy, events)

    async def resolve_warning(self, mentor_id: UUID, warning_id: int) -> None:
        await self.warnings.resolve(mentor_id, warning_id)

    async def note_push(self, channel_id: str, resource_id: str, token: str | None) -> bool:
        return await self.channels.note_push(channel_id, resource_id, token)

    # --- busy time ----------------------------------------------------------------------------
    async def refresh_busy(self, mentor_id: UUID) -> bool:
        return await self.busy.refresh(mentor_id)

    async def fresh_busy(
        self, mentor_id: UUID, start: datetime, end: datetime
    ) -> list[Interval] | None:
        """``BusyCheck`` for the booking routes."""
        return await self.recheck.fresh_busy(mentor_id, start, end)

    # --- the worker ---------------------------------------------------------------------------
    async def deliver_upsert(self, booking_id: UUID) -> None:
        await self.events.deliver_upsert(booking_id)

    async def deliver_cancel(self, booking_id: UUID) -> None:
        await self.events.deliver_cancel(booking_id)

    async def sync(self, mentor_id: UUID) -> list[UUID]:
        return await self.event_sync.sync(mentor_id)

    async def refresh_all_due(self, limit: int = 100, concurrency: int = 4) -> int:
        return await self.rounds.refresh_all_due(limit, concurrency)

    async def sync_due(self, limit: int = 100, concurrency: int = 4) -> int:
        return await self.rounds.sync_due(limit, concurrency)

    async def renew_channels(self, limit: int = 100) -> int:
        return await self.rounds.renew_channels(limit)


# --- for the composition root ------------------------------------------------------------------


def calendar_handlers(service: CalendarService) -> dict[str, outbox.Handler]:
    """The outbox handlers of the two calendar kinds."""

    async def upsert(message: outbox.OutboxMessage) -> None:
        await service.deliver_upsert(UUID(str(message.payload["booking_id"])))

    async def cancel(message: outbox.OutboxMessage) -> None:
        await service.deliver_cancel(UUID(str(message.payload["booking_id"])))

    return {outbox.CALENDAR_UPSERT_EVENT: upsert, outbox.CALENDAR_CANCEL_EVENT: cancel}


def calendar_jobs(service: CalendarService) -> list[PeriodicJob]:
    """The worker's calendar clock: busy refresh and sync every minute (each picks only what
    is due), channel renewal hourly."""

    async def refresh() -> None:
        await service.refresh_all_due()

    async def sync() -> None:
        await service.sync_due()

    async def channels() -> None:
        await service.renew_channels()

    return [
        PeriodicJob("calendar-busy", refresh, timedelta(minutes=1)),
        PeriodicJob("calendar-sync", sync, timedelta(minutes=1)),
        PeriodicJob("calendar-channels", channels, timedelta(hours=1)),
    ]
