"""pytest plugin: the fake Google as fixtures.

``fake_google`` is a started fake Google (OAuth + Calendar v3) per test; ``google_settings``
are Settings pointing the real Google client libraries at it. Listed in the root conftest's
``pytest_plugins``, so every test can ask for them by name.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from cryptography.fernet import Fernet

from scheduler.platform import Settings
from testkit.fake_google import CLIENT_ID, CLIENT_SECRET, FakeGoogle, running_fake
from testkit.settings import settings_of


@pytest.fixture
def fake_google(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeGoogle]:
    # The fake speaks plain HTTP on 127.0.0.1; oauthlib refuses that unless told otherwise.
    monkeypatch.setenv("OAUTHLIB_INSECURE_TRANSPORT", "1")
    monkeypatch.setenv("OAUTHLIB_RELAX_TOKEN_SCOPE", "1")
    with running_fake() as fake:
        yield fake


@pytest.fixture
def google_settings(fake_google: FakeGoogle) -> Settings:
    return settings_of(
        public_url="https://thotis.test",
        google_client_id=CLIENT_ID,
        google_client_secret=CLIENT_SECRET,
        google_auth_uri=fake_google.auth_uri,
        google_token_uri=fake_google.token_uri,
        google_revoke_uri=fake_google.revoke_uri,
        google_api_base=fake_google.base_url,
        token_keys=(Fernet.generate_key().decode(),),
    )
