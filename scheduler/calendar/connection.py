"""Connecting a mentor's Google account: the OAuth flow's single-use state, the grant stored
sealed, the disconnect that forgets everything, and the connection's state for the mentor."""

from __future__ import annotations

import contextlib
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from uuid import UUID

from sqlalchemy import delete
from sqlalchemy.dialects.postgresql import insert as pg_insert

from scheduler.calendar.busy import BusyCache
from scheduler.calendar.calendars import ChosenCalendars
from scheduler.calendar.channels import Channels
from scheduler.calendar.events import release_waiting
from scheduler.calendar.link import CALENDAR_FAILURES, Links
from scheduler.calendar.models import (
    BusyFetchState,
    CalendarConnection,
    ConnectionState,
    OAuthState,
    WarningKind,
)
from scheduler.calendar.ports import CalendarUnavailable, GoogleTokens
from scheduler.calendar.warnings import CalendarWarningView, open_warnings, resolve_open

__all__ = ["ConnectionStatus", "Connections"]

log = logging.getLogger("thotis.calendar")

OAUTH_STATE_TTL = timedelta(minutes=15)


@dataclass(frozen=True, slots=True)
class ConnectionStatus:
    connected: bool
    email: str | None
    status: str | None  # "active", "reconnect_required", or None when not connected
    busy_calendar_ids: tuple[str, ...]
    events_calendar_id: str | None
    busy_fetched_at: datetime | None
    stale: bool  # the last refresh failed: slots use the last known busy time
    last_error: str | None
    warnings: tuple[CalendarWarningView, ...]


class Connections:
    def __init__(
        self, links: Links, busy: BusyCache, calendars: ChosenCalendars, channels: Channels
    ) -> None:
        self.links = links
        self.busy = busy
        self.calendars = calendars
        self.channels = channels
        self.db = links.db

    async def remember_state(self, mentor_id: UUID, state: str, code_verifier: str) -> None:
        """Keep a connect flow's ``state`` and PKCE verifier until the callback (single-use)."""
        now = self.links.clock()
        async with self.db.transaction() as session:
            await session.execute(delete(OAuthState).where(OAuthState.expires_at <= now))
            session.add(
                OAuthState(
                    state=state,
                    code_verifier=code_verifier,
                    mentor_id=mentor_id,
                    purpose="connect",
                    expires_at=now + OAUTH_STATE_TTL,
                )
            )

    async def take_state(self, state: str) -> tuple[UUID, str] | None:
        """The (mentor, verifier) of a pending flow, deleted as it is read: a replayed or
        expired state finds nothing."""
        async with self.db.transaction() as session:
            found = (
                await session.execute(
                    delete(OAuthState)
                    .where(OAuthState.state == state, OAuthState.purpose == "connect")
                    .returning(
                        OAuthState.mentor_id, OAuthState.code_verifier, OAuthState.expires_at
                    )
                )
            ).first()
        if found is None or found.expires_at <= self.links.clock():
            return None
        return found.mentor_id, found.code_verifier

    async def connect(self, mentor_id: UUID, tokens: GoogleTokens, email: str) -> None:
        """Store a new grant (sealed). A reconnect of the same account keeps the calendar
        choices; another account starts from its primary calendar."""
        now = self.links.clock()
        previous = await self.links.load(mentor_id)
        same_account = previous is not None and previous.email == email
        values: dict[str, object] = {
            "google_email": email,
            "sealed_tokens": self.links.seal(tokens),
            "status": ConnectionState.ACTIVE,
            "last_error": None,
            "sync_requested_at": now,
            "updated_at": now,
        }
        if not same_account:
            values |= {
                "busy_calendar_ids": [],
                "events_calendar_id": None,
                "sync_token": None,
                "channel_id": None,
                "channel_resource_id": None,
                "channel_token": None,
                "channel_expiration": None,
            }
        async with self.db.transaction() as session:
            await session.execute(
                pg_insert(CalendarConnection)
                .values(mentor_id=mentor_id, connected_at=now, **values)
                .on_conflict_do_update(index_elements=["mentor_id"], set_=values)
            )
            await resolve_open(session, mentor_id, now, WarningKind.RECONNECT_REQUIRED)
            await release_waiting(session, mentor_id, now)
        if previous is not None and not same_account:
            await self.busy.forget(mentor_id)
        if not same_account:
            await self.calendars.choose_defaults(mentor_id)
        with contextlib.suppress(*CALENDAR_FAILURES):
            await self.busy.refresh(mentor_id)

    async def disconnect(self, mentor_id: UUID) -> None:
        """Stop the channel, revoke the grant at Google (best effort: the mentor asked to be
        forgotten, Google being down must not keep the tokens here) and delete everything."""
        conn = await self.links.require(mentor_id)
        await self.channels.stop(conn)
        try:
            await self.links.provider.revoke(conn.tokens)
        except CalendarUnavailable as error:
            log.warning("revoke failed for mentor %s (%s); tokens deleted anyway", mentor_id, error)
        async with self.db.transaction() as session:
            await session.execute(
                delete(CalendarConnection).where(CalendarConnection.mentor_id == mentor_id)
            )
            await session.execute(delete(OAuthState).where(OAuthState.mentor_id == mentor_id))
            await resolve_open(session, mentor_id, self.links.clock())
        await self.busy.forget(mentor_id)

    async def status(self, mentor_id: UUID) -> ConnectionStatus:
        async with self.db.session() as session:
            row = await session.get(CalendarConnection, mentor_id)
            fetch = await session.get(BusyFetchState, mentor_id)
            warnings = await open_warnings(session, mentor_id)
        return ConnectionStatus(
            connected=row is not None,
            email=row.google_email if row else None,
            status=row.status if row else None,
            busy_calendar_ids=tuple(row.busy_calendar_ids) if row else (),
            events_calendar_id=row.events_calendar_id if row else None,
            busy_fetched_at=fetch.fetched_at if fetch else None,
            stale=bool(row is not None and (fetch is None or fetch.stale)),
            last_error=row.last_error if row else None,
            warnings=warnings,
        )
