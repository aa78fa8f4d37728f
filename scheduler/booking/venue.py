"""Where a booked call happens, and the two stable links that lead there.

Pure functions of their inputs (no I/O, no clock): the join route and the mails call them with
what they read.

**The venue** (``choose_venue``) is decided when a join link is opened, never stored, so a Meet
link that arrives late, a mentor who sets their own link, or a reschedule change nothing for
the people holding the link:

1. the mentor's own meeting link, when they set one: it is their explicit choice;
2. otherwise the Google Meet link the calendar integration wrote back on the booking;
3. otherwise a Jitsi Meet room the engine names by itself: ``HMAC(secret, series id)``, so it is
   unguessable, the same across reschedules, and needs nothing stored.

**The join tokens** (``join_token``) are derived, not stored: ``series id ‖ party ‖
HMAC(secret, series id ‖ party)``. Why not random tokens kept as SHA-256 like manage tokens: a
stored hash cannot be shown again, so every mail, invite and page would need a new token and
there would be no "one stable link per party" — the reminder a day later must carry the link
the invite already put in the calendar. Deriving it lets any message rebuild the same link
from the series. The trade-offs, accepted: one link cannot be revoked alone (a cancelled
series answers 410; changing SECRET_KEY revokes them all, and renames the Jitsi rooms), and the
token shows the series id, a random UUID that grants nothing without the MAC. The MAC has 128
bits and covers the party, so the visitor's link never opens the mentor's side.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Literal
from uuid import UUID

Party = Literal["visitor", "mentor"]
Phase = Literal["waiting", "open", "ended"]

# The join link redirects to the venue from this long before the start until the end.
OPENS_BEFORE = timedelta(minutes=15)
# How long after the end a join link still answers (with the feedback page), as manage links.
JOIN_GRACE = timedelta(days=1)
DEFAULT_JITSI_BASE_URL = "https://meet.jit.si"

_PARTY_BYTE: dict[Party, bytes] = {"visitor": b"v", "mentor": b"m"}
_BYTE_PARTY: dict[bytes, Party] = {v: k for k, v in _PARTY_BYTE.items()}
_MAC_BYTES = 16
_TOKEN_BYTES = 16 + 1 + _MAC_BYTES
TOKEN_LENGTH = 44  # base64url of 33 bytes, without padding


class VenueKind(StrEnum):
    OWN_LINK = "own_link"
    GOOGLE_MEET = "google_meet"
    JITSI = "jitsi"


@dataclass(frozen=True, slots=True)
class Venue:
    url: str
    kind: VenueKind


class InvalidJoinToken(ValueError):
    """A join token that no series of this deployment was given."""


def _mac(secret: str, purpose: bytes, message: bytes) -> bytes:
    # A distinct prefix per use: the Jitsi room name never reveals a join token, nor the
    # reverse, though both derive from the same secret and series.
    return hmac.new(secret.encode(), purpose + b"\x00" + message, hashlib.sha256).digest()


def jitsi_room(secret: str, series_id: UUID) -> str:
    """The series' room name: ``Thotis`` and 26 base32 characters (128 bits)."""
    digest = _mac(secret, b"jitsi-room", series_id.bytes)[:16]
    return "Thotis" + base64.b32encode(digest).decode().rstrip("=").lower()


def jitsi_url(base_url: str, secret: str, series_id: UUID) -> str:
    return f"{base_url.rstrip('/')}/{jitsi_room(secret, series_id)}"


def choose_venue(
    *,
    own_link: str | None,
    meet_url: str | None,
    jitsi_base_url: str,
    secret: str,
    series_id: UUID,
) -> Venue:
    """The venue of a booking series, in the order of the module docstring."""
    if own_link:
        return Venue(own_link, VenueKind.OWN_LINK)
    if meet_url:
        return Venue(meet_url, VenueKind.GOOGLE_MEET)
    return Venue(jitsi_url(jitsi_base_url, secret, series_id), VenueKind.JITSI)


def join_token(secret: str, series_id: UUID, party: Party) -> str:
    """The party's token for the series (44 URL-safe characters, the same every time)."""
    head = series_id.bytes + _PARTY_BYTE[party]
    mac = _mac(secret, b"join", head)[:_MAC_BYTES]
    return base64.urlsafe_b64encode(head + mac).decode().rstrip("=")


def read_join_token(secret: str, token: str) -> tuple[UUID, Party]:
    """The series and party a token was derived for (InvalidJoinToken otherwise)."""
    if not isinstance(token, str) or len(token) != TOKEN_LENGTH or not token.isascii():
        raise InvalidJoinToken("not a join token")
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
    except (binascii.Error, ValueError) as error:
        raise InvalidJoinToken("not a join token") from error
    if len(raw) != _TOKEN_BYTES or raw[16:17] not in _BYTE_PARTY:
        raise InvalidJoinToken("not a join token")
    head, mac = raw[:17], raw[17:]
    if not hmac.compare_digest(mac, _mac(secret, b"join", head)[:_MAC_BYTES]):
        raise InvalidJoinToken("not a join token")
    return UUID(bytes=raw[:16]), _BYTE_PARTY[raw[16:17]]


def join_url(public_url: str, secret: str, series_id: UUID, party: Party) -> str:
    return f"{public_url.rstrip('/')}/join/{join_token(secret, series_id, party)}"


def join_phase(start: datetime, end: datetime, now: datetime) -> Phase:
    """``waiting`` until 15 minutes before the start, ``open`` until the end, then ``ended``."""
    if now < start - OPENS_BEFORE:
        return "waiting"
    if now < end:
        return "open"
    return "ended"
