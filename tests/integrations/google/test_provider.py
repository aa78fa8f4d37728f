"""GoogleCalendarProvider: the real googleapiclient / google-auth against the fake Google."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from uuid import uuid4

import httpx
import pytest

from availability import Interval
from integrations.google import GoogleCalendarProvider
from integrations.google.oauth import FREEBUSY
from scheduler.calendar import (
    CalendarNotFound,
    CalendarUnavailable,
    GoogleTokens,
    WatchChannel,
    event_id_for_series,
    series_for_event_id,
)
from scheduler.platform import PermanentDeliveryError, ReconnectRequired, Settings
from testkit.fake_google import FakeGoogle
from tests.integrations.google.factories import MENTOR, START, Sleeps, booking_view, connected

EVENTS = rf"/calendar/v3/calendars/{MENTOR}/events"
EVENT = EVENTS + r"/[^/]+"
FREEBUSY_PATH = "/calendar/v3/freeBusy"
H = timedelta(hours=1)


@pytest.fixture
def sleeps() -> Sleeps:
    return Sleeps()


@pytest.fixture
def provider(google_settings: Settings, sleeps: Sleeps) -> GoogleCalendarProvider:
    return GoogleCalendarProvider(
        google_settings.google, num_retries=3, timeout_seconds=5, sleep=sleeps
    )


@pytest.fixture
def tokens(fake_google: FakeGoogle) -> GoogleTokens:
    return connected(fake_google)


# --- calendar list -------------------------------------------------------------------------


async def test_list_calendars_with_roles(
    fake_google: FakeGoogle, provider: GoogleCalendarProvider, tokens: GoogleTokens
) -> None:
    fake_google.add_calendar(MENTOR, "cours@group.calendar.google.com", summary="Cours")
    fake_google.add_account("bde@example.org")
    fake_google.share("bde@example.org", MENTOR, "reader")
    result = await provider.list_calendars(tokens)
    by_id = {c.id: c for c in result.value}
    assert set(by_id) == {MENTOR, "cours@group.calendar.google.com", "bde@example.org"}
    assert by_id[MENTOR].primary and by_id[MENTOR].can_receive_events
    assert by_id["cours@group.calendar.google.com"].summary == "Cours"
    assert not by_id["bde@example.org"].can_receive_events
    assert result.refreshed is None


# --- free/busy -----------------------------------------------------------------------------


async def test_free_busy_merges_calendars_and_ignores_free_events(
    fake_google: FakeGoogle, provider: GoogleCalendarProvider, tokens: GoogleTokens
) -> None:
    fake_google.add_calendar(MENTOR, "cours", summary="Cours")
    fake_google.add_busy(MENTOR, START, START + H)
    fake_google.add_busy("cours", START + H / 2, START + 2 * H)
    fake_google.add_busy(MENTOR, START + 3 * H, START + 4 * H, transparent=True)
    fake_google.add_busy(MENTOR, START - 5 * H, START + 30 * H * 24)  # clipped to the range
    result = await provider.free_busy(tokens, [MENTOR, "cours"], START - H, START + 5 * H)
    assert result.value == [Interval(START - H, START + 5 * H)]

    fake_google.calendars[MENTOR].events.clear()
    fake_google.add_busy(MENTOR, START, START + H)
    result = await provider.free_busy(tokens, [MENTOR, "cours"], START - H, START + 5 * H)
    assert result.value == [Interval(START, START + 2 * H)]


async def test_free_busy_batches_calendars_by_fifty(
    fake_google: FakeGoogle, provider: GoogleCalendarProvider, tokens: GoogleTokens
) -> None:
    ids = [MENTOR] + [f"cal{i:03d}" for i in range(59)]
    for calendar_id in ids[1:]:
        fake_google.add_calendar(MENTOR, calendar_id, summary=calendar_id)
    fake_google.add_busy(ids[-1], START, START + H)  # only in the second batch
    result = await provider.free_busy(tokens, ids, START - H, START + 2 * H)
    assert result.value == [Interval(START, START + H)]
    assert fake_google.count("POST", FREEBUSY_PATH) == 2


async def test_free_busy_chunks_long_ranges_and_joins_across_chunks(
    fake_google: FakeGoogle, provider: GoogleCalendarProvider, tokens: GoogleTokens
) -> None:
    begin = START
    boundary = begin + timedelta(days=60)
    fake_google.add_busy(MENTOR, boundary - H, boundary + H)  # straddles the chunk boundary
    fake_google.add_busy(MENTOR, begin + timedelta(days=100), begin + timedelta(days=100) + H)
    result = await provider.free_busy(tokens, [MENTOR], begin, begin + timedelta(days=120))
    assert result.value == [
        Interval(boundary - H, boundary + H),
        Interval(begin + timedelta(days=100), begin + timedelta(days=100) + H),
    ]
    assert fake_google.count("POST", FREEBUSY_PATH) == 2
    await provider.free_busy(tokens, [MENTOR], begin, begin + timedelta(days=121))
    assert fake_google.count("POST", FREEBUSY_PATH) == 2 + 3


async def test_the_fake_enforces_googles_free_busy_limits(
    fake_google: FakeGoogle, tokens: GoogleTokens
) -> None:
    # The batching and chunking tests above mean something only if the fake refuses what
    # Google refuses.
    assert await _raw_free_busy(fake_google, tokens, [MENTOR], timedelta(days=91)) == (
        400,
        "timeRangeTooLong",
    )
    assert await _raw_free_busy(fake_google, tokens, [MENTOR] * 51, timedelta(days=1)) == (
        400,
        "tooManyCalendarsRequested",
    )
    assert (await _raw_free_busy(fake_google, tokens, [MENTOR] * 50, timedelta(days=90)))[0] == 200


async def _raw_free_busy(
    fake: FakeGoogle, tokens: GoogleTokens, ids: list[str], span: timedelta
) -> tuple[int, str | None]:
    body = {
        "timeMin": START.isoformat(),
        "timeMax": (START + span).isoformat(),
        "items": [{"id": i} for i in ids],
    }
    async with httpx.AsyncClient() as client:
        answer = await client.post(
            f"{fake.base_url}{FREEBUSY_PATH}",
            json=body,
            headers={"Authorization": f"Bearer {tokens.access_token}"},
        )
    if answer.status_code == 200:
        return 200, None
    return answer.status_code, answer.json()["error"]["errors"][0]["reason"]


async def test_a_calendar_gone_from_the_account_is_reported_by_id(
    fake_google: FakeGoogle, provider: GoogleCalendarProvider, tokens: GoogleTokens
) -> None:
    with pytest.raises(CalendarNotFound) as raised:
        await provider.free_busy(tokens, [MENTOR, "deleted-calendar"], START, START + H)
    assert raised.value.calendar_id == "deleted-calendar"


async def test_empty_queries_make_no_call(
    fake_google: FakeGoogle, provider: GoogleCalendarProvider, tokens: GoogleTokens
) -> None:
    assert (await provider.free_busy(tokens, [], START, START + H)).value == []
    assert (await provider.free_busy(tokens, [MENTOR], START, START)).value == []
    assert fake_google.count() == 0
    with pytest.raises(TypeError):
        await provider.free_busy(tokens, MENTOR, START, START + H)


# --- events --------------------------------------------------------------------------------


async def test_upsert_creates_one_event_with_a_meet_link(
    fake_google: FakeGoogle,
    provider: GoogleCalendarProvider,
    tokens: GoogleTokens,
    sleeps: Sleeps,
) -> None:
    fake_google.meet_pending_reads = 3
    view = booking_view(mentor_join_url="https://thotis.test/join/mentor-token")
    ref = (await provider.upsert_event(tokens, MENTOR, view)).value
    assert ref.event_id == event_id_for_series(view.series_id) == view.series_id.hex
    assert series_for_event_id(ref.event_id) == view.series_id
    assert ref.meet_url and ref.meet_url.startswith("https://meet.google.com/")
    assert ref.html_link
    [event] = fake_google.live_events(MENTOR)
    assert event["hangoutLink"] == ref.meet_url
    # The visitor's address never reaches the mentor's calendar: no attendee, and nowhere in
    # what was sent; the mentor reads the first name, the question and their join link.
    assert event["attendees"] == []
    assert view.visitor_email not in json.dumps(event, ensure_ascii=False)
    assert "Léa" in event["description"] and view.visitor_question in event["description"]
    assert "https://thotis.test/join/mentor-token" in event["description"]
    assert event["location"] == "https://thotis.test/join/mentor-token"
    assert event["start"] == {"dateTime": "2031-03-10T14:00:00Z", "timeZone": "Europe/Paris"}
    assert event["_send_updates"] == "none"  # Thotis sends its own invitations
    assert "Droit" in event["summary"] and "Léa" in event["summary"]
    assert fake_google.count("GET", EVENT) == 3  # polled until the conference was ready
    assert len(sleeps.calls) == 3


async def test_upsert_survives_a_lost_answer_without_duplicating(
    fake_google: FakeGoogle, provider: GoogleCalendarProvider, tokens: GoogleTokens
) -> None:
    # Google creates the event but the answer never arrives; the client sends the insert
    # again, Google says 409 (the id exists), and the adapter patches the same event.
    fake_google.fail(EVENTS, "drop", method="POST")
    view = booking_view()
    ref = (await provider.upsert_event(tokens, MENTOR, view)).value
    assert ref.meet_url
    assert [e["id"] for e in fake_google.live_events(MENTOR)] == [view.series_id.hex]
    assert fake_google.count("POST", EVENTS) == 2
    assert [e.status for e in fake_google.requests("POST", EVENTS)] == ["drop", 409]
    assert fake_google.count("PATCH", EVENT) == 1


async def test_upsert_after_a_timeout_does_not_duplicate(
    fake_google: FakeGoogle, google_settings: Settings, tokens: GoogleTokens
) -> None:
    impatient = GoogleCalendarProvider(
        google_settings.google, num_retries=2, timeout_seconds=0.3, sleep=Sleeps()
    )
    fake_google.fail(EVENTS, "hang", method="POST")
    view = booking_view()
    ref = (await impatient.upsert_event(tokens, MENTOR, view)).value
    assert ref.meet_url
    assert len(fake_google.live_events(MENTOR)) == 1
    assert fake_google.count("POST", EVENTS) == 2


async def test_redelivery_after_a_failed_delivery_keeps_one_event(
    fake_google: FakeGoogle, provider: GoogleCalendarProvider, tokens: GoogleTokens
) -> None:
    # Every answer is lost: the outbox row fails (transient) although Google made the event.
    fake_google.fail(EVENTS, "drop", method="POST", times=50)
    view = booking_view()
    with pytest.raises(CalendarUnavailable):
        await provider.upsert_event(tokens, MENTOR, view)
    assert len(fake_google.live_events(MENTOR)) == 1
    fake_google.faults.clear()
    # The worker retries the row later.
    ref = (await provider.upsert_event(tokens, MENTOR, view)).value
    [event] = fake_google.live_events(MENTOR)
    assert ref.event_id == event["id"] and ref.meet_url == event["hangoutLink"]


async def test_meet_still_pending_is_transient(
    fake_google: FakeGoogle, google_settings: Settings, tokens: GoogleTokens
) -> None:
    fake_google.meet_pending_reads = 10
    hasty = GoogleCalendarProvider(google_settings.google, meet_polls=2, sleep=Sleeps())
    view = booking_view()
    with pytest.raises(CalendarUnavailable, match="pending"):
        await hasty.upsert_event(tokens, MENTOR, view)
    ref = (await provider_with_patience(google_settings).upsert_event(tokens, MENTOR, view)).value
    assert ref.meet_url
    [event] = fake_google.live_events(MENTOR)
    assert event["conferenceData"]["createRequest"]["status"]["statusCode"] == "success"


def provider_with_patience(settings: Settings) -> GoogleCalendarProvider:
    return GoogleCalendarProvider(settings.google, meet_polls=20, sleep=Sleeps())


async def test_reschedule_moves_the_same_event_and_keeps_its_meet(
    fake_google: FakeGoogle, provider: GoogleCalendarProvider, tokens: GoogleTokens
) -> None:
    first = booking_view()
    created = (await provider.upsert_event(tokens, MENTOR, first)).value
    moved = booking_view(
        series_id=first.series_id,
        start=START + timedelta(days=1),
        booking_id=uuid4(),
        sequence=1,
        previous_start=first.start,
    )
    updated = (await provider.upsert_event(tokens, MENTOR, moved)).value
    assert updated.event_id == created.event_id
    assert updated.meet_url == created.meet_url
    [event] = fake_google.live_events(MENTOR)
    assert event["start"]["dateTime"] == "2031-03-11T14:00:00Z"
    assert event["extendedProperties"]["private"]["thotisBookingId"] == str(moved.booking_id)
    assert fake_google.count("PATCH", EVENT) == 1


async def test_a_booking_event_deleted_by_the_mentor_comes_back_on_update(
    fake_google: FakeGoogle, provider: GoogleCalendarProvider, tokens: GoogleTokens
) -> None:
    view = booking_view()
    ref = (await provider.upsert_event(tokens, MENTOR, view)).value
    fake_google.delete_event(MENTOR, ref.event_id)
    assert fake_google.live_events(MENTOR) == []
    await provider.upsert_event(tokens, MENTOR, view)
    assert [e["id"] for e in fake_google.live_events(MENTOR)] == [ref.event_id]


async def test_cancel_deletes_and_is_idempotent(
    fake_google: FakeGoogle, provider: GoogleCalendarProvider, tokens: GoogleTokens
) -> None:
    view = booking_view()
    await provider.upsert_event(tokens, MENTOR, view)
    await provider.cancel_event(tokens, MENTOR, view.series_id)
    assert fake_google.live_events(MENTOR) == []
    await provider.cancel_event(tokens, MENTOR, view.series_id)  # 410: gone already
    await provider.cancel_event(tokens, MENTOR, uuid4())  # 404: never existed
    assert [e.status for e in fake_google.requests("DELETE", EVENT)] == [204, 410, 404]
    assert all(
        e.query.get("sendUpdates") == ["none"] for e in fake_google.requests("DELETE", EVENT)
    )


async def test_cancelled_views_are_not_upserted(
    provider: GoogleCalendarProvider, tokens: GoogleTokens
) -> None:
    with pytest.raises(ValueError, match="cancel_event"):
        await provider.upsert_event(tokens, MENTOR, booking_view(status="cancelled"))


async def test_writing_to_a_calendar_without_write_access_is_permanent(
    fake_google: FakeGoogle, provider: GoogleCalendarProvider, tokens: GoogleTokens
) -> None:
    fake_google.add_account("bde@example.org")
    fake_google.share("bde@example.org", MENTOR, "reader")
    with pytest.raises(PermanentDeliveryError):
        await provider.upsert_event(tokens, "bde@example.org", booking_view())


# --- retries and failures ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "reason"),
    [
        (500, None),
        (503, None),
        (429, None),
        (403, "rateLimitExceeded"),
        (403, "userRateLimitExceeded"),
    ],
)
async def test_transient_answers_are_retried(
    fake_google: FakeGoogle,
    provider: GoogleCalendarProvider,
    tokens: GoogleTokens,
    sleeps: Sleeps,
    kind: int,
    reason: str | None,
) -> None:
    fake_google.add_busy(MENTOR, START, START + H)
    fake_google.fail(FREEBUSY_PATH, kind, times=2, reason=reason)
    result = await provider.free_busy(tokens, [MENTOR], START, START + 2 * H)
    assert result.value == [Interval(START, START + H)]
    assert fake_google.count("POST", FREEBUSY_PATH) == 3
    assert len(sleeps.calls) == 2  # with back-off between the attempts


async def test_persistent_5xx_becomes_calendar_unavailable(
    fake_google: FakeGoogle, provider: GoogleCalendarProvider, tokens: GoogleTokens
) -> None:
    fake_google.fail(FREEBUSY_PATH, 500, times=10)
    with pytest.raises(CalendarUnavailable):
        await provider.free_busy(tokens, [MENTOR], START, START + H)
    assert fake_google.count("POST", FREEBUSY_PATH) == 4  # num_retries=3


async def test_a_plain_403_is_not_retried(
    fake_google: FakeGoogle, provider: GoogleCalendarProvider, tokens: GoogleTokens
) -> None:
    fake_google.fail(FREEBUSY_PATH, 403, reason="forbidden")
    with pytest.raises(PermanentDeliveryError):
        await provider.free_busy(tokens, [MENTOR], START, START + H)
    assert fake_google.count("POST", FREEBUSY_PATH) == 1


async def test_google_down_is_calendar_unavailable_then_recovers(
    fake_google: FakeGoogle, provider: GoogleCalendarProvider, tokens: GoogleTokens
) -> None:
    fake_google.go_down()
    with pytest.raises(CalendarUnavailable):
        await provider.free_busy(tokens, [MENTOR], START, START + H)
    with pytest.raises(CalendarUnavailable):
        await provider.upsert_event(tokens, MENTOR, booking_view())
    fake_google.come_back()
    assert (await provider.free_busy(tokens, [MENTOR], START, START + H)).value == []


async def test_google_down_during_token_refresh_is_calendar_unavailable(
    fake_google: FakeGoogle, provider: GoogleCalendarProvider
) -> None:
    expired = connected(fake_google, expiry=datetime.now(UTC) - H)
    fake_google.go_down()
    with pytest.raises(CalendarUnavailable):
        await provider.list_calendars(expired)
    fake_google.come_back()


async def test_google_answering_503_everywhere_is_calendar_unavailable(
    fake_google: FakeGoogle, provider: GoogleCalendarProvider, tokens: GoogleTokens
) -> None:
    fake_google.all_503 = True
    with pytest.raises(CalendarUnavailable):
        await provider.upsert_event(tokens, MENTOR, booking_view())
    fake_google.all_503 = False
    assert fake_google.live_events(MENTOR) == []


async def test_revoked_refresh_token_requires_reconnection(
    fake_google: FakeGoogle, provider: GoogleCalendarProvider
) -> None:
    expired = connected(fake_google, expiry=datetime.now(UTC) - H)
    fake_google.revoke_account(MENTOR)
    with pytest.raises(ReconnectRequired):
        await provider.upsert_event(expired, MENTOR, booking_view())
    assert [e.status for e in fake_google.requests("POST", "/token")] == [400]
    assert fake_google.live_events(MENTOR) == []


async def test_access_token_refused_then_refresh_refused_requires_reconnection(
    fake_google: FakeGoogle, provider: GoogleCalendarProvider, tokens: GoogleTokens
) -> None:
    # Google answers 401 to an access token we thought valid; the refresh says invalid_grant.
    fake_google.revoke_account(MENTOR)
    with pytest.raises(ReconnectRequired):
        await provider.free_busy(tokens, [MENTOR], START, START + H)


async def test_scripted_invalid_grant_requires_reconnection(
    fake_google: FakeGoogle, provider: GoogleCalendarProvider
) -> None:
    expired = connected(fake_google, expiry=datetime.now(UTC) - H)
    fake_google.fail("/token", "invalid_grant")
    with pytest.raises(ReconnectRequired):
        await provider.list_calendars(expired)


async def test_a_grant_missing_the_events_scope_requires_reconnection(
    fake_google: FakeGoogle, provider: GoogleCalendarProvider
) -> None:
    narrow = connected(fake_google, scopes=frozenset({"openid", FREEBUSY}))
    assert (await provider.free_busy(narrow, [MENTOR], START, START + H)).value == []
    with pytest.raises(ReconnectRequired):
        await provider.upsert_event(narrow, MENTOR, booking_view())


# --- refreshed tokens ----------------------------------------------------------------------


async def test_an_expired_access_token_is_refreshed_and_returned(
    fake_google: FakeGoogle, provider: GoogleCalendarProvider
) -> None:
    expired = connected(fake_google, expiry=datetime.now(UTC) - H)
    result = await provider.list_calendars(expired)
    refreshed = result.refreshed
    assert refreshed is not None
    assert refreshed.access_token not in (None, expired.access_token)
    assert refreshed.refresh_token == expired.refresh_token
    assert refreshed.expiry is not None and refreshed.expiry > datetime.now(UTC)
    assert refreshed.scopes == expired.scopes
    assert fake_google.count("POST", "/token") == 1
    # The caller persists them; the next call needs no refresh.
    again = await provider.list_calendars(refreshed)
    assert again.refreshed is None
    assert fake_google.count("POST", "/token") == 1


async def test_a_401_triggers_a_refresh_whose_tokens_are_returned(
    fake_google: FakeGoogle, provider: GoogleCalendarProvider, tokens: GoogleTokens
) -> None:
    fake_google.expire_access_tokens()  # Google expired it earlier than announced
    result = await provider.upsert_event(tokens, MENTOR, booking_view())
    assert result.value.meet_url
    assert result.refreshed is not None
    assert result.refreshed.access_token != tokens.access_token
    assert len(fake_google.live_events(MENTOR)) == 1


# --- sync ----------------------------------------------------------------------------------


async def test_sync_full_then_incremental_then_expired(
    fake_google: FakeGoogle, provider: GoogleCalendarProvider, tokens: GoogleTokens
) -> None:
    own = fake_google.add_busy(MENTOR, START, START + H)
    view = booking_view(start=START + 2 * H)
    booked = (await provider.upsert_event(tokens, MENTOR, view)).value

    full = (await provider.sync(tokens, MENTOR, None, full_sync_from=START - H)).value
    assert full.full and not full.needs_full_resync and full.next_sync_token
    by_id = {e.event_id: e for e in full.changed}
    assert set(by_id) == {own, booked.event_id}
    assert by_id[booked.event_id].series_id == view.series_id
    assert by_id[own].series_id is None
    assert by_id[own].start == START and by_id[own].end == START + H

    nothing = (await provider.sync(tokens, MENTOR, full.next_sync_token)).value
    assert nothing.changed == () and nothing.deleted == () and not nothing.full

    # The mentor deletes the booking's event and moves their own in Google Calendar.
    fake_google.delete_event(MENTOR, booked.event_id)
    fake_google.move_event(MENTOR, own, START + 5 * H, START + 6 * H)
    delta = (await provider.sync(tokens, MENTOR, nothing.next_sync_token)).value
    assert delta.deleted == (booked.event_id,)
    assert [(e.event_id, e.start) for e in delta.changed] == [(own, START + 5 * H)]
    assert series_for_event_id(delta.deleted[0]) == view.series_id

    fake_google.invalidate_sync_tokens(MENTOR)
    gone = (await provider.sync(tokens, MENTOR, delta.next_sync_token)).value
    assert gone.needs_full_resync and gone.next_sync_token is None
    resynced = (await provider.sync(tokens, MENTOR, None)).value
    assert resynced.full and resynced.next_sync_token
    assert [e.event_id for e in resynced.changed] == [own]


async def test_sync_follows_pages(
    fake_google: FakeGoogle, provider: GoogleCalendarProvider, tokens: GoogleTokens
) -> None:
    for day in range(260):
        fake_google.add_busy(MENTOR, START + timedelta(days=day), START + timedelta(days=day) + H)
    full = (await provider.sync(tokens, MENTOR, None)).value
    assert len(full.changed) == 260 and full.next_sync_token
    assert fake_google.count("GET", EVENTS) == 2


# --- push channels and revocation ----------------------------------------------------------


async def test_watch_and_stop_a_channel(
    fake_google: FakeGoogle, provider: GoogleCalendarProvider, tokens: GoogleTokens
) -> None:
    before = datetime.now(UTC)
    channel = (
        await provider.watch(
            tokens,
            MENTOR,
            channel_id="chan-1",
            address="https://thotis.test/google/push",
            channel_token="s3cret",
            ttl=timedelta(days=7),
        )
    ).value
    assert isinstance(channel, WatchChannel)
    assert channel.id == "chan-1" and channel.token == "s3cret" and channel.resource_id
    assert (
        before + timedelta(days=7) - H < channel.expiration <= datetime.now(UTC) + timedelta(days=7)
    )
    assert fake_google.channels["chan-1"].token == "s3cret"
    await provider.stop_channel(tokens, channel)
    assert fake_google.channels["chan-1"].stopped
    await provider.stop_channel(tokens, channel)  # already stopped: fine


async def test_watch_needs_an_https_address(
    fake_google: FakeGoogle, provider: GoogleCalendarProvider, tokens: GoogleTokens
) -> None:
    with pytest.raises(PermanentDeliveryError):
        await provider.watch(
            tokens,
            MENTOR,
            channel_id="chan-2",
            address="http://127.0.0.1:8000/google/push",
            channel_token="t",
            ttl=timedelta(days=1),
        )


async def test_revoke_ends_the_grant_and_is_idempotent(
    fake_google: FakeGoogle, provider: GoogleCalendarProvider, tokens: GoogleTokens
) -> None:
    await provider.revoke(tokens)
    assert all(grant.revoked for grant in fake_google.grants.values())
    with pytest.raises(ReconnectRequired):
        await provider.list_calendars(tokens)
    await provider.revoke(tokens)  # revoked already: fine
    fake_google.go_down()
    with pytest.raises(CalendarUnavailable):
        await provider.revoke(tokens)
    fake_google.come_back()


def test_the_event_body_never_carries_the_visitors_address() -> None:
    """What the engine sends to the mentor's Google calendar, on insert and on patch alike."""
    from integrations.google._events import event_body, insert_body

    view = booking_view(mentor_join_url="https://thotis.test/join/m")
    for body in (event_body(view), insert_body(view)):
        text = json.dumps(body, ensure_ascii=False)
        assert view.visitor_email not in text
        assert body["attendees"] == []
        assert "https://thotis.test/join/m" in body["description"]
        assert view.visitor_first_name in body["summary"]
        assert view.manage_url not in text  # the visitor's credential stays theirs
