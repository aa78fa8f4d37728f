"""The OAuth web flow with the real google-auth-oauthlib against the fake Google."""

from __future__ import annotations

import base64
import hashlib
from urllib.parse import parse_qs, urlencode, urlsplit

import httpx
import pytest

from integrations.google import (
    REQUIRED_SCOPES,
    AuthorizationFailed,
    GoogleCalendarProvider,
    ScopesNotGranted,
    finish_authorization,
    start_authorization,
)
from integrations.google.oauth import EVENTS_OWNED, USERINFO_EMAIL
from scheduler.platform import GoogleSettings, Settings
from testkit.fake_google import FakeGoogle
from tests.integrations.google.factories import MENTOR

REDIRECT = "https://thotis.test/mentor/google/callback"


def consent(url: str) -> str:
    """The mentor's browser at Google's consent page: returns where Google sends it back."""
    response = httpx.get(url, follow_redirects=False)
    assert response.status_code == 302, response.text
    return response.headers["location"]


@pytest.fixture
def mentor(fake_google: FakeGoogle) -> str:
    fake_google.add_account(MENTOR)
    fake_google.signed_in = MENTOR
    return MENTOR


async def test_connect_end_to_end_with_pkce_and_a_refresh_token(
    fake_google: FakeGoogle, google_settings: Settings, mentor: str
) -> None:
    request = start_authorization(google_settings.google, REDIRECT)
    query = parse_qs(urlsplit(request.url).query)
    assert query["access_type"] == ["offline"]
    assert query["prompt"] == ["consent"]
    assert query["state"] == [request.state]
    assert query["code_challenge_method"] == ["S256"]
    assert set(query["scope"][0].split()) >= REQUIRED_SCOPES | {"openid", "email"}
    assert "https://www.googleapis.com/auth/calendar" not in query["scope"][0].split()

    callback = consent(request.url)
    assert callback.startswith(REDIRECT)
    digest = hashlib.sha256(request.code_verifier.encode()).digest()
    challenge = base64.urlsafe_b64encode(digest).rstrip(b"=").decode()
    assert fake_google.recorded_challenges == [(challenge, "S256")]

    tokens, email = await finish_authorization(
        google_settings.google, REDIRECT, request.state, request.code_verifier, callback
    )
    assert email == mentor
    assert tokens.refresh_token and tokens.access_token and tokens.expiry is not None
    assert set(tokens.scopes) >= REQUIRED_SCOPES
    # The tokens work with the real API client.
    calendars = await GoogleCalendarProvider(google_settings.google).list_calendars(tokens)
    assert [c.id for c in calendars.value] == [mentor]


async def test_wrong_code_verifier_is_refused_by_google(
    fake_google: FakeGoogle, google_settings: Settings, mentor: str
) -> None:
    request = start_authorization(google_settings.google, REDIRECT)
    other = start_authorization(google_settings.google, REDIRECT)
    callback = consent(request.url)
    with pytest.raises(AuthorizationFailed, match="invalid_grant"):
        await finish_authorization(
            google_settings.google, REDIRECT, request.state, other.code_verifier, callback
        )


async def test_forged_state_never_reaches_the_token_endpoint(
    fake_google: FakeGoogle, google_settings: Settings, mentor: str
) -> None:
    request = start_authorization(google_settings.google, REDIRECT)
    attacker = start_authorization(google_settings.google, REDIRECT)
    callback = consent(attacker.url)
    with pytest.raises(AuthorizationFailed):
        await finish_authorization(
            google_settings.google, REDIRECT, request.state, request.code_verifier, callback
        )
    assert fake_google.count("POST", "/token") == 0


async def test_a_code_is_single_use(
    fake_google: FakeGoogle, google_settings: Settings, mentor: str
) -> None:
    request = start_authorization(google_settings.google, REDIRECT)
    callback = consent(request.url)
    args = (google_settings.google, REDIRECT, request.state, request.code_verifier, callback)
    await finish_authorization(*args)
    with pytest.raises(AuthorizationFailed):
        await finish_authorization(*args)


async def test_declined_consent_fails_cleanly(
    fake_google: FakeGoogle, google_settings: Settings, mentor: str
) -> None:
    request = start_authorization(google_settings.google, REDIRECT)
    denied = f"{REDIRECT}?{urlencode({'error': 'access_denied', 'state': request.state})}"
    with pytest.raises(AuthorizationFailed, match="access_denied"):
        await finish_authorization(
            google_settings.google, REDIRECT, request.state, request.code_verifier, denied
        )


async def test_reconnecting_issues_a_new_refresh_token(
    fake_google: FakeGoogle, google_settings: Settings, mentor: str
) -> None:
    # Google only returns a refresh token on a later consent when consent is forced.
    refresh_tokens = []
    for _ in range(2):
        request = start_authorization(google_settings.google, REDIRECT, login_hint=mentor)
        assert parse_qs(urlsplit(request.url).query)["login_hint"] == [mentor]
        tokens, _ = await finish_authorization(
            google_settings.google,
            REDIRECT,
            request.state,
            request.code_verifier,
            consent(request.url),
        )
        refresh_tokens.append(tokens.refresh_token)
    assert all(refresh_tokens) and refresh_tokens[0] != refresh_tokens[1]


async def test_unticked_calendar_scope_is_refused_and_the_grant_revoked(
    fake_google: FakeGoogle, google_settings: Settings, mentor: str
) -> None:
    fake_google.declined_scopes = {EVENTS_OWNED}
    request = start_authorization(google_settings.google, REDIRECT)
    with pytest.raises(ScopesNotGranted) as raised:
        await finish_authorization(
            google_settings.google,
            REDIRECT,
            request.state,
            request.code_verifier,
            consent(request.url),
        )
    assert raised.value.missing == {EVENTS_OWNED}
    assert fake_google.count("POST", "/revoke") == 1
    assert all(grant.revoked for grant in fake_google.grants.values())


async def test_works_without_relaxed_scope_checking(
    fake_google: FakeGoogle,
    google_settings: Settings,
    mentor: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Production does not set OAUTHLIB_RELAX_TOKEN_SCOPE, and Google always answers other
    # scope names than asked ("email" comes back as userinfo.email).
    monkeypatch.delenv("OAUTHLIB_RELAX_TOKEN_SCOPE")
    request = start_authorization(google_settings.google, REDIRECT)
    tokens, email = await finish_authorization(
        google_settings.google, REDIRECT, request.state, request.code_verifier, consent(request.url)
    )
    assert email == mentor
    assert USERINFO_EMAIL in tokens.scopes and tokens.refresh_token


def test_missing_client_configuration_is_a_clear_error() -> None:
    with pytest.raises(RuntimeError, match="GOOGLE_CLIENT_ID"):
        start_authorization(GoogleSettings(), REDIRECT)
