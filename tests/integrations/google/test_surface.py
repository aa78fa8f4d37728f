"""The adapter's public surface, and the engine's independence from Google's libraries."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import integrations.google


def test_public_names_are_the_intended_ones() -> None:
    assert set(integrations.google.__all__) == {
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
    }
    for name in integrations.google.__all__:
        assert getattr(integrations.google, name) is not None


def test_the_engine_interfaces_load_no_google_library() -> None:
    code = (
        "import sys, scheduler.calendar.ports, scheduler.calendar.secrets; "
        "loaded = [m for m in sys.modules if m.split('.')[0] in "
        "('googleapiclient', 'google', 'google_auth_oauthlib', 'httplib2', 'oauthlib')]; "
        "assert not loaded, loaded"
    )
    root = Path(__file__).resolve().parents[3]
    subprocess.run([sys.executable, "-c", code], check=True, cwd=root)
