"""A mentor's own meeting link (Zoom, Teams, their own Meet...), checked before it is stored."""

from __future__ import annotations

from urllib.parse import urlsplit

from scheduler.platform import ValidationFailed

MEETING_URL_MAX_LENGTH = 500


def valid_meeting_link(url: str) -> str:
    """``url`` stripped, or ValidationFailed with the reason: https, a host name with a dot, no
    credentials, no spaces or control characters, 500 characters at most. The link becomes a
    redirect target and an ``href``: https is what keeps a visitor off a ``javascript:`` or a
    plain-http page."""
    if not isinstance(url, str):
        raise ValidationFailed("meeting_url must be text")
    url = url.strip()
    if len(url) > MEETING_URL_MAX_LENGTH:
        raise ValidationFailed(f"meeting_url must have at most {MEETING_URL_MAX_LENGTH} characters")
    if any(c.isspace() or ord(c) < 32 or ord(c) == 127 for c in url):
        raise ValidationFailed("meeting_url must have no spaces or control characters")
    try:
        parts = urlsplit(url)
        _ = parts.port  # raises ValueError on a port that is not a number
    except ValueError as error:
        raise ValidationFailed("meeting_url must be a valid address") from error
    if parts.scheme != "https":
        raise ValidationFailed("meeting_url must start with https://")
    host = parts.hostname or ""
    if "." not in host or parts.username is not None or parts.password is not None:
        raise ValidationFailed("meeting_url must have a host name and no credentials")
    return url
