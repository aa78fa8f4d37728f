"""What the mentor reads when a booking's event changed in Google: the booking stands at its
own time, and the page says where the event went and what to do."""

from __future__ import annotations

from datetime import datetime

from scheduler.booking import join_token, read_join_token
from scheduler.platform import SecretsSettings
from tests.space.conftest import Space
from tests.space.flows import book, http_client, http_google_sign_in, mark_onboarded, mentor_id

LUCAS = "lucas.petit@demo.thotis.fr"


async def test_a_booking_moved_in_google_says_where_and_that_the_visitor_was_not_told(
    space: Space,
) -> None:
    mark_onboarded(space, LUCAS)
    booked = await book(space, LUCAS, "Jade", "Comment se passent les stages ?", "medecine")
    booking_id = booked["booking"]["id"]
    # Test set-up: the warning a sync opens (tests/api/test_google_calendar.py covers that).
    moved_to = datetime.fromisoformat("2030-03-05T14:00:00+00:00")  # 15:00 in Paris
    space.sql(
        "INSERT INTO calendar_warnings (mentor_id, booking_id, kind, detail) "
        "VALUES (%s, %s, 'event_moved', %s)",
        mentor_id(space, LUCAS),
        booking_id,
        f"{moved_to.isoformat()}/2030-03-05T14:15:00+00:00",
    )
    async with http_client(space) as client:
        await http_google_sign_in(client, space, "mentor", LUCAS)
        home = await client.get("/mentor")
        page = await client.get(f"/mentor/bookings/{booking_id}")
        english = await client.get(
            f"/mentor/bookings/{booking_id}", headers={"Accept-Language": "en"}
        )
    for html in (home.text, page.text):
        assert "Vous avez déplacé" in html and "pas prévenu" in html
        assert "mardi 5 mars 2030 à 15:00" in html
        assert "supprimé de votre Google Agenda" not in html
    assert "You moved this booking" in english.text
    assert "Tuesday 5 March 2030 at 15:00" in english.text


async def test_the_mentor_space_links_each_coming_call_to_the_mentors_join_link(
    space: Space,
) -> None:
    mark_onboarded(space, LUCAS)
    booked = await book(space, LUCAS, "Jade", "Et les stages ?", "medecine")
    booking_id = booked["booking"]["id"]
    visitor_token = booked["join_url"].rsplit("/", 1)[1]
    series, _ = read_join_token(SecretsSettings().secret_key, visitor_token)
    mentor_link = f"/join/{join_token(SecretsSettings().secret_key, series, 'mentor')}"
    async with http_client(space) as client:
        await http_google_sign_in(client, space, "mentor", LUCAS)
        home = await client.get("/mentor")
        page = await client.get(f"/mentor/bookings/{booking_id}")
    for html in (home.text, page.text):
        assert mentor_link in html and "Rejoindre l&#39;appel" in html
        assert visitor_token not in html
