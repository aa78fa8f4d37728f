"""Google Calendar end to end: the real app, real PostgreSQL, the real Google client libraries
against the fake Google. Nothing is patched: the app's calendar adapter is the production
``GoogleCalendarProvider`` pointed at the fake (and told not to sleep between retries)."""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from uuid import UUID

import httpx
import pytest
import pytest_asyncio
from litestar.testing import AsyncTestClient
from sqlalchemy import select

from api.wiring import Parts, build_handlers
from integrations.google import GoogleCalendarProvider
from scheduler.booking import BookingRow
from scheduler.calendar import (
    BusyFetchState,
    CalendarConnection,
    CalendarService,
    SecretBox,
    calendar_handlers,
    event_id_for_series,
    open_tokens,
)
from scheduler.identity import credentials as credentials
from scheduler.platform import Actor, Database, OutboxRow, Settings, outbox
from scheduler.schedules import ExternalBusy
from testkit.factories import Clock
from testkit.fake_google import FakeGoogle
from testkit.settings import changed
from tests.api.conftest import World
from tests.integrations.google.factories import Sleeps

LEA = "lea@example.org"
EVENTS = r"/calendar/v3/calendars/[^/]+/events"
FREEBUSY = r"/calendar/v3/freeBusy"
# Monday 30 November 2026, 18:00 in Paris: the first slot of Léa's evening.
FIRST = datetime.fromisoformat("2026-11-30T17:00:00+00:00")


@pytest.fixture
def settings(database_url: str, google_settings: Settings, tmp_path: Path) -> Settings:
    return changed(
        google_settings,
        database_url=database_url,
        public_url="https://thotis.test",
        cors_origins=("https://www.thotis.fr",),
        booking_rate_limit_per_minute=1000,
        seed_demo=False,
        embedded_worker=False,
        mail_dir=tmp_path / "mail",
    )


@pytest.fixture
def provider(settings: Settings) -> GoogleCalendarProvider:
    return GoogleCalendarProvider(settings.google, num_retries=2, timeout_seconds=5, sleep=Sleeps())


@pytest_asyncio.fixture(loop_scope="session")
async def client(
    settings: Settings, db: Database, clock: Clock, provider: GoogleCalendarProvider
) -> AsyncIterator[AsyncTestClient]:  # type: ignore[type-arg]
    from api.app import create_app
    from api.wiring import build_parts

    parts = build_parts(settings, Database.from_url(settings.db.url or ""), clock=clock)
    parts = dataclasses.replace(parts, calendar=provider, calendar_check=provider)
    app = create_app(settings, parts)
    async with AsyncTestClient(app=app, base_url="https://thotis.test") as test_client:
        yield test_client


@pytest.fixture
def service(
    db: Database, settings: Settings, provider: GoogleCalendarProvider, clock: Clock
) -> CalendarService:
    return CalendarService(db, provider, settings, clock=clock)


@pytest_asyncio.fixture(loop_scope="session")
async def lea_token(db: Database, world: World) -> str:
    async with db.session() as session:
        token = await credentials.create_mentor_token(session, world.mentor_id, Actor.staff("t"))
        await session.commit()
    return token


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def connect(client: AsyncTestClient, token: str, fake: FakeGoogle) -> httpx.Response:  # type: ignore[type-arg]
    """The mentor's whole journey: our URL, Google's consent (the fake approves), our callback."""
    if LEA not in fake.calendars:
        fake.add_account(LEA)
    fake.signed_in = LEA
    started = await client.get("/v1/me/google/connect", headers=bearer(token))
    assert started.status_code == 200, started.text
    url = started.json()["authorization_url"]
    assert url.startswith(fake.auth_uri)
    consent = httpx.get(url, follow_redirects=False)
    assert consent.status_code == 302
    back = httpx.URL(consent.headers["location"])
    assert str(back).startswith("https://thotis.test/v1/google/callback?")
    return await client.get(f"/v1/google/callback?{back.query.decode()}")


async def drain_calendar(db: Database, service: CalendarService, clock: Clock) -> int:
    return await outbox.drain(
        db, calendar_handlers(service), worker_id="test", max_attempts=8, now=clock
    )


async def slot_starts(client: AsyncTestClient, mentor_id: UUID) -> set[datetime]:  # type: ignore[type-arg]
    answer = await client.get(
        f"/v1/mentors/{mentor_id}/slots",
        params={"from": "2026-11-30T00:00:00+00:00", "to": "2026-12-01T00:00:00+00:00"},
    )
    assert answer.status_code == 200, answer.text
    return {
        datetime.fromisoformat(slot["start"])
        for day in answer.json()["days"]
        for slot in day["slots"]
    }


async def book(client: AsyncTestClient, mentor_id: UUID, start: datetime) -> dict[str, Any]:  # type: ignore[type-arg]
    answer = await client.post(
        "/v1/bookings",
        json={
            "mentor_id": str(mentor_id),
            "start": start.isoformat(),
            "first_name": "Inès",
            "email": "ines@example.org",
            "consent": True,
        },
    )
    assert answer.status_code == 201, answer.text
    body: dict[str, Any] = answer.json()
    return body


async def calendar_rows(db: Database, booking_id: UUID) -> list[OutboxRow]:
    async with db.session() as session:
        rows = (
            await session.execute(
                select(OutboxRow).where(
                    OutboxRow.kind.in_(["calendar.upsert_event", "calendar.cancel_event"]),
                    OutboxRow.payload["booking_id"].astext == str(booking_id),
                )
            )
        ).scalars()
        return list(rows)


# --- connecting -------------------------------------------------------------------------------


async def test_connect_end_to_end_stores_the_tokens_encrypted(
    client: AsyncTestClient,  # type: ignore[type-arg]
    fake_google: FakeGoogle,
    lea_token: str,
    world: World,
    db: Database,
    settings: Settings,
) -> None:
    page = await connect(client, lea_token, fake_google)
    assert page.status_code == 200, page.text
    assert "Google Agenda est connecté" in page.text
    assert fake_google.recorded_challenges[-1][1] == "S256"

    async with db.session() as session:
        row = await session.get(CalendarConnection, world.mentor_id)
    assert row is not None
    assert row.google_email == LEA and row.status == "active"
    # The primary calendar is the default for both busy time and events.
    assert row.busy_calendar_ids == [LEA] and row.events_calendar_id == LEA
    tokens = open_tokens(SecretBox(settings.secrets), row.sealed_tokens)
    assert tokens.refresh_token and tokens.refresh_token not in row.sealed_tokens
    assert tokens.access_token and tokens.access_token not in row.sealed_tokens

    status = (await client.get("/v1/me/google/status", headers=bearer(lea_token))).json()
    assert status["connected"] and status["email"] == LEA and not status["stale"]


async def test_the_oauth_state_is_single_use(
    client: AsyncTestClient,  # type: ignore[type-arg]
    fake_google: FakeGoogle,
    lea_token: str,
) -> None:
    fake_google.add_account(LEA)
    fake_google.signed_in = LEA
    started = await client.get("/v1/me/google/connect", headers=bearer(lea_token))
    consent = httpx.get(started.json()["authorization_url"], follow_redirects=False)
    query = httpx.URL(consent.headers["location"]).query.decode()
    assert (await client.get(f"/v1/google/callback?{query}")).status_code == 200
    replayed = await client.get(f"/v1/google/callback?{query}")
    assert replayed.status_code == 400
    assert "déjà utilisé" in replayed.text
    forged = await client.get("/v1/google/callback?state=forged&code=x")
    assert forged.status_code == 400


async def test_connect_needs_a_mentor_token(client: AsyncTestClient) -> None:  # type: ignore[type-arg]
    answer = await client.get("/v1/me/google/connect")
    assert answer.status_code == 401
    assert answer.json()["code"] == "unauthorized"


async def test_choose_calendars_validates_against_google(
    client: AsyncTestClient,  # type: ignore[type-arg]
    fake_google: FakeGoogle,
    lea_token: str,
) -> None:
    await connect(client, lea_token, fake_google)
    fake_google.add_calendar(LEA, "cours", summary="Cours")
    fake_google.add_account("bde@example.org")
    fake_google.share("bde@example.org", LEA, "reader")
    listed = (await client.get("/v1/me/google/calendars", headers=bearer(lea_token))).json()
    by_id = {c["id"]: c for c in listed["calendars"]}
    assert by_id[LEA]["events"] and by_id[LEA]["busy"]
    assert not by_id["bde@example.org"]["can_receive_events"]

    refused = await client.put(
        "/v1/me/google/calendars",
        headers=bearer(lea_token),
        json={"busy": [LEA], "events": "bde@example.org"},
    )
    assert refused.status_code == 422
    unknown = await client.put(
        "/v1/me/google/calendars", headers=bearer(lea_token), json={"busy": ["nope"]}
    )
    assert unknown.status_code == 422
    chosen = await client.put(
        "/v1/me/google/calendars",
        headers=bearer(lea_token),
        json={"busy": [LEA, "cours", "bde@example.org"], "events": "cours"},
    )
    assert chosen.status_code == 200, chosen.text
    assert chosen.json()["events_calendar_id"] == "cours"
    assert chosen.json()["busy_calendar_ids"] == [LEA, "cours", "bde@example.org"]


async def test_disconnect_revokes_and_forgets(
    client: AsyncTestClient,  # type: ignore[type-arg]
    fake_google: FakeGoogle,
    lea_token: str,
    world: World,
    db: Database,
) -> None:
    await connect(client, lea_token, fake_google)
    fake_google.add_busy(LEA, FIRST, FIRST + timedelta(minutes=15))
    await client.put(
        "/v1/me/google/calendars", headers=bearer(lea_token), json={"busy": [LEA], "events": LEA}
    )
    answer = await client.delete("/v1/me/google", headers=bearer(lea_token))
    assert answer.status_code == 204
    assert fake_google.count("POST", "/revoke") == 1
    assert all(grant.revoked for grant in fake_google.grants.values() if grant.email == LEA)
    async with db.session() as session:
        assert await session.get(CalendarConnection, world.mentor_id) is None
        busy = (await session.execute(select(ExternalBusy))).scalars().all()
    assert busy == []
    status = (await client.get("/v1/me/google/status", headers=bearer(lea_token))).json()
    assert status["connected"] is False


# --- busy time --------------------------------------------------------------------------------


async def test_busy_time_removes_slots_without_calling_google_on_the_request(
    client: AsyncTestClient,  # type: ignore[type-arg]
    fake_google: FakeGoogle,
    lea_token: str,
    world: World,
    service: CalendarService,
) -> None:
    await connect(client, lea_token, fake_google)
    before = await slot_starts(client, world.mentor_id)
    assert FIRST in before

    fake_google.add_busy(LEA, FIRST, FIRST + timedelta(minutes=15))
    assert await service.refresh_busy(world.mentor_id)
    calls = len(fake_google.log)
    after = await slot_starts(client, world.mentor_id)
    assert len(fake_google.log) == calls  # the visitor's request never reaches Google
    assert FIRST not in after
    # 17:15 occupies 17:10–17:35 with its buffers: it overlaps the event too.
    assert FIRST + timedelta(minutes=15) not in after
    assert FIRST + timedelta(minutes=30) in after


async def test_refresh_all_due_picks_only_stale_caches(
    client: AsyncTestClient,  # type: ignore[type-arg]
    fake_google: FakeGoogle,
    lea_token: str,
    service: CalendarService,
    clock: Clock,
) -> None:
    await connect(client, lea_token, fake_google)  # refreshes once
    calls = fake_google.count("POST", FREEBUSY)
    assert await service.refresh_all_due() == 0
    assert fake_google.count("POST", FREEBUSY) == calls
    clock.now += timedelta(minutes=11)
    assert await service.refresh_all_due() == 1
    assert fake_google.count("POST", FREEBUSY) == calls + 1


async def test_booking_rechecks_fresh_busy_time(
    client: AsyncTestClient,  # type: ignore[type-arg]
    fake_google: FakeGoogle,
    lea_token: str,
    world: World,
) -> None:
    await connect(client, lea_token, fake_google)
    # Added after the last refresh: the cache does not know it, the booking-time check does.
    fake_google.add_busy(LEA, FIRST, FIRST + timedelta(minutes=15))
    assert FIRST in await slot_starts(client, world.mentor_id)
    calls = fake_google.count("POST", FREEBUSY)
    answer = await client.post(
        "/v1/bookings",
        json={
            "mentor_id": str(world.mentor_id),
            "start": FIRST.isoformat(),
            "first_name": "Inès",
            "email": "ines@example.org",
            "consent": True,
        },
    )
    assert answer.status_code == 409, answer.text
    assert fake_google.count("POST", FREEBUSY) == calls + 1


# --- events -----------------------------------------------------------------------------------


async def test_booking_makes_one_event_with_meet_even_when_a_delivery_times_out(
    client: AsyncTestClient,  # type: ignore[type-arg]
    fake_google: FakeGoogle,
    lea_token: str,
    world: World,
    db: Database,
    settings: Settings,
    clock: Clock,
) -> None:
    await connect(client, lea_token, fake_google)
    booked = await book(client, world.mentor_id, FIRST)
    booking_id = UUID(booked["booking"]["id"])
    # The insert takes effect at Google, then its answer never comes: the client times out.
    fake_google.fail(EVENTS, "hang", method="POST")
    impatient = GoogleCalendarProvider(
        settings.google, num_retries=0, timeout_seconds=1, sleep=Sleeps()
    )
    first_try = CalendarService(db, impatient, settings, clock=clock)
    try:
        assert await drain_calendar(db, first_try, clock) == 1
    finally:
        fake_google.release.set()
    assert len(fake_google.live_events(LEA)) == 1
    (row,) = await calendar_rows(db, booking_id)
    assert row.status == "pending" and row.attempts == 1

    clock.now += timedelta(hours=1)
    parts = Parts(db, _unused_mailer(), calendar=impatient, clock=clock)
    handlers = build_handlers(settings, parts, parts.calendar_service(settings))
    assert (
        await outbox.drain(
            db,
            {k: v for k, v in handlers.items() if k.startswith("calendar.")},
            worker_id="test",
            max_attempts=8,
            now=clock,
        )
        == 1
    )
    (row,) = await calendar_rows(db, booking_id)
    assert row.status == "delivered"
    events = fake_google.live_events(LEA)
    booked_events = [e for e in events if e["id"] == event_id_for_series(booking_id)]
    assert len(booked_events) == 1 and len(events) == 1
    # The mentor's calendar gets the first name and the mentor's join link, never the address.
    assert booked_events[0]["attendees"] == []
    assert "ines@example.org" not in str(booked_events[0])
    assert "/join/" in booked_events[0]["description"]
    async with db.session() as session:
        stored = await session.get(BookingRow, booking_id)
    assert stored is not None
    assert stored.meet_url and stored.meet_url == booked_events[0]["hangoutLink"]
    assert stored.calendar_event_id == event_id_for_series(booking_id)


async def test_reschedule_moves_the_event_and_cancel_deletes_it(
    client: AsyncTestClient,  # type: ignore[type-arg]
    fake_google: FakeGoogle,
    lea_token: str,
    world: World,
    db: Database,
    service: CalendarService,
    clock: Clock,
) -> None:
    await connect(client, lea_token, fake_google)
    booked = await book(client, world.mentor_id, FIRST)
    series = UUID(booked["booking"]["id"])
    await drain_calendar(db, service, clock)
    token = booked["manage_token"]
    later = FIRST + timedelta(hours=1)
    moved = await client.post(
        f"/v1/bookings/manage/{token}/reschedule", json={"start": later.isoformat()}
    )
    assert moved.status_code == 200, moved.text
    await drain_calendar(db, service, clock)
    (event,) = fake_google.live_events(LEA)
    assert event["id"] == event_id_for_series(series)
    assert datetime.fromisoformat(event["start"]["dateTime"]) == later
    meet = event["hangoutLink"]

    new_token = moved.json()["manage_token"]
    cancelled = await client.post(f"/v1/bookings/manage/{new_token}/cancel", json={})
    assert cancelled.status_code == 200, cancelled.text
    await drain_calendar(db, service, clock)
    assert fake_google.live_events(LEA) == []
    assert meet.startswith("https://meet.google.com/")


async def test_without_a_connection_the_event_is_skipped(
    client: AsyncTestClient,  # type: ignore[type-arg]
    fake_google: FakeGoogle,
    world: World,
    db: Database,
    service: CalendarService,
    clock: Clock,
) -> None:
    booked = await book(client, world.mentor_id, FIRST)
    assert await drain_calendar(db, service, clock) == 1
    (row,) = await calendar_rows(db, UUID(booked["booking"]["id"]))
    assert row.status == "delivered"
    assert fake_google.count(None, EVENTS + ".*") == 0


async def test_a_revoked_grant_marks_the_connection_and_the_event_waits(
    client: AsyncTestClient,  # type: ignore[type-arg]
    fake_google: FakeGoogle,
    lea_token: str,
    world: World,
    db: Database,
    service: CalendarService,
    clock: Clock,
) -> None:
    await connect(client, lea_token, fake_google)
    fake_google.revoke_account(LEA)  # the mentor removed the app in their Google account
    booked = await book(client, world.mentor_id, FIRST)  # booking still works
    booking_id = UUID(booked["booking"]["id"])
    assert await drain_calendar(db, service, clock) == 1
    (row,) = await calendar_rows(db, booking_id)
    assert row.status == "pending" and row.attempts == 0
    assert row.available_at > clock.now
    status = (await client.get("/v1/me/google/status", headers=bearer(lea_token))).json()
    assert status["status"] == "reconnect_required" and status["stale"]
    assert [w["kind"] for w in status["warnings"]] == ["reconnect_required"]
    assert await drain_calendar(db, service, clock) == 0  # waits, nothing lost

    page = await connect(client, lea_token, fake_google)  # the mentor reconnects
    assert page.status_code == 200
    assert await drain_calendar(db, service, clock) == 1
    (row,) = await calendar_rows(db, booking_id)
    assert row.status == "delivered"
    assert [e["id"] for e in fake_google.live_events(LEA)] == [event_id_for_series(booking_id)]
    status = (await client.get("/v1/me/google/status", headers=bearer(lea_token))).json()
    assert status["status"] == "active" and status["warnings"] == []


async def test_google_down_never_breaks_slots_nor_booking(
    client: AsyncTestClient,  # type: ignore[type-arg]
    fake_google: FakeGoogle,
    lea_token: str,
    world: World,
    db: Database,
    service: CalendarService,
    clock: Clock,
) -> None:
    await connect(client, lea_token, fake_google)
    fake_google.add_busy(LEA, FIRST, FIRST + timedelta(minutes=15))
    assert await service.refresh_busy(world.mentor_id)
    fake_google.go_down()
    try:
        clock.now += timedelta(minutes=11)
        assert await service.refresh_all_due() == 0
        async with db.session() as session:
            state = await session.get(BusyFetchState, world.mentor_id)
        assert state is not None and state.stale
        slots = await slot_starts(client, world.mentor_id)
        assert FIRST not in slots  # the last known busy time still holds
        status = (await client.get("/v1/me/google/status", headers=bearer(lea_token))).json()
        assert status["stale"] is True

        later = FIRST + timedelta(hours=1)
        booked = await book(client, world.mentor_id, later)  # falls back to the cache
        booking_id = UUID(booked["booking"]["id"])
        assert await drain_calendar(db, service, clock) == 1
        (row,) = await calendar_rows(db, booking_id)
        assert row.status == "pending" and row.attempts == 1
    finally:
        fake_google.come_back()
    clock.now += timedelta(hours=1)
    assert await drain_calendar(db, service, clock) == 1
    (row,) = await calendar_rows(db, booking_id)
    assert row.status == "delivered"
    assert event_id_for_series(booking_id) in {e["id"] for e in fake_google.live_events(LEA)}
    assert await service.refresh_all_due() == 1
    status = (await client.get("/v1/me/google/status", headers=bearer(lea_token))).json()
    assert status["stale"] is False


# --- sync and push ----------------------------------------------------------------------------


async def test_sync_token_expiry_resyncs_and_a_deleted_event_is_a_warning(
    client: AsyncTestClient,  # type: ignore[type-arg]
    fake_google: FakeGoogle,
    lea_token: str,
    world: World,
    db: Database,
    service: CalendarService,
    clock: Clock,
) -> None:
    await connect(client, lea_token, fake_google)
    booked = await book(client, world.mentor_id, FIRST)
    booking_id = UUID(booked["booking"]["id"])
    await drain_calendar(db, service, clock)
    assert await service.sync(world.mentor_id) == []  # the first, full listing
    fake_google.invalidate_sync_tokens(LEA)
    assert await service.sync(world.mentor_id) == []
    listings = fake_google.requests("GET", EVENTS)
    assert [entry.status for entry in listings[-2:]] == [410, 200]
    assert "syncToken" in listings[-2].query and "syncToken" not in listings[-1].query

    fake_google.delete_event(LEA, event_id_for_series(booking_id))  # in Google's own UI
    assert await service.sync(world.mentor_id) == [booking_id]
    assert await service.sync(world.mentor_id) == []  # reported once
    status = (await client.get("/v1/me/google/status", headers=bearer(lea_token))).json()
    assert [(w["kind"], w["booking_id"]) for w in status["warnings"]] == [
        ("event_deleted", str(booking_id))
    ]
    async with db.session() as session:
        stored = await session.get(BookingRow, booking_id)
    assert stored is not None and stored.status == "confirmed"  # not a cancellation


async def test_an_event_the_mentor_moves_in_google_is_a_warning_and_the_booking_stays(
    client: AsyncTestClient,  # type: ignore[type-arg]
    fake_google: FakeGoogle,
    lea_token: str,
    world: World,
    db: Database,
    service: CalendarService,
    clock: Clock,
) -> None:
    await connect(client, lea_token, fake_google)
    booked = await book(client, world.mentor_id, FIRST)
    booking_id = UUID(booked["booking"]["id"])
    await drain_calendar(db, service, clock)
    assert await service.sync(world.mentor_id) == []  # our own event, at its own time

    later = FIRST + timedelta(hours=2)
    event_id = event_id_for_series(booking_id)
    fake_google.move_event(LEA, event_id, later, later + timedelta(minutes=15))
    assert await service.sync(world.mentor_id) == [booking_id]
    assert await service.sync(world.mentor_id) == []  # reported once
    status = (await client.get("/v1/me/google/status", headers=bearer(lea_token))).json()
    assert [(w["kind"], w["booking_id"]) for w in status["warnings"]] == [
        ("event_moved", str(booking_id))
    ]
    assert datetime.fromisoformat(status["warnings"][0]["detail"].split("/")[0]) == later
    async with db.session() as session:
        stored = await session.get(BookingRow, booking_id)
    assert stored is not None and stored.status == "confirmed" and stored.start_at == FIRST


async def test_an_event_moved_to_a_start_without_an_end_is_a_warning_and_the_sync_goes_on(
    client: AsyncTestClient,  # type: ignore[type-arg]
    fake_google: FakeGoogle,
    lea_token: str,
    world: World,
    db: Database,
    service: CalendarService,
    clock: Clock,
) -> None:
    await connect(client, lea_token, fake_google)
    booked = await book(client, world.mentor_id, FIRST)
    booking_id = UUID(booked["booking"]["id"])
    await drain_calendar(db, service, clock)
    assert await service.sync(world.mentor_id) == []

    later = FIRST + timedelta(hours=2)
    fake_google.move_event(LEA, event_id_for_series(booking_id), later, None)
    assert await service.sync(world.mentor_id) == [booking_id]
    assert await service.sync(world.mentor_id) == []  # reported once, and the sync token moved on
    status = (await client.get("/v1/me/google/status", headers=bearer(lea_token))).json()
    (warning,) = status["warnings"]
    assert warning["kind"] == "event_moved" and warning["booking_id"] == str(booking_id)
    assert datetime.fromisoformat(warning["detail"].split("/")[0]) == later

    # Back at the booking's own start, the end still without a time: nothing to tell.
    await service.resolve_warning(world.mentor_id, warning["id"])
    fake_google.move_event(LEA, event_id_for_series(booking_id), FIRST, None)
    assert await service.sync(world.mentor_id) == []
    status = (await client.get("/v1/me/google/status", headers=bearer(lea_token))).json()
    assert status["warnings"] == []


async def test_our_own_update_of_a_rescheduled_booking_is_no_move(
    client: AsyncTestClient,  # type: ignore[type-arg]
    fake_google: FakeGoogle,
    lea_token: str,
    world: World,
    db: Database,
    service: CalendarService,
    clock: Clock,
) -> None:
    await connect(client, lea_token, fake_google)
    booked = await book(client, world.mentor_id, FIRST)
    await drain_calendar(db, service, clock)
    assert await service.sync(world.mentor_id) == []
    later = FIRST + timedelta(days=1)
    moved = await client.post(
        f"/v1/bookings/manage/{booked['manage_token']}/reschedule",
        json={"start": later.isoformat()},
    )
    assert moved.status_code == 200, moved.text
    # A sync between the reschedule and the event's update sees the old time: no warning...
    assert await service.sync(world.mentor_id) == []
    await drain_calendar(db, service, clock)
    # ...nor after it, when Google holds the new time we wrote.
    assert await service.sync(world.mentor_id) == []
    status = (await client.get("/v1/me/google/status", headers=bearer(lea_token))).json()
    assert status["warnings"] == []


async def test_push_channel_and_notifications(
    client: AsyncTestClient,  # type: ignore[type-arg]
    fake_google: FakeGoogle,
    lea_token: str,
    world: World,
    db: Database,
    service: CalendarService,
    clock: Clock,
) -> None:
    await connect(client, lea_token, fake_google)
    assert await service.renew_channels() == 1
    (channel,) = fake_google.channels.values()
    assert channel.address == "https://thotis.test/v1/google/notifications"
    async with db.session() as session:
        row = await session.get(CalendarConnection, world.mentor_id)
    assert row is not None and row.channel_id == channel.id
    await service.sync(world.mentor_id)

    headers = {
        "X-Goog-Channel-ID": channel.id,
        "X-Goog-Resource-ID": channel.resource_id,
        "X-Goog-Resource-State": "exists",
        "X-Goog-Message-Number": "2",
    }
    forged = await client.post(
        "/v1/google/notifications", headers=headers | {"X-Goog-Channel-Token": "guess"}
    )
    assert forged.status_code == 404
    real = await client.post(
        "/v1/google/notifications", headers=headers | {"X-Goog-Channel-Token": channel.token or ""}
    )
    assert real.status_code == 200
    async with db.session() as session:
        row = await session.get(CalendarConnection, world.mentor_id)
    assert row is not None and row.sync_requested_at is not None
    assert await service.sync_due() == 1
    async with db.session() as session:
        row = await session.get(CalendarConnection, world.mentor_id)
    assert row is not None and row.sync_requested_at is None

    # Renewal a day before expiry: a new channel, then the old one stopped.
    clock.now = channel.expiration - timedelta(hours=12)
    assert await service.renew_channels() == 1
    assert channel.stopped
    assert len([c for c in fake_google.channels.values() if not c.stopped]) == 1


def _unused_mailer() -> Any:
    class Refuses:
        async def send(self, message: Any) -> None:
            raise AssertionError("no mail in this test")

    return Refuses()
