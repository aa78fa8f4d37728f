"""Push notifications: parsing Google's headers and checking the channel's secret."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from integrations.google import (
    needs_renewal,
    new_channel_credentials,
    parse_notification,
    token_matches,
)
from scheduler.calendar import WatchChannel

NOW = datetime(2031, 3, 10, 12, 0, tzinfo=UTC)
CHANNEL = WatchChannel(
    id="chan-1",
    resource_id="res-1",
    calendar_id="mentor@example.org",
    token="s3cret-token",
    expiration=NOW + timedelta(days=7),
)


def headers(**overrides: str) -> dict[str, str]:
    base = {
        "X-Goog-Channel-ID": "chan-1",
        "X-Goog-Resource-ID": "res-1",
        "X-Goog-Resource-State": "exists",
        "X-Goog-Message-Number": "7",
        "X-Goog-Channel-Token": "s3cret-token",
        "X-Goog-Channel-Expiration": "Mon, 17 Mar 2031 12:00:00 GMT",
    }
    base.update(overrides)
    return base


def test_a_notification_is_parsed_case_insensitively() -> None:
    lower = {k.lower(): v for k, v in headers().items()}
    for given in (headers(), lower):
        note = parse_notification(given)
        assert note is not None
        assert (note.channel_id, note.resource_id, note.resource_state) == (
            "chan-1",
            "res-1",
            "exists",
        )
        assert note.message_number == 7
        assert note.expiration == datetime(2031, 3, 17, 12, 0, tzinfo=UTC)
        assert token_matches(CHANNEL, note)


def test_other_requests_are_not_notifications() -> None:
    assert parse_notification({"Content-Type": "application/json"}) is None
    assert parse_notification(headers(**{"X-Goog-Resource-State": ""})) is None


def test_forged_or_misdirected_notifications_do_not_match() -> None:
    for bad in (
        headers(**{"X-Goog-Channel-Token": "guess"}),
        headers(**{"X-Goog-Channel-ID": "chan-2"}),
        headers(**{"X-Goog-Resource-ID": "res-2"}),
    ):
        note = parse_notification(bad)
        assert note is not None and not token_matches(CHANNEL, note)
    missing = {k: v for k, v in headers().items() if k != "X-Goog-Channel-Token"}
    note = parse_notification(missing)
    assert note is not None and not token_matches(CHANNEL, note)


def test_garbled_optional_headers_are_tolerated() -> None:
    note = parse_notification(
        headers(**{"X-Goog-Message-Number": "x", "X-Goog-Channel-Expiration": "soon"})
    )
    assert note is not None and note.message_number is None and note.expiration is None


def test_channel_credentials_are_fresh_and_long() -> None:
    first, second = new_channel_credentials(), new_channel_credentials()
    assert first != second
    assert len(first[1]) >= 40


def test_renewal_a_day_before_expiry() -> None:
    assert not needs_renewal(CHANNEL, NOW)
    assert not needs_renewal(CHANNEL, NOW + timedelta(days=5, hours=23))
    assert needs_renewal(CHANNEL, NOW + timedelta(days=6))
    assert needs_renewal(CHANNEL, NOW + timedelta(days=8))
