"""Sign in with Google (OpenID Connect) through the deployment's OAuth client.

The calendar connection (``integrations.google.oauth``) asks for calendar scopes and offline
access; signing in only needs to know who the person is, so it asks for ``openid email`` and
nothing else, with PKCE, a ``state`` and a ``nonce`` kept server-side. The ID token comes
straight from Google's token endpoint over TLS, which OpenID Connect Core 1.0 §3.1.3.7 accepts
in place of checking its signature; audience, issuer, expiry, nonce and the verified email are
checked here.
"""

from __future__ import annotations

import base64
import binascii
import hmac
import json
import secrets
import time
from typing import Any, NamedTuple

import anyio.to_thread
from google_auth_oauthlib.flow import Flow
from oauthlib.oauth2.rfc6749.errors import OAuth2Error
from requests.exceptions import RequestException

from scheduler.settings import Settings

SIGN_IN_SCOPES = ("openid", "email")
_ISSUERS = frozenset({"accounts.google.com", "https://accounts.google.com"})
_TIMEOUT_SECONDS = 20
# Clock skew tolerated on the token's expiry.
_LEEWAY_SECONDS = 120


class SignInFailed(Exception):
    """Google did not tell us who this is (declined, refused code, bad or foreign token)."""


class GoogleSignIn(NamedTuple):
    url: str
    state: str
    code_verifier: str
    nonce: str


def configured(settings: Settings) -> bool:
    return bool(settings.google_client_id and settings.google_client_secret)


def _config(settings: Settings, redirect_uri: str) -> dict[str, Any]:
    return {
        "web": {
            "client_id": settings.google_client_id,
            "client_secret": settings.google_client_secret,
            "auth_uri": settings.google_auth_uri,
            "token_uri": settings.google_token_uri,
            "redirect_uris": [redirect_uri],
        }
    }


def start(settings: Settings, redirect_uri: str) -> GoogleSignIn:
    flow = Flow.from_client_config(
        _config(settings, redirect_uri),
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
    settings: Settings,
    redirect_uri: str,
    state: str,
    code_verifier: str,
    nonce: str,
    authorization_response_url: str,
) -> str:
    """The verified email of the person Google signed in (lower-cased)."""
    token = await anyio.to_thread.run_sync(
        _exchange,
        _config(settings, redirect_uri),
        redirect_uri,
        state,
        code_verifier,
        authorization_response_url,
    )
    return _email(token.get("id_token"), settings.google_client_id or "", nonce)


def _exchange(
    config: dict[str, Any],
    redirect_uri: str,
    state: str,
    code_verifier: str,
    authorization_response_url: str,
) -> dict[str, Any]:
    flow = Flow.from_client_config(
        config,
        scopes=list(SIGN_IN_SCOPES),
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
        # Google answers "email" with the userinfo.email scope, which oauthlib raises about.
        granted = getattr(changed, "token", None)
        if granted is None:
            raise
        return dict(granted)
    except OAuth2Error as error:
        raise SignInFailed(f"Google refused the sign-in ({error.error})") from error
    except RequestException as error:
        raise SignInFailed(f"Google's token endpoint unreachable ({error})") from error
    finally:
        flow.oauth2session.close()


def _email(id_token: str | None, client_id: str, nonce: str) -> str:
    if not id_token:
        raise SignInFailed("no ID token")
    try:
        payload = id_token.split(".")[1]
        claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    except (IndexError, ValueError, binascii.Error) as error:
        raise SignInFailed("malformed ID token") from error
    if not isinstance(claims, dict):
        raise SignInFailed("malformed ID token")
    audience = claims.get("aud")
    if audience != client_id and not (isinstance(audience, list) and client_id in audience):
        raise SignInFailed("the ID token was issued to another client")
    if claims.get("iss") not in _ISSUERS:
        raise SignInFailed("the ID token was not issued by Google")
    if not hmac.compare_digest(str(claims.get("nonce", "")).encode(), nonce.encode()):
        raise SignInFailed("the ID token answers another sign-in (nonce)")
    expiry = claims.get("exp")
    if not isinstance(expiry, (int, float)) or expiry + _LEEWAY_SECONDS < time.time():
        raise SignInFailed("the ID token has expired")
    email = claims.get("email")
    if not email or claims.get("email_verified") is not True:
        raise SignInFailed("Google did not return a verified email")
    return str(email).strip().lower()
