"""Push notifications from a watch channel (``events.watch``), for the API's webhook route.

Google POSTs an empty body to the channel's HTTPS address with ``X-Goog-*`` headers. The
notification only says "something changed in this calendar": the receiver checks the channel
token (set when the channel was created) and schedules a sync; it never trusts the headers for
anything else. ``resource_state`` is ``sync`` once, when the channel starts, then ``exists``.
"""

from __future__ import annotations

import hmac
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.utils import parsedate_to_datetime

from scheduler.calendar import WatchChannel

__all__ = [
    "PushNotification",
    "needs_renewal",
    "new_channel_credentials",
    "parse_notification",
    "token_matches",
]


@dataclass(frozen=True, slots=True)
class PushNotification:
    channel_id: str
    resource_id: str
    resource_state: str
    message_number: int | None
    token: str | None
    expiration: datetime | None


def parse_notification(headers: Mapping[str, str]) -> PushNotification | None:
    """The notification carried by a request's headers, or None when it is not one."""
    h = {name.lower(): value for name, value in headers.items()}
    channel_id, resource_id = h.get("x-goog-channel-id"), h.get("x-goog-resource-id")
    state = h.get("x-goog-resource-state")
    if not channel_id or not resource_id or not state:
        return None
    number = h.get("x-goog-message-number")
    expiration: datetime | None = None
    if h.get("x-goog-channel-expiration"):
        try:
            expiration = parsedate_to_datetime(h["x-goog-channel-expiration"])
        except (TypeError, ValueError):
            expiration = None
    return PushNotification(
        channel_id=channel_id,
        resource_id=resource_id,
        resource_state=state,
        message_number=int(number) if number and number.isdigit() else None,
        token=h.get("x-goog-channel-token"),
        expiration=expiration,
    )


def token_matches(channel: WatchChannel, notification: PushNotification) -> bool:
    """The notification names this channel and carries its secret (compared in constant time)."""
    return (
        notification.channel_id == channel.id
        and notification.resource_id == channel.resource_id
        and notification.token is not None
        and hmac.compare_digest(notification.token.encode(), channel.token.encode())
    )


def new_channel_credentials() -> tuple[str, str]:
    """(channel id, channel token): unguessable, so a forged notification cannot name one."""
    return secrets.token_hex(16), secrets.token_urlsafe(32)


def needs_renewal(
    channel: WatchChannel, now: datetime, margin: timedelta = timedelta(days=1)
) -> bool:
    """Renew (watch anew, then stop the old channel) before Google lets it lapse."""
    return channel.expiration - margin <= now
