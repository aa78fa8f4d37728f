"""A mentor's calendar connection: OAuth, chosen calendars, the busy cache, events, sync and push,
behind ``CalendarProvider``."""

from scheduler.calendar.connection import ConnectionStatus
from scheduler.calendar.events import has_event_calendar
from scheduler.calendar.models import (
    BusyFetchState,
    CalendarConnection,
    CalendarWarning,
    ConnectionState,
    WarningKind,
)
from scheduler.calendar.ports import (
    CalendarInfo,
    CalendarNotFound,
    CalendarProvider,
    CalendarResult,
    CalendarUnavailable,
    EventRef,
    GoogleTokens,
    SyncedEvent,
    SyncResult,
    WatchChannel,
    event_id_for_series,
    series_for_event_id,
)
from scheduler.calendar.reseal import ResealCount, reseal_column
from scheduler.calendar.secrets import (
    SecretBox,
    SecretUnreadable,
    TokenKeyMissing,
    derive_dev_key,
    open_tokens,
    seal_tokens,
)
from scheduler.calendar.service import CalendarService, calendar_handlers, calendar_jobs
from scheduler.calendar.sync import SYNC_POLL
from scheduler.calendar.warnings import CalendarWarningView

__all__ = [
    "SYNC_POLL",
    "BusyFetchState",
    "CalendarConnection",
    "CalendarInfo",
    "CalendarNotFound",
    "CalendarProvider",
    "CalendarResult",
    "CalendarService",
    "CalendarUnavailable",
    "CalendarWarning",
    "CalendarWarningView",
    "ConnectionState",
    "ConnectionStatus",
    "EventRef",
    "GoogleTokens",
    "ResealCount",
    "SecretBox",
    "SecretUnreadable",
    "SyncResult",
    "SyncedEvent",
    "TokenKeyMissing",
    "WarningKind",
    "WatchChannel",
    "calendar_handlers",
    "calendar_jobs",
    "derive_dev_key",
    "event_id_for_series",
    "has_event_calendar",
    "open_tokens",
    "reseal_column",
    "seal_tokens",
    "series_for_event_id",
]
