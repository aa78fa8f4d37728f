"""Google Calendar adapter: OAuth connection, free/busy, events with Meet links, sync and push.

Implements ``scheduler.calendar.CalendarProvider``; the engine never imports Google's libraries.
"""

from integrations.google.oauth import (
    REQUIRED_SCOPES,
    SCOPES,
    AuthorizationFailed,
    AuthorizationRequest,
    ScopesNotGranted,
    finish_authorization,
    start_authorization,
)
from integrations.google.provider import GoogleCalendarProvider
from integrations.google.push import (
    PushNotification,
    needs_renewal,
    new_channel_credentials,
    parse_notification,
    token_matches,
)

__all__ = [
    "REQUIRED_SCOPES",
    "SCOPES",
    "AuthorizationFailed",
    "AuthorizationRequest",
    "GoogleCalendarProvider",
    "PushNotification",
    "ScopesNotGranted",
    "finish_authorization",
    "needs_renewal",
    "new_channel_credentials",
    "parse_notification",
    "start_authorization",
    "token_matches",
]
