"""A mentor's link to Google as the other calendar modules use it: a snapshot of the connection
row with its tokens opened, and the one way to call the provider with it.

Every provider answer may carry refreshed tokens: ``Links.call`` seals and stores them at once.
``ReconnectRequired`` marks the connection, flags the busy cache stale and leaves an open
warning for the mentor space before it goes on to the caller.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TypeVar
from uuid import UUID

from sqlalchemy import update
from sqlalchemy.dialects.postgresql import insert as pg_insert

from scheduler.calendar.models import (
    BusyFetchState,
    CalendarConnection,
    ConnectionState,
    WarningKind,
)
from scheduler.calendar.ports import (
    CalendarProvider,
    CalendarResult,
    CalendarUnavailable,
    GoogleTokens,
    WatchChannel,
)
from scheduler.calendar.secrets import SecretBox, open_tokens, seal_tokens
from scheduler.calendar.warnings import Warnings
from scheduler.platform import (
    Clock,
    Database,
    NotFound,
    PermanentDeliveryError,
    ReconnectRequired,
    Settings,
)

__all__ = ["CALENDAR_FAILURES", "MAX_ERROR", "LinkedAccount", "Links"]

log = logging.getLogger("thotis.calendar")
T = TypeVar("T")

# What ``Links.call`` may raise that is nobody's bug: Google down (retry later), a grant to renew
# (the mentor reconnects), a request Google refuses (``CalendarNotFound``). A caller for whom the
# call is a bonus (a refresh after a change, a channel stop, one mentor of a round) catches these.
CALENDAR_FAILURES: tuple[type[Exception], ...] = (
    CalendarUnavailable,
    ReconnectRequired,
    PermanentDeliveryError,
)

# Errors are kept for the mentor space, not for debugging: a line is enough.
MAX_ERROR = 500


@dataclass(slots=True)
class LinkedAccount:
    """A snapshot of one connection row, tokens opened. Not frozen: ``tokens`` follows the
    refreshes made while it is in use, so consecutive calls reuse the new access token."""

    mentor_id: UUID
    email: str
    tokens: GoogleTokens
    status: str
    busy_calendar_ids: tuple[str, ...]
    events_calendar_id: str | None
    sync_token: str | None
    channel: WatchChannel | None


class Links:
    def __init__(
        self,
        db: Database,
        provider: CalendarProvider,
        settings: Settings,
        warnings: Warnings,
        clock: Clock,
    ) -> None:
        self.db = db
        self.provider = provider
        self.settings = settings
        self.warnings = warnings
        self.clock = clock
        self._box = SecretBox(settings.secrets)

    def seal(self, tokens: GoogleTokens) -> str:
        return seal_tokens(self._box, tokens)

    async def load(self, mentor_id: UUID) -> LinkedAccount | None:
        async with self.db.session() as session:
            row = await session.get(CalendarConnection, mentor_id)
        if row is None:
            return None
        channel = None
        if row.channel_id and row.channel_resource_id and row.channel_token:
            channel = WatchChannel(
                id=row.channel_id,
                resource_id=row.channel_resource_id,
                calendar_id=row.events_calendar_id or "",
                token=row.channel_token,
                expiration=row.channel_expiration or self.clock(),
            )
        return LinkedAccount(
            mentor_id=row.mentor_id,
            email=row.google_email,
            tokens=open_tokens(self._box, row.sealed_tokens),
            status=row.status,
            busy_calendar_ids=tuple(row.busy_calendar_ids),
            events_calendar_id=row.events_calendar_id,
            sync_token=row.sync_token,
            channel=channel,
        )

    async def require(self, mentor_id: UUID) -> LinkedAccount:
        conn = await self.load(mentor_id)
        if conn is None:
            raise NotFound("no Google Calendar connection")
        return conn

    async def call(
        self, conn: LinkedAccount, call: Callable[[GoogleTokens], Awaitable[CalendarResult[T]]]
    ) -> T:
        try:
            result = await call(conn.tokens)
        except ReconnectRequired as error:
            await self.needs_reconnect(conn.mentor_id, str(error))
            raise
        if result.refreshed is not None:
            conn.tokens = result.refreshed
            await self.update(conn.mentor_id, sealed_tokens=self.seal(result.refreshed))
        return result.value

    async def update(self, mentor_id: UUID, **values: object) -> None:
        async with self.db.transaction() as session:
            await session.execute(
                update(CalendarConnection)
                .where(CalendarConnection.mentor_id == mentor_id)
                .values(updated_at=self.clock(), **values)
            )

    async def needs_reconnect(self, mentor_id: UUID, error: str) -> None:
        log.warning("calendar connection of mentor %s needs a reconnect", mentor_id)
        await self.update(
            mentor_id, status=ConnectionState.RECONNECT_REQUIRED, last_error=error[:MAX_ERROR]
        )
        await self.mark_stale(mentor_id)
        await self.warnings.open(mentor_id, WarningKind.RECONNECT_REQUIRED)

    async def mark_stale(self, mentor_id: UUID) -> None:
        async with self.db.transaction() as session:
            await session.execute(
                pg_insert(BusyFetchState)
                .values(mentor_id=mentor_id, fetched_at=None, stale=True)
                .on_conflict_do_update(index_elements=["mentor_id"], set_={"stale": True})
            )
