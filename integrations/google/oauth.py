"""Connecting a mentor's Google account: the OAuth 2.0 web flow (google-auth-oauthlib).

``start_authorization`` gives the URL to send the mentor to, with a fresh ``state`` and PKCE
``code_verifier``: the caller keeps both server-side, single-use, bound to the mentor's
session. ``finish_authorization`` exchanges the code Google sent back (PKCE-verified) for tokens,
offline (a refresh token) and with consent forced so that a reconnect issues a new refresh token.

Scopes are the narrowest that do the job (see SCOPES): the mentor's identity (openid, email),
free/busy of their calendars, their calendar list (to choose), and events on the calendars
they own (the one that receives bookings). No scope reads event contents of other calendars.
Google lets the mentor untick scopes on the consent screen; a grant without the calendar
scopes is refused (``ScopesNotGranted``) and revoked rather than half-working.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import json
import secrets
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any, NamedTuple

import anyio.to_thread
from google_auth_oauthlib.flow import Flow
from oauthlib.oauth2.rfc6749.errors import OAuth2Error
from requests.exceptions import RequestException

from integrations.google.provider import GoogleCalendarProvider
from scheduler.calendar import CalendarUnavailable, GoogleTokens
from scheduler.platform import GoogleSettings

__all__ = [
    "REQUIRED_SCOPES",
    "SCOPES",
    "AuthorizationFailed",
    "AuthorizationRequest",
    "ScopesNotGranted",
    "finish_authorization",
    "start_authorization",
]

_AUTH = "https://www.googleapis.com/auth"
FREEBUSY = f"{_AUTH}/calendar.freebusy"  # busy times only, never event details
EVENTS_OWNED = f"{_AUTH}/calendar.events.owned"  # events on calendars the mentor owns
CALENDAR_LIST = f"{_AUTH}/calendar.calendarlist.readonly"  # to choose the calendars
USERINFO_EMAIL = f"{_AUTH}/userinfo.email"  # what Google grants for "email"
SCOPES: tuple[str, ...] = ("openid", "email", FREEBUSY, EVENTS_OWNED, CALENDAR_LIST)
REQUIRED_SCOPES = frozenset({FREEBUSY, EVENTS_OWNED, CALENDAR_LIST})
_ISSUERS = frozenset({"accounts.google.com", "https://accounts.google.com"})
_TIMEOUT_SECONDS = 20


class AuthorizationFailed(Exception):
    """The callback does not complete a connection: declined, forged or replayed state, a
    code Google refuses, or an answer without a usable identity or refresh token."""


class ScopesNotGranted(AuthorizationFailed):
    def __init__(self, missing: frozenset[str]) -> None:
        super().__init__(f"Google access not granted for: {', '.join(sorted(missing))}")
        self.missing = missing


class AuthorizationRequest(NamedTuple):
    url: str
    state: str
    code_verifier: str


def client_config(google: GoogleSettings, redirect_uri: str) -> dict[str, Any]:
    if not google.client_id or not google.client_secret:
        raise RuntimeError("GOOGLE_CLIENT_ID and GOOGLE_CLIENT_SECRET must be set")
    return {
        "web": {
            "client_id": google.client_id,
            "client_secret": google.client_secret,
            "auth_uri": google.auth_uri,
            "token_uri": google.token_uri,
            "redirect_uris": [redirect_uri],
        }
    }


def start_authorization(
    google: GoogleSettings, redirect_uri: str, *, login_hint: str | None = None
) -> AuthorizationRequest:
    """The Google consent URL, with its ``state`` and PKCE ``code_verifier`` to keep."""
    flow = Flow.from_client_config(
        client_config(google, redirect_uri),
        scopes=list(SCOPES),
        redirect_uri=redirect_uri,
        autogenerate_code_verifier=True,
    )
    extra = {"login_hint": login_hint} if login_hint else {}
    url, state = flow.authorization_url(
        state=secrets.token_urlsafe(32),
        access_type="offline",
        prompt="consent",
        **extra,
    )
    return AuthorizationRequest(url, state, flow.code_verifier)


async def finish_authorization(
    google: GoogleSettings,
    redirect_uri: str,
    state: str,
    code_verifier: str,
    authorization_response_url: str,
) -> tuple[GoogleTokens, str]:
    """Exchange the callback's code for tokens; returns them with the account's email.

    Blocking network I/O (the token endpoint) runs in a worker thread.
    """
    config = client_config(google, redirect_uri)
    token = await anyio.to_thread.run_sync(
        _exchange, config, redirect_uri, state, code_verifier, authorization_response_url
    )
    tokens = _tokens_from(token)
    email = _email_from_id_token(token.get("id_token"), google.client_id or "")
    if not tokens.refresh_token:
        raise AuthorizationFailed("Google issued no refresh token (offline access refused)")
    missing = REQUIRED_SCOPES - set(tokens.scopes)
    if missing:
        # Do not keep a grant that cannot do the job: the mentor reconnects with all boxes.
        # Best effort: if Google is unreachable the grant stays unused by us.
        with contextlib.suppress(CalendarUnavailable):
            await GoogleCalendarProvider(google, num_retries=1).revoke(tokens)
        raise ScopesNotGranted(frozenset(missing))
    return tokens, email


def _exchange(
    config: dict[str, Any],
    redirect_uri: str,
    state: str,
    code_verifier: str,
    authorization_response_url: str,
) -> dict[str, Any]:
    try:
        return exchange_code(
            config, SCOPES, redirect_uri, state, code_verifier, authorization_response_url
        )
    except OAuth2Error as error:
        raise AuthorizationFailed(f"Google refused the authorization ({error.error})") from error
    except RequestException as error:
        raise CalendarUnavailable(f"Google's token endpoint unreachable ({error})") from error


def exchange_code(
    config: dict[str, Any],
    scopes: Sequence[str],
    redirect_uri: str,
    state: str,
    code_verifier: str,
    authorization_response_url: str,
) -> dict[str, Any]:
    """The token endpoint's answer for the callback's code (PKCE), for any of our flows
    (calendar connection, sign-in). Blocking: run it in a worker thread. Raises oauthlib's
    ``OAuth2Error`` or requests' ``RequestException``, which each caller words for itself."""
    flow = Flow.from_client_config(
        config,
        scopes=list(scopes),
        redirect_uri=redirect_uri,
        state=state,
        code_verifier=code_verifier,
        autogenerate_code_verifier=False,
    )
    try:
        return dict(
            flow.fetch_token(
                authorization_response=authorization_response_url, timeout=_TIMEOUT_SECONDS
            )
        )
    except Warning as changed:
        # oauthlib raises (not warns) when the granted scopes differ from the requested ones,
        # which Google always does ("email" comes back as userinfo.email, unticked boxes are
        # missing). The token is attached; the scopes are checked by the caller.
        granted = getattr(changed, "token", None)
        if granted is None:
            raise
        return dict(granted)
    finally:
        flow.oauth2session.close()


def _tokens_from(token: dict[str, Any]) -> GoogleTokens:
    scope = token.get("scope") or ()
    scopes = scope.split() if isinstance(scope, str) else list(scope)
    expiry: datetime | None = None
    if token.get("expires_at") is not None:
        expiry = datetime.fromtimestamp(float(token["expires_at"]), UTC)
    elif token.get("expires_in") is not None:
        expiry = datetime.now(UTC) + timedelta(seconds=float(token["expires_in"]))
    return GoogleTokens(
        access_token=token.get("access_token"),
        refresh_token=token.get("refresh_token"),
        expiry=expiry,
        scopes=tuple(sorted(scopes)),
    )


class InvalidIdToken(Exception):
    """The ID token does not say, for this client, which verified address signed in."""


def id_token_claims(id_token: str | None, client_id: str) -> dict[str, Any]:
    """The claims of an ID token received straight from Google's token endpoint over TLS,
    which OpenID Connect (Core 1.0, 3.1.3.7) accepts in place of checking its signature;
    audience, issuer and a verified email are still checked (``email`` is lower-cased)."""
    if not id_token:
        raise InvalidIdToken("Google returned no ID token (openid scope missing)")
    try:
        payload = id_token.split(".")[1]
        claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    except (IndexError, ValueError, binascii.Error) as error:
        raise InvalidIdToken("Google returned a malformed ID token") from error
    if not isinstance(claims, dict):
        raise InvalidIdToken("Google returned a malformed ID token")
    audience = claims.get("aud")
    if audience != client_id and not (isinstance(audience, list) and client_id in audience):
        raise InvalidIdToken("the ID token was issued to another client")
    if claims.get("iss") not in _ISSUERS:
        raise InvalidIdToken("the ID token was not issued by Google")
    email = claims.get("email")
    if not email or claims.get("email_verified") is not True:
        raise InvalidIdToken("Google did not return a verified email")
    claims["email"] = str(email).strip().lower()
    return claims


def _email_from_id_token(id_token: str | None, client_id: str) -> str:
    try:
        return str(id_token_claims(id_token, client_id)["email"])
    except InvalidIdToken as error:
        raise AuthorizationFailed(str(error)) from error
