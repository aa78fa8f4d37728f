"""Signed Jitsi tokens for a self-hosted Jitsi Meet with token authentication.

With ``JITSI_APP_ID`` and ``JITSI_APP_SECRET`` set (the server's ``JWT_APP_ID`` and
``JWT_APP_SECRET``; Prosody's ``token_verification`` module checks them), a join link resolves
to the room URL with ``?jwt=…``: an HS256 token for that room only, moderator for the mentor and
guest for the visitor, valid from when the join link opens (15 minutes before the start) until
a quarter of an hour after the end. Nobody needs a third-party account and nobody without a
token can open, or take, the room.

Without them (the public meet.jit.si), the plain room URL: there the first participant must
sign in to start the meeting, and the others wait for that moderator — the mentor opens the
call, and the visitor's pages say so.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from urllib.parse import urlsplit

import jwt

from scheduler.booking import OPENS_BEFORE, Party
from scheduler.platform import VideoSettings

__all__ = ["AFTER_END", "jitsi_claims", "signed_room_url", "signs_tokens"]

# How long after the end a token still lets its holder in (a call that runs a little over).
AFTER_END = timedelta(minutes=15)


def signs_tokens(video: VideoSettings) -> bool:
    return bool(video.jitsi_app_id and video.jitsi_app_secret)


def jitsi_claims(
    *,
    app_id: str,
    room_url: str,
    party: Party,
    start: datetime,
    end: datetime,
    display_name: str | None = None,
) -> dict[str, object]:
    """The claims Jitsi's token module reads: ``aud`` "jitsi", ``iss`` the app id, ``sub`` the
    Jitsi domain, ``room`` the room's name, ``context.user.moderator``."""
    parts = urlsplit(room_url)
    user: dict[str, object] = {
        "moderator": party == "mentor",
        "affiliation": "owner" if party == "mentor" else "member",
    }
    if display_name:
        user["name"] = display_name
    return {
        "aud": "jitsi",
        "iss": app_id,
        "sub": parts.hostname or "",
        "room": parts.path.rstrip("/").rsplit("/", 1)[-1],
        "nbf": int((start - OPENS_BEFORE).timestamp()),
        "exp": int((end + AFTER_END).timestamp()),
        "context": {"user": user},
    }


def signed_room_url(
    video: VideoSettings,
    room_url: str,
    *,
    party: Party,
    start: datetime,
    end: datetime,
    display_name: str | None = None,
) -> str:
    """``room_url`` with the party's token, or as it is when no app secret is configured."""
    if not (video.jitsi_app_id and video.jitsi_app_secret):
        return room_url
    claims = jitsi_claims(
        app_id=video.jitsi_app_id,
        room_url=room_url,
        party=party,
        start=start,
        end=end,
        display_name=display_name,
    )
    token = jwt.encode(claims, video.jitsi_app_secret, algorithm="HS256")
    return f"{room_url}?jwt={token}"
