"""Mentors' calendar connections: connect, choose calendars, cached busy time, the booking-time
re-check, events from the outbox, sync and push. The calendar itself is a ``CalendarProvider``
passed in (Google in production, the same adapter against a fake Google in tests).

Rules this module keeps:

* No database transaction stays open while Google is called: read a snapshot, call, write.
* Every provider answer may carry refreshed tokens: they are sealed and stored at once.
* ``ReconnectRequired`` marks the connection and leaves an open warning for the mentor space;
  the outbox row that hit it waits (``scheduler.outbox.RECONNECT_WAIT``) and is released as soon
  as the mentor connects again.
* ``CalendarUnavailable`` never reaches a visitor: busy time keeps its last known value with
  ``busy_fetch_state.stale`` set, and the booking-time check answers ``None`` (use the cache).
* A booking's event deleted by the mentor in Google is a warning, never a cancellation.
"""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import logging
import secrets
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TypeVar
from uuid import UUID

from sqlalchemy import Text, cast, delete, insert, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession

from availability import Interval
from scheduler import booking as bookings
from scheduler.booking import LIVE_STATUS, BookingRow
from scheduler.calendar.models import (
    BusyFetchState,
    CalendarConnection,
    CalendarEvent,
    CalendarWarning,
    OAuthState,
)
from scheduler.calendar.ports import (
    CalendarInfo,
    CalendarNotFound,
    CalendarProvider,
    CalendarResult,
    CalendarUnavailable,
    GoogleTokens,
    SyncResult,
    WatchChannel,
    event_id_for_series,
    series_for_event_id,
)
from scheduler.calendar.secrets import SecretBox, open_tokens, seal_tokens
from scheduler.catalog import PolicyRow
from scheduler.platform import (
    Database,
    NotFound,
    OutboxRow,
    PeriodicJob,
    PermanentDeliveryError,
    ReconnectRequired,
    Settings,
    ValidationFailed,
    outbox,
)
from scheduler.schedules import ExternalBusy

__all__ = [
    "NOTIFICATIONS_PATH",
    "CalendarService",
    "CalendarWarningView",
    "ConnectionStatus",
    "calendar_handlers",
    "calendar_jobs",
]

log = logging.getLogger("thotis.calendar")
T = TypeVar("T")
Clock = Callable[[], datetime]

GOOGLE_SOURCE = "google"
OAUTH_STATE_TTL = timedelta(minutes=15)
DEFAULT_HORIZON_DAYS = 30
# Busy time is fetched a little past the horizon: a slot at the horizon's edge has buffers.
HORIZON_MARGIN = timedelta(days=1)
CHANNEL_TTL = timedelta(days=7)
CHANNEL_RENEW_MARGIN = timedelta(days=1)
# Polling when no push arrives (no public HTTPS address, or a lost notification).
SYNC_POLL = timedelta(minutes=15)
# A full listing looks this far back: an event that ended earlier no longer matters.
FULL_SYNC_LOOKBACK = timedelta(days=1)
NOTIFICATIONS_PATH = "/v1/google/notifications"
CALENDAR_KINDS = (outbox.CALENDAR_UPSERT_EVENT, outbox.CALENDAR_CANCEL_EVENT)
_MAX_ERROR = 500


def _utcnow() -> datetime:
    return datetime.now(UTC)


@dataclass(slots=True)
class _Connection:
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


@dataclass(frozen=True, slots=True)
class CalendarWarningView:
    id: int
    kind: str
    booking_id: UUID | None
    detail: str | None
    at: datetime

    @property
    def moved_to(self) -> datetime | None:
        """Where the mentor moved the event in Google (``event_moved``), else None."""
        if self.kind != "event_moved" or not self.detail:
            return None
        return datetime.fromisoformat(self.detail.split("/")[0])


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
        clock: Clock = _utcnow,
    ) -> None:
        self.db = db
        self.provider = provider
        self.check_provider = check_provider or provider
        self.settings = settings
        self.clock = clock
        self._box = SecretBox(settings)

    # --- plumbing -----------------------------------------------------------------------------
    async def _load(self, mentor_id: UUID) -> _Connection | None:
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
        return _Connection(
            mentor_id=row.mentor_id,
            email=row.google_email,
            tokens=open_tokens(self._box, row.sealed_tokens),
            status=row.status,
            busy_calendar_ids=tuple(row.busy_calendar_ids),
            events_calendar_id=row.events_calendar_id,
            sync_token=row.sync_token,
            channel=channel,
        )

    async def _call(
        self, conn: _Connection, call: Callable[[GoogleTokens], Awaitable[CalendarResult[T]]]
    ) -> T:
        try:
            result = await call(conn.tokens)
        except ReconnectRequired as error:
            await self._needs_reconnect(conn.mentor_id, str(error))
            raise
        if result.refreshed is not None:
            conn.tokens = result.refreshed
            await self._update(
                conn.mentor_id, sealed_tokens=seal_tokens(self._box, result.refreshed)
            )
        return result.value

    async def _update(self, mentor_id: UUID, **values: object) -> None:
        async with self.db.transaction() as session:
            await session.execute(
                update(CalendarConnection)
                .where(CalendarConnection.mentor_id == mentor_id)
                .values(updated_at=self.clock(), **values)
            )

    async def _warn(
        self, mentor_id: UUID, kind: str, booking_id: UUID | None = None, detail: str | None = None
    ) -> bool:
        """Open a warning unless the same one is open already. True when one was opened."""
        async with self.db.transaction() as session:
            # The connection row (when there is one) serialises writers of one mentor's warnings.
            await session.execute(
                select(CalendarConnection.mentor_id)
                .where(CalendarConnection.mentor_id == mentor_id)
                .with_for_update()
            )
            same = select(CalendarWarning.id).where(
                CalendarWarning.mentor_id == mentor_id,
                CalendarWarning.kind == kind,
                CalendarWarning.resolved_at.is_(None),
                CalendarWarning.booking_id.is_(None)
                if booking_id is None
                else CalendarWarning.booking_id == booking_id,
            )
            if (await session.execute(same)).first() is not None:
                return False
            session.add(
                CalendarWarning(
                    mentor_id=mentor_id,
                    kind=kind,
                    booking_id=booking_id,
                    detail=detail,
                    at=self.clock(),
                )
            )
        return True

    async def _needs_reconnect(self, mentor_id: UUID, error: str) -> None:
        log.warning("calendar connection of mentor %s needs a reconnect", mentor_id)
        await self._update(mentor_id, status="reconnect_required", last_error=error[:_MAX_ERROR])
        await self._mark_stale(mentor_id)
        await self._warn(mentor_id, "reconnect_required")

    async def _mark_stale(self, mentor_id: UUID) -> None:
        async with self.db.transaction() as session:
            await session.execute(
                pg_insert(BusyFetchState)
                .values(mentor_id=mentor_id, fetched_at=None, stale=True)
                .on_conflict_do_update(index_elements=["mentor_id"], set_={"stale": True})
            )

    # --- connecting ---------------------------------------------------------------------------
    async def remember_state(self, mentor_id: UUID, state: str, code_verifier: str) -> None:
        """Keep a connect flow's ``state`` and PKCE verifier until the callback (single-use)."""
        now = self.clock()
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
        if found is None or found.expires_at <= self.clock():
            return None
        return found.mentor_id, found.code_verifier

    async def connect(self, mentor_id: UUID, tokens: GoogleTokens, email: str) -> None:
        """Store a new grant (sealed). A reconnect of the same account keeps the calendar
        choices; another account starts from its primary calendar."""
        now = self.clock()
        previous = await self._load(mentor_id)
        same_account = previous is not None and previous.email == email
        values: dict[str, object] = {
            "google_email": email,
            "sealed_tokens": seal_tokens(self._box, tokens),
            "status": "active",
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
            await session.execute(
                update(CalendarWarning)
                .where(
                    CalendarWarning.mentor_id == mentor_id,
                    CalendarWarning.kind == "reconnect_required",
                    CalendarWarning.resolved_at.is_(None),
                )
                .values(resolved_at=now)
            )
            # Event deliveries that waited for this reconnect go now, not in an hour.
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
        if previous is not None and not same_account:
            await self._forget_busy(mentor_id)
        if not same_account:
            await self._choose_defaults(mentor_id)
        with contextlib.suppress(CalendarUnavailable, ReconnectRequired, PermanentDeliveryError):
            await self.refresh_busy(mentor_id)

    async def _choose_defaults(self, mentor_id: UUID) -> None:
        """The primary calendar counts as busy and receives the events until the mentor
        chooses otherwise."""
        try:
            calendars = await self.list_calendars(mentor_id)
        except (CalendarUnavailable, PermanentDeliveryError, ReconnectRequired) as error:
            log.info("calendar defaults for mentor %s postponed: %s", mentor_id, error)
            return
        primary = next((c for c in calendars if c.primary), None)
        if primary is None:
            return
        await self._update(
            mentor_id,
            busy_calendar_ids=[primary.id],
            events_calendar_id=primary.id if primary.can_receive_events else None,
        )

    async def list_calendars(self, mentor_id: UUID) -> tuple[CalendarInfo, ...]:
        conn = await self._require(mentor_id)
        return await self._call(conn, self.provider.list_calendars)

    async def choose_calendars(
        self, mentor_id: UUID, busy: Sequence[str], events: str | None
    ) -> None:
        """Which calendars count as busy, and which one receives the booking events."""
        if isinstance(busy, str):
            raise ValidationFailed("busy: a list of calendar ids")
        busy = list(dict.fromkeys(busy))
        conn = await self._require(mentor_id)
        calendars = {c.id: c for c in await self._call(conn, self.provider.list_calendars)}
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
            await self._stop_channel(conn)
            values |= {"sync_token": None, "sync_requested_at": self.clock()}
        await self._update(mentor_id, **values)
        async with self.db.transaction() as session:
            await session.execute(
                update(CalendarWarning)
                .where(
                    CalendarWarning.mentor_id == mentor_id,
                    CalendarWarning.kind == "calendar_missing",
                    CalendarWarning.resolved_at.is_(None),
                )
                .values(resolved_at=self.clock())
            )
        with contextlib.suppress(CalendarUnavailable, ReconnectRequired, PermanentDeliveryError):
            await self.refresh_busy(mentor_id)

    async def disconnect(self, mentor_id: UUID) -> None:
        """Stop the channel, revoke the grant at Google (best effort: the mentor asked to be
        forgotten, Google being down must not keep the tokens here) and delete everything."""
        conn = await self._require(mentor_id)
        await self._stop_channel(conn)
        try:
            await self.provider.revoke(conn.tokens)
        except CalendarUnavailable as error:
            log.warning("revoke failed for mentor %s (%s); tokens deleted anyway", mentor_id, error)
        async with self.db.transaction() as session:
            await session.execute(
                delete(CalendarConnection).where(CalendarConnection.mentor_id == mentor_id)
            )
            await session.execute(delete(OAuthState).where(OAuthState.mentor_id == mentor_id))
            await session.execute(
                update(CalendarWarning)
                .where(
                    CalendarWarning.mentor_id == mentor_id, CalendarWarning.resolved_at.is_(None)
                )
                .values(resolved_at=self.clock())
            )
        await self._forget_busy(mentor_id)

    async def _forget_busy(self, mentor_id: UUID) -> None:
        async with self.db.transaction() as session:
            await session.execute(
                delete(ExternalBusy).where(
                    ExternalBusy.mentor_id == mentor_id, ExternalBusy.source == GOOGLE_SOURCE
                )
            )
            await session.execute(
                delete(BusyFetchState).where(BusyFetchState.mentor_id == mentor_id)
            )

    async def _require(self, mentor_id: UUID) -> _Connection:
        conn = await self._load(mentor_id)
        if conn is None:
            raise NotFound("no Google Calendar connection")
        return conn

    async def status(self, mentor_id: UUID) -> ConnectionStatus:
        async with self.db.session() as session:
            row = await session.get(CalendarConnection, mentor_id)
            fetch = await session.get(BusyFetchState, mentor_id)
            warnings = (
                await session.execute(
                    select(CalendarWarning)
                    .where(
                        CalendarWarning.mentor_id == mentor_id,
                        CalendarWarning.resolved_at.is_(None),
                    )
                    .order_by(CalendarWarning.at, CalendarWarning.id)
                )
            ).scalars()
            open_warnings = tuple(
                CalendarWarningView(w.id, w.kind, w.booking_id, w.detail, w.at) for w in warnings
            )
        return ConnectionStatus(
            connected=row is not None,
            email=row.google_email if row else None,
            status=row.status if row else None,
            busy_calendar_ids=tuple(row.busy_calendar_ids) if row else (),
            events_calendar_id=row.events_calendar_id if row else None,
            busy_fetched_at=fetch.fetched_at if fetch else None,
            stale=bool(row is not None and (fetch is None or fetch.stale)),
            last_error=row.last_error if row else None,
            warnings=open_warnings,
        )

    async def resolve_warning(self, mentor_id: UUID, warning_id: int) -> None:
        async with self.db.transaction() as session:
            done = await session.execute(
                update(CalendarWarning)
                .where(
                    CalendarWarning.id == warning_id,
                    CalendarWarning.mentor_id == mentor_id,
                    CalendarWarning.resolved_at.is_(None),
                )
                .values(resolved_at=self.clock())
                .returning(CalendarWarning.id)
            )
            if done.first() is None:
                raise NotFound("no such open warning")

    # --- busy time ----------------------------------------------------------------------------
    async def _horizon(self, mentor_id: UUID) -> timedelta:
        async with self.db.session() as session:
            days = (
                await session.execute(
                    select(PolicyRow.horizon_days).where(PolicyRow.mentor_id == mentor_id)
                )
            ).scalar()
        return timedelta(days=days or DEFAULT_HORIZON_DAYS) + HORIZON_MARGIN

    async def refresh_busy(self, mentor_id: UUID) -> bool:
        """Replace the mentor's cached Google busy time over [now, now + horizon].

        True when fresh. Google unreachable: the last known busy time stays, flagged stale
        (raises nothing). A reconnect or a vanished calendar also leaves it stale and opens a
        warning; those re-raise for the caller that wants to know.
        """
        conn = await self._load(mentor_id)
        if conn is None or conn.status != "active":
            return False
        now = self.clock()
        end = now + await self._horizon(mentor_id)
        ids = conn.busy_calendar_ids
        try:
            busy = await self._call(
                conn, lambda tokens: self.provider.free_busy(tokens, ids, now, end)
            )
        except CalendarUnavailable as error:
            log.info(
                "busy refresh of mentor %s failed, keeping the last known: %s", mentor_id, error
            )
            await self._mark_stale(mentor_id)
            await self._update(mentor_id, last_error=str(error)[:_MAX_ERROR])
            return False
        except CalendarNotFound as error:
            await self._mark_stale(mentor_id)
            await self._update(mentor_id, last_error=str(error)[:_MAX_ERROR])
            await self._warn(mentor_id, "calendar_missing", detail=error.calendar_id)
            raise
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
        return True

    async def refresh_all_due(self, limit: int = 100, concurrency: int = 4) -> int:
        """Refresh the busy time of up to ``limit`` connected mentors whose cache is older than
        ``settings.busy_refresh_minutes`` (oldest first). Returns how many are fresh now."""
        due_before = self.clock() - timedelta(minutes=self.settings.busy_refresh_minutes)
        async with self.db.session() as session:
            mentors = (
                (
                    await session.execute(
                        select(CalendarConnection.mentor_id)
                        .outerjoin(
                            BusyFetchState, BusyFetchState.mentor_id == CalendarConnection.mentor_id
                        )
                        .where(
                            CalendarConnection.status == "active",
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
            return await self.refresh_busy(mentor_id)
        except (ReconnectRequired, PermanentDeliveryError) as error:
            log.info("busy refresh of mentor %s needs the mentor: %s", mentor_id, error)
            return False

    async def fresh_busy(
        self, mentor_id: UUID, start: datetime, end: datetime
    ) -> list[Interval] | None:
        """``BusyCheck``: fresh busy time for the mentor being booked, or None (use the cache)
        when there is no usable connection or Google does not answer in time."""
        conn = await self._load(mentor_id)
        if conn is None or conn.status != "active" or not conn.busy_calendar_ids:
            return None
        ids = conn.busy_calendar_ids
        try:
            return await self._call(
                conn, lambda tokens: self.check_provider.free_busy(tokens, ids, start, end)
            )
        except (CalendarUnavailable, ReconnectRequired, PermanentDeliveryError) as error:
            log.info(
                "booking-time busy check of mentor %s fell back to the cache: %s", mentor_id, error
            )
            return None

    # --- events (outbox handlers) -------------------------------------------------------------
    async def deliver_upsert(self, booking_id: UUID) -> None:
        """``calendar.upsert_event``: the series' one event, with its Meet link written back."""
        async with self.db.session() as session:
            view = await bookings.load_booking_view(
                session,
                booking_id,
                self.settings.public_url,
                self.clock(),
                issue_manage_token=False,
            )
            placed = await session.get(CalendarEvent, view.series_id)
            placed_calendar = placed.calendar_id if placed else None
        if view.status != LIVE_STATUS:
            log.info("calendar upsert skipped for booking %s: %s", booking_id, view.status)
            return
        conn = await self._load(view.mentor_id)
        calendar_id = placed_calendar or (conn.events_calendar_id if conn else None)
        if conn is None or calendar_id is None:
            log.info("calendar upsert skipped for booking %s: no calendar connected", booking_id)
            return
        if conn.status != "active":
            raise ReconnectRequired("the mentor's Google connection needs a reconnect")
        ref = await self._call(
            conn, lambda tokens: self.provider.upsert_event(tokens, calendar_id, view)
        )
        now = self.clock()
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
        conn = await self._load(row.mentor_id)
        if conn is None:
            log.info("calendar cancel skipped for booking %s: calendar disconnected", booking_id)
            return
        if conn.status != "active":
            raise ReconnectRequired("the mentor's Google connection needs a reconnect")
        series_id: UUID = row.series_id
        await self._call(
            conn, lambda tokens: self.provider.cancel_event(tokens, placed_calendar, series_id)
        )
        async with self.db.transaction() as session:
            await session.execute(delete(CalendarEvent).where(CalendarEvent.series_id == series_id))

    # --- sync and push ------------------------------------------------------------------------
    async def sync(self, mentor_id: UUID) -> list[UUID]:
        """Read what changed in the events calendar (incremental with the stored sync token, a
        full listing when it expired). Returns the live bookings whose event the mentor deleted
        or moved (each reported once as an ``event_deleted`` or ``event_moved`` warning; the
        booking stands, at its own time)."""
        conn = await self._load(mentor_id)
        if conn is None or conn.status != "active" or conn.events_calendar_id is None:
            return []
        calendar_id = conn.events_calendar_id
        started = self.clock()
        since = started - FULL_SYNC_LOOKBACK

        def listing(
            token: str | None,
        ) -> Callable[[GoogleTokens], Awaitable[CalendarResult[SyncResult]]]:
            def call(tokens: GoogleTokens) -> Awaitable[CalendarResult[SyncResult]]:
                return self.provider.sync(
                    tokens, calendar_id, token, full_sync_from=None if token else since
                )

            return call

        result = await self._call(conn, listing(conn.sync_token))
        if result.needs_full_resync:
            log.info("sync token of mentor %s expired: full resync", mentor_id)
            result = await self._call(conn, listing(None))
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
                if await self._warn(mentor_id, kind, booking.id, detail=detail):
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
            with contextlib.suppress(
                CalendarUnavailable, ReconnectRequired, PermanentDeliveryError
            ):
                await self.refresh_busy(mentor_id)
        return warned

    async def sync_due(self, limit: int = 100, concurrency: int = 4) -> int:
        """Sync the calendars a notification asked for, and poll the others every SYNC_POLL."""
        polled_before = self.clock() - SYNC_POLL
        async with self.db.session() as session:
            mentors = (
                (
                    await session.execute(
                        select(CalendarConnection.mentor_id)
                        .where(
                            CalendarConnection.status == "active",
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
                await self.sync(mentor_id)
            except (CalendarUnavailable, ReconnectRequired, PermanentDeliveryError) as error:
                log.info("sync of mentor %s postponed: %s", mentor_id, error)
                return False
            return True

        return sum(await _bounded(concurrency, [quietly(m) for m in mentors]))

    async def note_push(self, channel_id: str, resource_id: str, token: str | None) -> bool:
        """A push notification: when it names a channel of ours with its secret, ask for a sync
        (the worker does it; the webhook answers at once). False for anything else."""
        async with self.db.transaction() as session:
            row = (
                await session.execute(
                    select(CalendarConnection)
                    .where(CalendarConnection.channel_id == channel_id)
                    .with_for_update()
                )
            ).scalar_one_or_none()
            if (
                row is None
                or token is None
                or row.channel_token is None
                or row.channel_resource_id != resource_id
                or not hmac.compare_digest(token.encode(), row.channel_token.encode())
            ):
                return False
            row.sync_requested_at = self.clock()
        return True

    def _push_address(self) -> str | None:
        base = self.settings.public_url.rstrip("/")
        # Google only delivers to HTTPS addresses: without one, polling does the job.
        return f"{base}{NOTIFICATIONS_PATH}" if base.startswith("https://") else None

    async def renew_channels(self, limit: int = 100) -> int:
        """Open a watch channel where there is none, and renew those about to lapse (a new one
        first, then the old one is stopped, so no change goes unnoticed)."""
        address = self._push_address()
        if address is None:
            return 0
        renew_before = self.clock() + CHANNEL_RENEW_MARGIN
        async with self.db.session() as session:
            mentors = (
                (
                    await session.execute(
                        select(CalendarConnection.mentor_id)
                        .where(
                            CalendarConnection.status == "active",
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
                await self._renew(mentor_id, address)
            except (CalendarUnavailable, ReconnectRequired, PermanentDeliveryError) as error:
                log.info("watch channel of mentor %s not renewed: %s", mentor_id, error)
            else:
                renewed += 1
        return renewed

    async def _renew(self, mentor_id: UUID, address: str) -> None:
        conn = await self._require(mentor_id)
        calendar_id = conn.events_calendar_id
        if calendar_id is None:
            return
        channel_id, channel_token = secrets.token_hex(16), secrets.token_urlsafe(32)
        channel = await self._call(
            conn,
            lambda tokens: self.provider.watch(
                tokens,
                calendar_id,
                channel_id=channel_id,
                address=address,
                channel_token=channel_token,
                ttl=CHANNEL_TTL,
            ),
        )
        await self._update(
            mentor_id,
            channel_id=channel.id,
            channel_resource_id=channel.resource_id,
            channel_token=channel.token,
            channel_expiration=channel.expiration,
        )
        await self._stop_channel(conn, clear=False)

    async def _stop_channel(self, conn: _Connection, *, clear: bool = True) -> None:
        channel = conn.channel
        if channel is None:
            return
        try:
            await self._call(conn, lambda tokens: self.provider.stop_channel(tokens, channel))
        except (CalendarUnavailable, ReconnectRequired, PermanentDeliveryError) as error:
            # It lapses by itself within CHANNEL_TTL; its notifications no longer match.
            log.info("stopping channel %s failed: %s", channel.id, error)
        if clear:
            await self._update(
                conn.mentor_id,
                channel_id=None,
                channel_resource_id=None,
                channel_token=None,
                channel_expiration=None,
            )


async def _bounded(concurrency: int, jobs: Sequence[Awaitable[bool]]) -> list[bool]:
    gate = asyncio.Semaphore(max(1, concurrency))

    async def one(job: Awaitable[bool]) -> bool:
        async with gate:
            return await job

    return list(await asyncio.gather(*(one(job) for job in jobs)))


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


async def has_event_calendar(session: AsyncSession, mentor_id: UUID) -> bool:
    """Whether the engine writes this mentor's bookings into a Google calendar of theirs."""
    found = await session.execute(
        select(CalendarConnection.mentor_id).where(
            CalendarConnection.mentor_id == mentor_id,
            CalendarConnection.status == "active",
            CalendarConnection.events_calendar_id.is_not(None),
        )
    )
    return found.first() is not None
