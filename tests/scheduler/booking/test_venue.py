"""The venue rule and the join tokens: pure functions, checked without a database."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from scheduler.booking import (
    VenueKind,
    choose_venue,
    join_phase,
    join_token,
    join_url,
    read_join_token,
)
from scheduler.booking.venue import InvalidJoinToken, jitsi_room
from scheduler.catalog.links import valid_meeting_link
from scheduler.platform import ValidationFailed

SECRET = "a-test-secret"
SERIES = uuid.UUID("0b5e2c1a-6a41-4d8e-9e55-3f1d2c7b9a10")


def venue(**changes: object):  # type: ignore[no-untyped-def]
    args: dict[str, object] = {
        "own_link": None,
        "meet_url": None,
        "jitsi_base_url": "https://meet.jit.si",
        "secret": SECRET,
        "series_id": SERIES,
    }
    return choose_venue(**(args | changes))  # type: ignore[arg-type]


def test_without_meet_or_own_link_the_call_is_a_jitsi_room_named_from_the_series() -> None:
    chosen = venue()
    assert chosen.kind is VenueKind.JITSI
    assert chosen.url == f"https://meet.jit.si/{jitsi_room(SECRET, SERIES)}"
    assert venue(jitsi_base_url="https://visio.example.org/").url == (
        f"https://visio.example.org/{jitsi_room(SECRET, SERIES)}"
    )


def test_the_jitsi_room_is_stable_per_series_and_unguessable_without_the_secret() -> None:
    room = jitsi_room(SECRET, SERIES)
    assert room == jitsi_room(SECRET, SERIES)
    assert room != jitsi_room(SECRET, uuid.uuid4())
    assert room != jitsi_room("another-secret", SERIES)
    assert str(SERIES) not in room and SERIES.hex not in room.lower()
    assert room.isalnum() and len(room) == len("Thotis") + 26


def test_a_meet_link_is_used_once_the_calendar_wrote_it_back() -> None:
    chosen = venue(meet_url="https://meet.google.com/abc-defg-hij")
    assert (chosen.kind, chosen.url) == (
        VenueKind.GOOGLE_MEET,
        "https://meet.google.com/abc-defg-hij",
    )


def test_the_mentors_own_link_comes_first() -> None:
    chosen = venue(own_link="https://zoom.us/j/123", meet_url="https://meet.google.com/x")
    assert (chosen.kind, chosen.url) == (VenueKind.OWN_LINK, "https://zoom.us/j/123")


@given(st.uuids(), st.sampled_from(["visitor", "mentor"]))
def test_a_join_token_reads_back_as_its_series_and_party(series: uuid.UUID, party: str) -> None:
    token = join_token(SECRET, series, party)  # type: ignore[arg-type]
    assert len(token) == 44 and token == join_token(SECRET, series, party)  # type: ignore[arg-type]
    assert read_join_token(SECRET, token) == (series, party)


def test_the_two_parties_get_different_tokens_and_the_url_carries_them() -> None:
    visitor, mentor = join_token(SECRET, SERIES, "visitor"), join_token(SECRET, SERIES, "mentor")
    assert visitor != mentor
    assert join_url("https://rdv.thotis.fr/", SECRET, SERIES, "visitor") == (
        f"https://rdv.thotis.fr/join/{visitor}"
    )


@pytest.mark.parametrize(
    "token",
    ["", "abc", "x" * 44, "é" * 44, "=" * 44],
)
def test_malformed_tokens_are_refused(token: str) -> None:
    with pytest.raises(InvalidJoinToken):
        read_join_token(SECRET, token)


def test_a_token_from_another_key_or_with_a_changed_party_is_refused() -> None:
    with pytest.raises(InvalidJoinToken):
        read_join_token("another-secret", join_token(SECRET, SERIES, "visitor"))
    # Turning the visitor's token into the mentor's: the party byte is under the MAC.
    import base64

    raw = bytearray(base64.urlsafe_b64decode(join_token(SECRET, SERIES, "visitor") + "="))
    raw[16] = ord("m")
    forged = base64.urlsafe_b64encode(bytes(raw)).decode().rstrip("=")
    with pytest.raises(InvalidJoinToken):
        read_join_token(SECRET, forged)


def test_the_link_opens_fifteen_minutes_before_the_start_until_the_end() -> None:
    start = datetime(2030, 1, 8, 17, 0, tzinfo=UTC)
    end = start + timedelta(minutes=15)
    minute = timedelta(minutes=1)
    assert join_phase(start, end, start - timedelta(minutes=15) - minute) == "waiting"
    assert join_phase(start, end, start - timedelta(minutes=15)) == "open"
    assert join_phase(start, end, end - minute) == "open"
    assert join_phase(start, end, end) == "ended"


@pytest.mark.parametrize(
    "link",
    ["https://zoom.us/j/123?pwd=x", "  https://teams.microsoft.com/l/meetup-join/abc  "],
)
def test_a_mentors_own_https_link_is_accepted(link: str) -> None:
    assert valid_meeting_link(link) == link.strip()


@pytest.mark.parametrize(
    "link",
    [
        "http://zoom.us/j/123",
        "javascript:alert(1)",
        "https://localhost/x",
        "https://user:pw@zoom.us/j/1",
        "https://zoom.us/j/1 2",
        "https://zoom.us:port/j",
        "https://zoom.us/" + "a" * 500,
        "zoom.us/j/123",
    ],
)
def test_other_links_are_refused(link: str) -> None:
    with pytest.raises(ValidationFailed):
        valid_meeting_link(link)


def test_the_jitsi_server_is_a_setting() -> None:
    from scheduler.platform import Settings

    assert Settings.from_env({}).video.jitsi_base_url == "https://meet.jit.si"
    custom = Settings.from_env({"JITSI_BASE_URL": "https://visio.thotis.fr/"})
    assert custom.video.jitsi_base_url == "https://visio.thotis.fr"
