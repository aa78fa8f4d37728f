"""The worker's calendar rounds: which mentors are due (busy refresh, sync, channel renewal), a
few at a time, and a failure for one mentor postpones that mentor only."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Sequence
from datetime import timedelta
from uuid import UUID

from sqlalchemy import select

from scheduler.calendar.busy import BusyCache
from scheduler.calendar.channels import CHANNEL_RENEW_MARGIN, Channels
from scheduler.calendar.link import CALENDAR_FAILURES, Links
from scheduler.calendar.models import BusyFetchState, CalendarConnection, ConnectionState
from scheduler.calendar.sync import SYNC_POLL, EventSync
from scheduler.platform import PermanentDeliveryError, ReconnectRequired

__all__ = ["CalendarRounds"]

log = logging.getLogger("thotis.calendar")


class CalendarRounds:
    def __init__(self, links: Links, busy: BusyCache, sync: EventSync, channels: Channels) -> None:
        self.links = links
        self.busy = busy
        self.sync = sync
        self.channels = channels
        self.db = links.db

    async def refresh_all_due(self, limit: int = 100, concurrency: int = 4) -> int:
        """Refresh the busy time of up to ``limit`` connected mentors whose cache is older than
        ``settings.worker.busy_refresh_minutes`` (oldest first). Returns how many are fresh now."""
        due_before = self.links.clock() - timedelta(
            minutes=self.links.settings.worker.busy_refresh_minutes
        )
        async with self.db.session() as session:
            mentors = (
                (
                    await session.execute(
                        select(CalendarConnection.mentor_id)
                        .outerjoin(
                            BusyFetchState, BusyFetchState.mentor_id == CalendarConnection.mentor_id
                        )
                        .where(
                            CalendarConnection.status == ConnectionState.ACTIVE,
                            (BusyFetchState.fetched_at.is_(None))
                            | (BusyFetchState.fetched_at < due_before),
                        )
                        .order_by(BusyFetchState.fetched_at.asc().nulls_first())
                        .limit(limit)
                    )
                )
                .scalars()
                .all()
            )
        return sum(await _bounded(concurrency, [self._refresh_quietly(m) for m in mentors]))

    async def _refresh_quietly(self, mentor_id: UUID) -> bool:
        try:
            return await self.busy.refresh(mentor_id)
        except (ReconnectRequired, PermanentDeliveryError) as error:
            log.info("busy refresh of mentor %s needs the mentor: %s", mentor_id, error)
            return False

    async def sync_due(self, limit: int = 100, concurrency: int = 4) -> int:
        """Sync the calendars a notification asked for, and poll the others every SYNC_POLL."""
        polled_before = self.links.clock() - SYNC_POLL
        async with self.db.session() as session:
            mentors = (
                (
                    await session.execute(
                        select(CalendarConnection.mentor_id)
                        .where(
                            CalendarConnection.status == ConnectionState.ACTIVE,
                            CalendarConnection.events_calendar_id.is_not(None),
                            CalendarConnection.sync_requested_at.is_not(None)
                            | CalendarConnection.synced_at.is_(None)
                            | (CalendarConnection.synced_at < polled_before),
                        )
                        .order_by(CalendarConnection.sync_requested_at.asc().nulls_last())
                        .limit(limit)
                    )
                )
                .scalars()
                .all()
            )

        async def quietly(mentor_id: UUID) -> bool:
            try:
                await self.sync.sync(mentor_id)
            except CALENDAR_FAILURES as error:
                log.info("sync of mentor %s postponed: %s", mentor_id, error)
                return False
            return True

        return sum(await _bounded(concurrency, [quietly(m) for m in mentors]))

    async def renew_channels(self, limit: int = 100) -> int:
        """Open a watch channel where there is none, and renew those about to lapse (a new one
        first, then the old one is stopped, so no change goes unnoticed)."""
        address = self.channels.push_address()
        if address is None:
            return 0
        renew_before = self.links.clock() + CHANNEL_RENEW_MARGIN
        async with self.db.session() as session:
            mentors = (
                (
                    await session.execute(
                        select(CalendarConnection.mentor_id)
                        .where(
                            CalendarConnection.status == ConnectionState.ACTIVE,
                            CalendarConnection.events_calendar_id.is_not(None),
                            CalendarConnection.channel_id.is_(None)
                            | (CalendarConnection.channel_expiration <= renew_before),
                        )
                        .limit(limit)
                    )
                )
                .scalars()
                .all()
            )
        renewed = 0
        for mentor_id in mentors:
            try:
                await self.channels.renew(mentor_id, address)
            except CALENDAR_FAILURES as error:
                log.info("watch channel of mentor %s not renewed: %s", mentor_id, error)
            else:
                renewed += 1
        return renewed


async def _bounded(concurrency: int, jobs: Sequence[Awaitable[bool]]) -> list[bool]:
    gate = asyncio.Semaphore(max(1, concurrency))

    async def one(job: Awaitable[bool]) -> bool:
        async with gate:
            return await job

    return list(await asyncio.gather(*(one(job) for job in jobs)))
