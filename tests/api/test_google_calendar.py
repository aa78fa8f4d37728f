"""Google Calendar end to end: the real app, real PostgreSQL, the real Google client libraries
against the fake Google. Nothing is patched: the app's calendar adapter is the production
``GoogleCalendarProvider`` pointed at the fake (and told not to sleep between retries).

Each test takes one ``cal`` fixture: Léa's world (the fake Google, the database, the app's
client, the clock, the calendar service and her mentor token) with the steps the tests share
(connect her calendar, book a slot, drain the calendar outbox, read the outbox rows)."""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass
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
        booking_limit_per_address=0,
        booking_limit_per_email=0,
        booking_limit_per_slot=0,
        # The calendar answers are cached for this long: 0 so that each read sees the sync.
        filiere_cache_seconds=0,
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


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@dataclass(frozen=True)
class Booked:
    """What the visitor's booking answer gives back that the tests use."""

    id: UUID
    manage_token: str


@dataclass(frozen=True)
class Calendar:
    """Léa's side of the world, with the steps every Google test takes."""

    fake: FakeGoogle
    db: Database
    settings: Settings
    provider: GoogleCalendarProvider
    clock: Clock
    client: AsyncTestClient  # type: ignore[type-arg]
    service: CalendarService
    world: World
    token: str

    @property
    def mentor_id(self) -> UUID:
        return self.world.mentor_id

    @property
    def auth(self) -> dict[str, str]:
        return bearer(self.token)

    async def connect(self) -> httpx.Response:
        """The mentor's whole journey: our URL, Google's consent (the fake approves), our
        callback."""
        if LEA not in self.fake.calendars:
            self.fake.add_account(LEA)
        self.fake.signed_in = LEA
        started = await self.client.get("/v1/me/google/connect", headers=self.auth)
        assert started.status_code == 200, started.text
        url = started.json()["authorization_url"]
        assert url.startswith(self.fake.auth_uri)
        consent = httpx.get(url, follow_redirects=False)
        assert consent.status_code == 302
        back = httpx.URL(consent.headers["location"])
        assert str(back).startswith("https://thotis.test/v1/google/callback?")
        return await self.client.get(f"/v1/google/callback?{back.query.decode()}")

    async def book(self, start: datetime = FIRST) -> Booked:
        answer = await self.client.post("/v1/bookings", json=booking_request(self.mentor_id, start))
        assert answer.status_code == 201, answer.text
        body = answer.json()
        return Booked(UUID(body["booking"]["id"]), body["manage_token"])

    async def drain(self, service: CalendarService | None = None) -> int:
        """Deliver what the calendar outbox holds, through ``service`` or the test's own."""
        return await self.drain_with(calendar_handlers(service or self.service))

    async def drain_with(self, handlers: Mapping[str, Any]) -> int:
        return await outbox.drain(
            self.db, dict(handlers), worker_id="test", max_attempts=8, now=self.clock
        )

    async def rows(self, booking_id: UUID) -> list[OutboxRow]:
        """The calendar outbox rows of one booking."""
        async with self.db.session() as session:
            rows = (
                await session.execute(
                    select(OutboxRow).where(
                        OutboxRow.kind.in_(["calendar.upsert_event", "calendar.cancel_event"]),
                        OutboxRow.payload["booking_id"].astext == str(booking_id),
                    )
                )
            ).scalars()
            return list(rows)

    async def sync(self) -> list[UUID]:
        return await self.service.sync(self.mentor_id)

    async def status(self) -> dict[str, Any]:
        answer = await self.client.get("/v1/me/google/status", headers=self.auth)
        body: dict[str, Any] = answer.json()
        return body

    async def slot_starts(self) -> set[datetime]:
        answer = await self.client.get(
            f"/v1/mentors/{self.mentor_id}/slots",
            params={"from": "2026-11-30T00:00:00+00:00", "to": "2026-12-01T00:00:00+00:00"},
        )
        assert answer.status_code == 200, answer.text
        return {
            datetime.fromisoformat(slot["start"])
            for day in answer.json()["days"]
            for slot in day["slots"]
        }

    async def connection(self) -> CalendarConnection | None:
        async with self.db.session() as session:
            return await session.get(CalendarConnection, self.mentor_id)

    async def booking(self, booking_id: UUID) -> BookingRow | None:
        async with self.db.session() as session:
            return await session.get(BookingRow, booking_id)

    async def choose(self, **choice: Any) -> httpx.Response:
        return await self.client.put("/v1/me/google/calendars", headers=self.auth, json=choice)


def booking_request(mentor_id: UUID, start: datetime) -> dict[str, Any]:
    return {
        "mentor_id": str(mentor_id),
        "start": start.isoformat(),
        "first_name": "Inès",
        "email": "ines@example.org",
        "consent": True,
    }


@pytest_asyncio.fixture(loop_scope="session")
async def cal(
    fake_google: FakeGoogle,
    db: Database,
    settings: Settings,
    provider: GoogleCalendarProvider,
    clock: Clock,
    client: AsyncTestClient,  # type: ignore[type-arg]
    world: World,
) -> Calendar:
    async with db.session() as session:
        token = await credentials.create_mentor_token(session, world.mentor_id, Actor.staff("t"))
        await session.commit()
    service = CalendarService(db, provider, settings, clock=clock)
    return Calendar(fake_google, db, settings, provider, clock, client, service, world, token)


# --- connecting -------------------------------------------------------------------------------


async def test_connect_end_to_end_stores_the_tokens_encrypted(cal: Calendar) -> None:
    page = await cal.connect()
    assert page.status_code == 200, page.text
    assert "Google Agenda est connecté" in page.text
    assert cal.fake.recorded_challenges[-1][1] == "S256"

    row = await cal.connection()
    assert row is not None
    assert row.google_email == LEA and row.status == "active"
    # The primary calendar is the default for both busy time and events.
    assert row.busy_calendar_ids == [LEA] and row.events_calendar_id == LEA
    tokens = open_tokens(SecretBox(cal.settings.secrets), row.sealed_tokens)
    assert tokens.refresh_token and tokens.refresh_token not in row.sealed_tokens
    assert tokens.access_token and tokens.access_token not in row.sealed_tokens

    status = await cal.status()
    assert status["connected"] and status["email"] == LEA and not status["stale"]


async def test_the_oauth_state_is_single_use(cal: Calendar) -> None:
    cal.fake.add_account(LEA)
    cal.fake.signed_in = LEA
    started = await cal.client.get("/v1/me/google/connect", headers=cal.auth)
    consent = httpx.get(started.json()["authorization_url"], follow_redirects=False)
    query = httpx.URL(consent.headers["location"]).query.decode()
    assert (await cal.client.get(f"/v1/google/callback?{query}")).status_code == 200
    replayed = await cal.client.get(f"/v1/google/callback?{query}")
    assert replayed.status_code == 400
    assert "déjà utilisé" in replayed.text
    forged = await cal.client.get("/v1/google/callback?state=forged&code=x")
    assert forged.status_code == 400


async def test_a_callback_from_another_browser_attaches_no_calendar(cal: Calendar) -> None:
    """RFC 6749 §10.12: Léa asks for a consent link and sends it to someone else; their consent
    comes back with a valid state, but not through Léa's browser: nothing is attached."""
    cal.fake.add_account("victime@example.org")
    cal.fake.signed_in = "victime@example.org"
    started = await cal.client.get("/v1/me/google/connect", headers=cal.auth)
    assert started.headers["cache-control"] == "no-store"
    cookie = cal.client.cookies.get("thotis_google_connect")
    assert cookie, "the connect response binds the state to this browser"
    consent = httpx.get(started.json()["authorization_url"], follow_redirects=False)
    query = httpx.URL(consent.headers["location"]).query.decode()

    cal.client.cookies.clear()
    without = await cal.client.get(f"/v1/google/callback?{query}")
    assert without.status_code == 400 and "autre navigateur" in without.text
    other = await cal.client.get(
        f"/v1/google/callback?{query}", headers={"Cookie": "thotis_google_connect=autre-etat"}
    )
    assert other.status_code == 400
    assert not (await cal.service.status(cal.mentor_id)).connected

    # The refusals spent nothing: Léa's own browser, which holds the cookie, can still finish.
    cal.client.cookies.set("thotis_google_connect", cookie, domain="thotis.test")
    finished = await cal.client.get(f"/v1/google/callback?{query}")
    assert finished.status_code == 200, finished.text
    assert "thotis_google_connect=" in finished.headers["set-cookie"]


async def test_connect_needs_a_mentor_token(client: AsyncTestClient) -> None:  # type: ignore[type-arg]
    answer = await client.get("/v1/me/google/connect")
    assert answer.status_code == 401
    assert answer.json()["code"] == "unauthorized"


async def test_choose_calendars_validates_against_google(cal: Calendar) -> None:
    await cal.connect()
    cal.fake.add_calendar(LEA, "cours", summary="Cours")
    cal.fake.add_account("bde@example.org")
    cal.fake.share("bde@example.org", LEA, "reader")
    listed = (await cal.client.get("/v1/me/google/calendars", headers=cal.auth)).json()
    by_id = {c["id"]: c for c in listed["calendars"]}
    assert by_id[LEA]["events"] and by_id[LEA]["busy"]
    assert not by_id["bde@example.org"]["can_receive_events"]

    refused = await cal.choose(busy=[LEA], events="bde@example.org")
    assert refused.status_code == 422
    unknown = await cal.choose(busy=["nope"])
    assert unknown.status_code == 422
    chosen = await cal.choose(busy=[LEA, "cours", "bde@example.org"], events="cours")
    assert chosen.status_code == 200, chosen.text
    assert chosen.json()["events_calendar_id"] == "cours"
    assert chosen.json()["busy_calendar_ids"] == [LEA, "cours", "bde@example.org"]


async def test_disconnect_revokes_and_forgets(cal: Calendar) -> None:
    await cal.connect()
    cal.fake.add_busy(LEA, FIRST, FIRST + timedelta(minutes=15))
    await cal.choose(busy=[LEA], events=LEA)
    answer = await cal.client.delete("/v1/me/google", headers=cal.auth)
    assert answer.status_code == 204
    assert cal.fake.count("POST", "/revoke") == 1
    assert all(grant.revoked for grant in cal.fake.grants.values() if grant.email == LEA)
    assert await cal.connection() is None
    async with cal.db.session() as session:
        busy = (await session.execute(select(ExternalBusy))).scalars().all()
    assert busy == []
    assert (await cal.status())["connected"] is False


# --- busy time --------------------------------------------------------------------------------


async def test_busy_time_removes_slots_without_calling_google_on_the_request(
    cal: Calendar,
) -> None:
    await cal.connect()
    before = await cal.slot_starts()
    assert FIRST in before

    cal.fake.add_busy(LEA, FIRST, FIRST + timedelta(minutes=15))
    assert await cal.service.refresh_busy(cal.mentor_id)
    calls = len(cal.fake.log)
    after = await cal.slot_starts()
    assert len(cal.fake.log) == calls  # the visitor's request never reaches Google
    assert FIRST not in after
    # 17:15 occupies 17:10–17:35 with its buffers: it overlaps the event too.
    assert FIRST + timedelta(minutes=15) not in after
    assert FIRST + timedelta(minutes=30) in after


async def test_refresh_all_due_picks_only_stale_caches(cal: Calendar) -> None:
    await cal.connect()  # refreshes once
    calls = cal.fake.count("POST", FREEBUSY)
    assert await cal.service.refresh_all_due() == 0
    assert cal.fake.count("POST", FREEBUSY) == calls
    cal.clock.now += timedelta(minutes=11)
    assert await cal.service.refresh_all_due() == 1
    assert cal.fake.count("POST", FREEBUSY) == calls + 1


async def test_booking_rechecks_fresh_busy_time(cal: Calendar) -> None:
    await cal.connect()
    # Added after the last refresh: the cache does not know it, the booking-time check does.
    cal.fake.add_busy(LEA, FIRST, FIRST + timedelta(minutes=15))
    assert FIRST in await cal.slot_starts()
    calls = cal.fake.count("POST", FREEBUSY)
    answer = await cal.client.post("/v1/bookings", json=booking_request(cal.mentor_id, FIRST))
    assert answer.status_code == 409, answer.text
    assert cal.fake.count("POST", FREEBUSY) == calls + 1


# --- events -----------------------------------------------------------------------------------


async def test_booking_makes_one_event_with_meet_even_when_a_delivery_times_out(
    cal: Calendar,
) -> None:
    await cal.connect()
    booking_id = (await cal.book()).id
    # The insert takes effect at Google, then its answer never comes: the client times out.
    cal.fake.fail(EVENTS, "hang", method="POST")
    impatient = GoogleCalendarProvider(
        cal.settings.google, num_retries=0, timeout_seconds=1, sleep=Sleeps()
    )
    first_try = CalendarService(cal.db, impatient, cal.settings, clock=cal.clock)
    try:
        assert await cal.drain(first_try) == 1
    finally:
        cal.fake.release.set()
    assert len(cal.fake.live_events(LEA)) == 1
    (row,) = await cal.rows(booking_id)
    assert row.status == "pending" and row.attempts == 1

    cal.clock.now += timedelta(hours=1)
    parts = Parts(cal.db, _unused_mailer(), calendar=impatient, clock=cal.clock)
    handlers = build_handlers(cal.settings, parts, parts.calendar_service(cal.settings))
    calendar_only = {k: v for k, v in handlers.items() if k.startswith("calendar.")}
    assert await cal.drain_with(calendar_only) == 1
    (row,) = await cal.rows(booking_id)
    assert row.status == "delivered"
    events = cal.fake.live_events(LEA)
    booked_events = [e for e in events if e["id"] == event_id_for_series(booking_id)]
    assert len(booked_events) == 1 and len(events) == 1
    # The mentor's calendar gets the first name and the mentor's join link, never the address.
    assert booked_events[0]["attendees"] == []
    assert "ines@example.org" not in str(booked_events[0])
    assert "/join/" in booked_events[0]["description"]
    stored = await cal.booking(booking_id)
    assert stored is not None
    assert stored.meet_url and stored.meet_url == booked_events[0]["hangoutLink"]
    assert stored.calendar_event_id == event_id_for_series(booking_id)


async def test_reschedule_moves_the_event_and_cancel_deletes_it(cal: Calendar) -> None:
    await cal.connect()
    booked = await cal.book()
    await cal.drain()
    later = FIRST + timedelta(hours=1)
    moved = await cal.client.post(
        f"/v1/bookings/manage/{booked.manage_token}/reschedule", json={"start": later.isoformat()}
    )
    assert moved.status_code == 200, moved.text
    await cal.drain()
    (event,) = cal.fake.live_events(LEA)
    assert event["id"] == event_id_for_series(booked.id)
    assert datetime.fromisoformat(event["start"]["dateTime"]) == later
    meet = event["hangoutLink"]

    new_token = moved.json()["manage_token"]
    cancelled = await cal.client.post(f"/v1/bookings/manage/{new_token}/cancel", json={})
    assert cancelled.status_code == 200, cancelled.text
    await cal.drain()
    assert cal.fake.live_events(LEA) == []
    assert meet.startswith("https://meet.google.com/")


async def test_without_a_connection_the_event_is_skipped(cal: Calendar) -> None:
    booked = await cal.book()
    assert await cal.drain() == 1
    (row,) = await cal.rows(booked.id)
    assert row.status == "delivered"
    assert cal.fake.count(None, EVENTS + ".*") == 0


async def test_a_revoked_grant_marks_the_connection_and_the_event_waits(cal: Calendar) -> None:
    await cal.connect()
    cal.fake.revoke_account(LEA)  # the mentor removed the app in their Google account
    booking_id = (await cal.book()).id  # booking still works
    assert await cal.drain() == 1
    (row,) = await cal.rows(booking_id)
    assert row.status == "pending" and row.attempts == 0
    assert row.available_at > cal.clock.now
    status = await cal.status()
    assert status["status"] == "reconnect_required" and status["stale"]
    assert [w["kind"] for w in status["warnings"]] == ["reconnect_required"]
    assert await cal.drain() == 0  # waits, nothing lost

    page = await cal.connect()  # the mentor reconnects
    assert page.status_code == 200
    assert await cal.drain() == 1
    (row,) = await cal.rows(booking_id)
    assert row.status == "delivered"
    assert [e["id"] for e in cal.fake.live_events(LEA)] == [event_id_for_series(booking_id)]
    status = await cal.status()
    assert status["status"] == "active" and status["warnings"] == []


async def test_google_down_never_breaks_slots_nor_booking(cal: Calendar) -> None:
    await cal.connect()
    cal.fake.add_busy(LEA, FIRST, FIRST + timedelta(minutes=15))
    assert await cal.service.refresh_busy(cal.mentor_id)
    cal.fake.go_down()
    try:
        cal.clock.now += timedelta(minutes=11)
        assert await cal.service.refresh_all_due() == 0
        async with cal.db.session() as session:
            state = await session.get(BusyFetchState, cal.mentor_id)
        assert state is not None and state.stale
        slots = await cal.slot_starts()
        assert FIRST not in slots  # the last known busy time still holds
        assert (await cal.status())["stale"] is True

        booking_id = (await cal.book(FIRST + timedelta(hours=1))).id  # falls back to the cache
        assert await cal.drain() == 1
        (row,) = await cal.rows(booking_id)
        assert row.status == "pending" and row.attempts == 1
    finally:
        cal.fake.come_back()
    cal.clock.now += timedelta(hours=1)
    assert await cal.drain() == 1
    (row,) = await cal.rows(booking_id)
    assert row.status == "delivered"
    assert event_id_for_series(booking_id) in {e["id"] for e in cal.fake.live_events(LEA)}
    assert await cal.service.refresh_all_due() == 1
    assert (await cal.status())["stale"] is False


# --- sync and push ----------------------------------------------------------------------------


async def booked_and_delivered(cal: Calendar) -> Booked:
    """Léa connected, a booking at FIRST, its event written to her calendar."""
    await cal.connect()
    booked = await cal.book()
    await cal.drain()
    return booked


async def test_sync_token_expiry_resyncs_and_a_deleted_event_is_a_warning(cal: Calendar) -> None:
    booking_id = (await booked_and_delivered(cal)).id
    assert await cal.sync() == []  # the first, full listing
    cal.fake.invalidate_sync_tokens(LEA)
    assert await cal.sync() == []
    listings = cal.fake.requests("GET", EVENTS)
    assert [entry.status for entry in listings[-2:]] == [410, 200]
    assert "syncToken" in listings[-2].query and "syncToken" not in listings[-1].query

    cal.fake.delete_event(LEA, event_id_for_series(booking_id))  # in Google's own UI
    assert await cal.sync() == [booking_id]
    assert await cal.sync() == []  # reported once
    status = await cal.status()
    assert [(w["kind"], w["booking_id"]) for w in status["warnings"]] == [
        ("event_deleted", str(booking_id))
    ]
    stored = await cal.booking(booking_id)
    assert stored is not None and stored.status == "confirmed"  # not a cancellation


async def test_an_event_the_mentor_moves_in_google_is_a_warning_and_the_booking_stays(
    cal: Calendar,
) -> None:
    booking_id = (await booked_and_delivered(cal)).id
    assert await cal.sync() == []  # our own event, at its own time

    later = FIRST + timedelta(hours=2)
    event_id = event_id_for_series(booking_id)
    cal.fake.move_event(LEA, event_id, later, later + timedelta(minutes=15))
    assert await cal.sync() == [booking_id]
    assert await cal.sync() == []  # reported once
    status = await cal.status()
    assert [(w["kind"], w["booking_id"]) for w in status["warnings"]] == [
        ("event_moved", str(booking_id))
    ]
    assert datetime.fromisoformat(status["warnings"][0]["detail"].split("/")[0]) == later
    stored = await cal.booking(booking_id)
    assert stored is not None and stored.status == "confirmed" and stored.start_at == FIRST


async def test_an_event_moved_to_a_start_without_an_end_is_a_warning_and_the_sync_goes_on(
    cal: Calendar,
) -> None:
    booking_id = (await booked_and_delivered(cal)).id
    assert await cal.sync() == []

    later = FIRST + timedelta(hours=2)
    cal.fake.move_event(LEA, event_id_for_series(booking_id), later, None)
    assert await cal.sync() == [booking_id]
    assert await cal.sync() == []  # reported once, and the sync token moved on
    (warning,) = (await cal.status())["warnings"]
    assert warning["kind"] == "event_moved" and warning["booking_id"] == str(booking_id)
    assert datetime.fromisoformat(warning["detail"].split("/")[0]) == later

    # Back at the booking's own start, the end still without a time: nothing to tell.
    await cal.service.resolve_warning(cal.mentor_id, warning["id"])
    cal.fake.move_event(LEA, event_id_for_series(booking_id), FIRST, None)
    assert await cal.sync() == []
    assert (await cal.status())["warnings"] == []


async def test_our_own_update_of_a_rescheduled_booking_is_no_move(cal: Calendar) -> None:
    booked = await booked_and_delivered(cal)
    assert await cal.sync() == []
    later = FIRST + timedelta(days=1)
    moved = await cal.client.post(
        f"/v1/bookings/manage/{booked.manage_token}/reschedule",
        json={"start": later.isoformat()},
    )
    assert moved.status_code == 200, moved.text
    # A sync between the reschedule and the event's update sees the old time: no warning...
    assert await cal.sync() == []
    await cal.drain()
    # ...nor after it, when Google holds the new time we wrote.
    assert await cal.sync() == []
    assert (await cal.status())["warnings"] == []


async def test_push_channel_and_notifications(cal: Calendar) -> None:
    await cal.connect()
    assert await cal.service.renew_channels() == 1
    (channel,) = cal.fake.channels.values()
    assert channel.address == "https://thotis.test/v1/google/notifications"
    row = await cal.connection()
    assert row is not None and row.channel_id == channel.id
    await cal.sync()

    headers = {
        "X-Goog-Channel-ID": channel.id,
        "X-Goog-Resource-ID": channel.resource_id,
        "X-Goog-Resource-State": "exists",
        "X-Goog-Message-Number": "2",
    }
    forged = await cal.client.post(
        "/v1/google/notifications", headers=headers | {"X-Goog-Channel-Token": "guess"}
    )
    assert forged.status_code == 404
    real = await cal.client.post(
        "/v1/google/notifications", headers=headers | {"X-Goog-Channel-Token": channel.token or ""}
    )
    assert real.status_code == 200
    row = await cal.connection()
    assert row is not None and row.sync_requested_at is not None
    assert await cal.service.sync_due() == 1
    row = await cal.connection()
    assert row is not None and row.sync_requested_at is None

    # Renewal a day before expiry: a new channel, then the old one stopped.
    cal.clock.now = channel.expiration - timedelta(hours=12)
    assert await cal.service.renew_channels() == 1
    assert channel.stopped
    assert len([c for c in cal.fake.channels.values() if not c.stopped]) == 1


def _unused_mailer() -> Any:
    class Refuses:
        async def send(self, message: Any) -> None:
            raise AssertionError("no mail in this test")

    return Refuses()
