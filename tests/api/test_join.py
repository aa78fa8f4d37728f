"""``/join/{token}``: one link per party, resolved when it is opened (HTTP, real PostgreSQL)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from litestar.testing import AsyncTestClient

from scheduler import booking
from scheduler.booking import jitsi_url, join_token
from scheduler.platform import Database, Settings
from testkit.factories import Clock
from tests.api.conftest import World

Client = AsyncTestClient  # type: ignore[type-arg]


async def _book(client: Client, world: World) -> dict[str, Any]:
    slots = (await client.get(f"/v1/mentors/{world.mentor_id}/slots")).json()
    first = slots["days"][0]["slots"][0]
    created = await client.post(
        "/v1/bookings",
        json={
            "mentor_id": str(world.mentor_id),
            "start": first["start"],
            "first_name": "Camille",
            "email": "camille@example.fr",
            "question": "Comment se passe la première année ?",
            "consent": True,
        },
    )
    assert created.status_code == 201, created.text
    body: dict[str, Any] = created.json()
    return body


def _path(url: str) -> str:
    return url.removeprefix("http://testserver.local")


def _start(body: dict[str, Any]) -> datetime:
    return datetime.fromisoformat(body["booking"]["start"])


async def test_before_the_window_the_visitor_sees_a_french_waiting_page(
    client: Client, world: World, clock: Clock
) -> None:
    body = await _book(client, world)
    assert body["join_url"].startswith("http://testserver.local/join/")
    page = await client.get(_path(body["join_url"]), follow_redirects=False)
    assert page.status_code == 200
    html = page.text
    assert '<html lang="fr">' in html
    assert "Ton échange avec Léa" in html
    assert "(heure de Paris)" in html
    assert 'role="timer"' in html
    # Jitsi (no Google, no own link): the mentor lets the visitor in.
    assert "Léa ouvre l’appel et te fera entrer" in html
    assert "Ne partage pas tes coordonnées personnelles" in html
    assert "quitter l’appel à tout moment" in html
    assert page.headers["cache-control"] == "no-store"
    assert "nonce-" in page.headers["content-security-policy"]
    english = await client.get(_path(body["join_url"]) + "?lang=en")
    assert '<html lang="en">' in english.text and "Your call with Léa" in english.text
    by_header = await client.get(_path(body["join_url"]), headers={"Accept-Language": "en-GB"})
    assert '<html lang="en">' in by_header.text


async def test_from_fifteen_minutes_before_until_the_end_it_redirects_to_the_jitsi_room(
    client: Client, world: World, clock: Clock, settings: Settings
) -> None:
    body = await _book(client, world)
    start = _start(body)
    room = jitsi_url(
        settings.video.jitsi_base_url, settings.secrets.secret_key, body_series(body, settings)
    )
    clock.now = start - timedelta(minutes=15, seconds=1)
    assert (await client.get(_path(body["join_url"]), follow_redirects=False)).status_code == 200
    for at in (start - timedelta(minutes=15), start, start + timedelta(minutes=14)):
        clock.now = at
        opened = await client.get(_path(body["join_url"]), follow_redirects=False)
        assert opened.status_code == 303
        assert opened.headers["location"] == room
        assert room.startswith("https://meet.jit.si/Thotis")


def body_series(body: dict[str, Any], settings: Settings) -> Any:
    token = body["join_url"].rsplit("/", 1)[1]
    return booking.read_join_token(settings.secrets.secret_key, token)[0]


async def test_after_the_end_the_visitor_is_asked_for_feedback_and_later_the_link_expires(
    client: Client, world: World, clock: Clock
) -> None:
    body = await _book(client, world)
    end = datetime.fromisoformat(body["booking"]["end"])
    clock.now = end
    after = await client.get(_path(body["join_url"]))
    assert after.status_code == 200
    assert "Cet échange est terminé" in after.text
    assert "/v1/feedback/" in after.text and "helpful=yes" in after.text
    clock.now = end + timedelta(days=1)
    expired = await client.get(_path(body["join_url"]))
    assert expired.status_code == 410 and "Ce lien a expiré" in expired.text


async def test_the_mentors_link_opens_the_same_room_and_never_the_feedback_form(
    client: Client, world: World, clock: Clock, settings: Settings
) -> None:
    body = await _book(client, world)
    series = body_series(body, settings)
    mentor_path = f"/join/{join_token(settings.secrets.secret_key, series, 'mentor')}"
    assert mentor_path != _path(body["join_url"])
    waiting = await client.get(mentor_path)
    assert waiting.status_code == 200 and "Vous ouvrez l’appel" in waiting.text
    clock.now = _start(body)
    visitor = await client.get(_path(body["join_url"]), follow_redirects=False)
    mentor = await client.get(mentor_path, follow_redirects=False)
    assert mentor.headers["location"] == visitor.headers["location"]
    clock.now = datetime.fromisoformat(body["booking"]["end"])
    ended = await client.get(mentor_path)
    assert "/v1/feedback/" not in ended.text and "espace mentor" in ended.text


async def test_the_link_follows_a_reschedule_a_late_meet_link_and_the_mentors_own_link(
    client: Client, world: World, clock: Clock, db: Database
) -> None:
    body = await _book(client, world)
    slots = (await client.get(f"/v1/mentors/{world.mentor_id}/slots")).json()
    later = slots["days"][1]["slots"][0]["start"]
    moved = await client.post(
        f"/v1/bookings/manage/{body['manage_token']}/reschedule", json={"start": later}
    )
    assert moved.status_code == 200, moved.text
    assert moved.json()["join_url"] == body["join_url"]
    clock.now = _start(body)
    # The old time no longer opens anything: the series' current booking is later.
    assert (await client.get(_path(body["join_url"]), follow_redirects=False)).status_code == 200
    clock.now = datetime.fromisoformat(later)
    new_id = moved.json()["booking"]["id"]
    async with db.session() as session:
        await booking.set_meeting_details(
            session, new_id, meet_url="https://meet.google.com/abc-defg-hij", calendar_event_id="e"
        )
    opened = await client.get(_path(body["join_url"]), follow_redirects=False)
    assert opened.headers["location"] == "https://meet.google.com/abc-defg-hij"
    # The mentor's own link comes first once set.
    async with db.session() as session:
        from scheduler import catalog
        from scheduler.platform import Actor

        await catalog.update_mentor(
            session,
            world.mentor_id,
            catalog.MentorChanges(meeting_url="https://zoom.us/j/42"),
            Actor.mentor(world.mentor_id),
        )
    opened = await client.get(_path(body["join_url"]), follow_redirects=False)
    assert opened.headers["location"] == "https://zoom.us/j/42"
    manage = (await client.get(f"/v1/bookings/manage/{moved.json()['manage_token']}")).json()
    assert manage["join_url"] == body["join_url"]


async def test_a_cancelled_booking_answers_410_and_an_unknown_link_404(
    client: Client, world: World, settings: Settings
) -> None:
    body = await _book(client, world)
    cancelled = await client.post(f"/v1/bookings/manage/{body['manage_token']}/cancel", json={})
    assert cancelled.status_code == 200
    gone = await client.get(_path(body["join_url"]), follow_redirects=False)
    assert gone.status_code == 410
    assert "Cet échange a été annulé" in gone.text and '<html lang="fr">' in gone.text
    for path in ("/join/nope", "/join/" + "A" * 44, "/join/" + "%00" * 3, "/join/" + "é" * 44):
        unknown = await client.get(path, follow_redirects=False)
        assert unknown.status_code == 404, path
        assert "Ce lien n’est pas valide" in unknown.text
    # A token of ours for a series that does not exist.
    import uuid

    stray = join_token(settings.secrets.secret_key, uuid.uuid4(), "visitor")
    assert (await client.get(f"/join/{stray}")).status_code == 404


async def test_while_the_meet_link_is_being_made_both_parties_wait_then_meet_in_the_same_place(
    client: Client, world: World, clock: Clock, db: Database, settings: Settings
) -> None:
    from sqlalchemy import update

    from scheduler.calendar.models import CalendarConnection
    from scheduler.platform import OutboxRow, outbox

    first, second = await _book(client, world), await _book_second(client, world)
    # Léa connects Google after booking: her events are due (their outbox rows are pending).
    async with db.session() as session:
        session.add(
            CalendarConnection(
                mentor_id=world.mentor_id,
                google_email="lea@gmail.example",
                sealed_tokens="sealed",
                events_calendar_id="primary",
            )
        )
        await session.commit()

    def paths(body: dict[str, Any]) -> list[str]:
        series = body_series(body, settings)
        mentor = f"/join/{join_token(settings.secrets.secret_key, series, 'mentor')}"
        return [_path(body["join_url"]), mentor]

    clock.now = _start(first)
    for path in paths(first):
        waiting = await client.get(path, follow_redirects=False)
        assert waiting.status_code == 200
        assert "La visio se prépare" in waiting.text and 'role="timer"' in waiting.text
    async with db.session() as session:
        await booking.set_meeting_details(
            session,
            first["booking"]["id"],
            meet_url="https://meet.google.com/abc-defg-hij",
            calendar_event_id="e",
        )
    for path in paths(first):
        opened = await client.get(path, follow_redirects=False)
        assert opened.headers["location"] == "https://meet.google.com/abc-defg-hij"

    # The second booking's event is given up (its row failed): both go to the Jitsi room.
    clock.now = _start(second)
    assert "La visio se prépare" in (await client.get(paths(second)[0])).text
    async with db.session() as session:
        await session.execute(
            update(OutboxRow)
            .where(
                OutboxRow.kind == outbox.CALENDAR_UPSERT_EVENT,
                OutboxRow.payload["booking_id"].astext == second["booking"]["id"],
            )
            .values(status="failed")
        )
        await session.commit()
    room = jitsi_url(
        settings.video.jitsi_base_url, settings.secrets.secret_key, body_series(second, settings)
    )
    for path in paths(second):
        opened = await client.get(path, follow_redirects=False)
        assert opened.headers["location"] == room


async def _book_second(client: Client, world: World) -> dict[str, Any]:
    """A booking on another day than ``_book``'s (its first slot of the second day)."""
    slots = (await client.get(f"/v1/mentors/{world.mentor_id}/slots")).json()
    created = await client.post(
        "/v1/bookings",
        json={
            "mentor_id": str(world.mentor_id),
            "start": slots["days"][1]["slots"][0]["start"],
            "first_name": "Inès",
            "email": "ines@example.fr",
            "consent": True,
        },
    )
    assert created.status_code == 201, created.text
    body: dict[str, Any] = created.json()
    return body
