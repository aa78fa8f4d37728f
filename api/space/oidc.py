"""Sign in with Google (OpenID Connect) through the deployment's OAuth client.

The calendar connection (``integrations.google.oauth``) asks for calendar scopes and offline
access; signing in only needs to know who the person is, so it asks for ``openid email`` and
nothing else, with PKCE, a ``state`` and a ``nonce`` kept server-side. The ID token comes
straight from Google's token endpoint over TLS, which OpenID Connect Core 1.0 §3.1.3.7 accepts
in place of checking its signature; audience, issuer, expiry, nonce and the verified email are
checked here.
"""

from __future__ import annotations

import hmac
import secrets
import time
from typing import Any, NamedTuple

import anyio.to_thread
from google_auth_oauthlib.flow import Flow
from oauthlib.oauth2.rfc6749.errors import OAuth2Error
from requests.exceptions import RequestException

from integrations.google.oauth import InvalidIdToken, client_config, exchange_code, id_token_claims
from scheduler.platform import GoogleSettings

SIGN_IN_SCOPES = ("openid", "email")
# Clock skew tolerated on the token's expiry.
_LEEWAY_SECONDS = 120


class SignInFailed(Exception):
    """Google did not tell us who this is (declined, refused code, bad or foreign token)."""


class GoogleSignIn(NamedTuple):
    url: str
    state: str
    code_verifier: str
    nonce: str


def configured(google: GoogleSettings) -> bool:
    return bool(google.client_id and google.client_secret)


def start(google: GoogleSettings, redirect_uri: str) -> GoogleSignIn:
    flow = Flow.from_client_config(
        client_config(google, redirect_uri),
        scopes=list(SIGN_IN_SCOPES),
        redirect_uri=redirect_uri,
        autogenerate_code_verifier=True,
    )
    nonce = secrets.token_urlsafe(24)
    url, state = flow.authorization_url(
        state=secrets.token_urlsafe(32), nonce=nonce, prompt="select_account"
    )
    return GoogleSignIn(url, state, flow.code_verifier or "", nonce)


async def finish(
    google: GoogleSettings,
    redirect_uri: str,
    state: str,
    code_verifier: str,
    nonce: str,
    authorization_response_url: str,
) -> str:
    """The verified email of the person Google signed in (lower-cased)."""
    token = await anyio.to_thread.run_sync(
        _exchange,
        client_config(google, redirect_uri),
        redirect_uri,
        state,
        code_verifier,
        authorization_response_url,
    )
    return _email(token.get("id_token"), google.client_id or "", nonce)


def _exchange(
    config: dict[str, Any],
    redirect_uri: str,
    state: str,
    code_verifier: str,
    authorization_response_url: str,
) -> dict[str, Any]:
    try:
        return exchange_code(
            config, SIGN_IN_SCOPES, redirect_uri, state, code_verifier, authorization_response_url
        )
    except OAuth2Error as error:
        raise SignInFailed(f"Google refused the sign-in ({error.error})") from error
    except RequestException as error:
        raise SignInFailed(f"Google's token endpoint unreachable ({error})") from error


def _email(id_token: str | None, client_id: str, nonce: str) -> str:
    try:
        claims = id_token_claims(id_token, client_id)
    except InvalidIdToken as error:
        raise SignInFailed(str(error)) from error
    if not hmac.compare_digest(str(claims.get("nonce", "")).encode(), nonce.encode()):
        raise SignInFailed("the ID token answers another sign-in (nonce)")
    expiry = claims.get("exp")
    if not isinstance(expiry, (int, float)) or expiry + _LEEWAY_SECONDS < time.time():
        raise SignInFailed("the ID token has expired")
    return str(claims["email"])
