"""The calendar provider's Protocol and the values it speaks (implemented by integrations.google)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Generic, Protocol, TypeVar
from uuid import UUID

from availability import Interval
from scheduler.booking import BookingView
from scheduler.platform import PermanentDeliveryError


class CalendarUnavailable(Exception):
    """Google could not be reached, or kept failing after retries: transient, retry later."""


class CalendarNotFound(PermanentDeliveryError):
    """A chosen calendar is gone or no longer shared with the mentor: ask them to choose again."""

    def __init__(self, calendar_id: str) -> None:
        super().__init__(f"calendar {calendar_id} not found")
        self.calendar_id = calendar_id


@dataclass(frozen=True, slots=True)
class GoogleTokens:
    """A mentor's OAuth tokens (stored encrypted, see ``scheduler.secrets``)."""

    access_token: str | None
    refresh_token: str | None
    expiry: datetime | None  # aware UTC; None: unknown, used until Google answers 401
    scopes: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class CalendarInfo:
    id: str
    summary: str
    primary: bool
    access_role: str  # "owner", "writer", "reader" or "freeBusyReader"

    @property
    def can_receive_events(self) -> bool:
        """The adapter writes events with the "events on calendars you own" scope only."""
        return self.access_role == "owner"


@dataclass(frozen=True, slots=True)
class EventRef:
    event_id: str
    meet_url: str | None
    html_link: str | None


@dataclass(frozen=True, slots=True)
class SyncedEvent:
    """A live event seen by a sync; ``series_id`` is set for the events the engine created."""

    event_id: str
    start: datetime | None  # None for all-day events
    end: datetime | None
    series_id: UUID | None


@dataclass(frozen=True, slots=True)
class SyncResult:
    changed: tuple[SyncedEvent, ...]
    deleted: tuple[str, ...]  # event ids
    next_sync_token: str | None
    # The sync token expired (410): drop it and call sync(None) for a full listing.
    needs_full_resync: bool = False
    # A full listing (sync_token None): an engine event missing from ``changed`` is gone.
    full: bool = False


@dataclass(frozen=True, slots=True)
class WatchChannel:
    id: str
    resource_id: str
    calendar_id: str
    token: str  # echoed in X-Goog-Channel-Token: check it on every notification
    expiration: datetime  # aware UTC: renew before


T = TypeVar("T")


# Not slots=True: a slotted Generic dataclass breaks ``CalendarResult[int](...)``.
@dataclass(frozen=True)
class CalendarResult(Generic[T]):
    """A provider answer, with the tokens to persist when the call refreshed them."""

    value: T
    refreshed: GoogleTokens | None = None


def event_id_for_series(series_id: UUID) -> str:
    """The Google event id of a booking series: a UUID's hex is valid base32hex (a-v, 0-9)."""
    return series_id.hex


def series_for_event_id(event_id: str) -> UUID | None:
    if len(event_id) != 32 or any(c not in "0123456789abcdef" for c in event_id):
        return None
    return UUID(hex=event_id)


class CalendarProvider(Protocol):
    """A mentor's calendar account. Every call takes the tokens and may refresh them: persist
    ``result.refreshed`` when it is not None."""

    async def list_calendars(
        self, tokens: GoogleTokens
    ) -> CalendarResult[tuple[CalendarInfo, ...]]: ...

    async def free_busy(
        self, tokens: GoogleTokens, calendar_ids: Sequence[str], start: datetime, end: datetime
    ) -> CalendarResult[list[Interval]]:
        """Merged busy intervals within [start, end) over the calendars."""
        ...

    async def upsert_event(
        self, tokens: GoogleTokens, calendar_id: str, view: BookingView
    ) -> CalendarResult[EventRef]:
        """Create or update the series' event (idempotent), with its Meet link."""
        ...

    async def cancel_event(
        self, tokens: GoogleTokens, calendar_id: str, series_id: UUID
    ) -> CalendarResult[None]:
        """Delete the series' event; an event already gone is fine."""
        ...

    async def sync(
        self,
        tokens: GoogleTokens,
        calendar_id: str,
        sync_token: str | None,
        *,
        full_sync_from: datetime | None = None,
    ) -> CalendarResult[SyncResult]: ...

    async def watch(
        self,
        tokens: GoogleTokens,
        calendar_id: str,
        *,
        channel_id: str,
        address: str,
        channel_token: str,
        ttl: timedelta,
    ) -> CalendarResult[WatchChannel]: ...

    async def stop_channel(
        self, tokens: GoogleTokens, channel: WatchChannel
    ) -> CalendarResult[None]: ...

    async def revoke(self, tokens: GoogleTokens) -> None:
        """Revoke the grant at Google; a grant already revoked is fine."""
        ...
