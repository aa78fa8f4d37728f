"""The first-available routes through HTTP: the merged calendar, booking without a mentor, and
the problems a visitor can meet."""

from __future__ import annotations

import asyncio
from collections import Counter
from typing import Any

from litestar.testing import AsyncTestClient

from scheduler import catalog
from scheduler.platform import Actor, Database
from scheduler.schedules import rules as schedules
from tests.api.conftest import World

Client = AsyncTestClient  # type: ignore[type-arg]


def _starts(body: dict[str, Any]) -> list[str]:
    return [slot["start"] for day in body["days"] for slot in day["slots"]]


def _request(start: str, n: int = 1) -> dict[str, Any]:
    return {
        "filiere": "droit",
        "start": start,
        "first_name": "Camille",
        "email": f"camille{n}@example.fr",
        "consent": True,
    }


async def test_the_filiere_calendar_holds_each_time_any_mentor_offers_once(
    client: Client, world: World
) -> None:
    merged = await client.get("/v1/filieres/droit/slots?tz=America/Montreal")
    assert merged.status_code == 200
    body = merged.json()
    assert body["filiere"]["slug"] == "droit" and body["timezone"] == "America/Montreal"
    each = set()
    for mentor in (world.mentor_id, world.other_mentor_id):
        answer = await client.get(f"/v1/mentors/{mentor}/slots?tz=America/Montreal")
        each |= set(_starts(answer.json()))
    assert _starts(body) == sorted(each)
    assert body["days"][0]["slots"][0]["local_start"].endswith("-05:00")


async def test_a_booking_without_a_mentor_names_the_mentor_it_went_to(
    client: Client, world: World
) -> None:
    start = _starts((await client.get("/v1/filieres/droit/slots")).json())[0]
    made = await client.post("/v1/bookings/first-available", json=_request(start))
    assert made.status_code == 201, made.text
    booking = made.json()["booking"]
    assert booking["start"].startswith(start[:16])
    assert (booking["mentor_id"], booking["mentor_name"]) in {
        (str(world.mentor_id), "Léa"),
        (str(world.other_mentor_id), "Hugo"),
    }


async def test_once_every_mentor_is_taken_the_next_visitor_gets_slot_taken(
    client: Client, world: World
) -> None:
    start = _starts((await client.get("/v1/filieres/droit/slots")).json())[0]
    mentors = set()
    for n in range(2):
        made = await client.post("/v1/bookings/first-available", json=_request(start, n))
        assert made.status_code == 201, made.text
        mentors.add(made.json()["booking"]["mentor_id"])
    assert mentors == {str(world.mentor_id), str(world.other_mentor_id)}
    late = await client.post("/v1/bookings/first-available", json=_request(start, 9))
    assert late.status_code == 409
    assert late.headers["content-type"].startswith("application/problem+json")
    assert late.json()["code"] == "slot_taken"
    assert start not in _starts((await client.get("/v1/filieres/droit/slots")).json())


async def test_an_unknown_filiere_is_a_404_and_a_bad_zone_a_422(
    client: Client, world: World
) -> None:
    assert (await client.get("/v1/filieres/chimie/slots")).status_code == 404
    bad = await client.get("/v1/filieres/droit/slots?tz=Mars/Olympus")
    assert bad.status_code in (400, 422)
    start = _starts((await client.get("/v1/filieres/droit/slots")).json())[0]
    unknown = await client.post(
        "/v1/bookings/first-available", json=_request(start) | {"filiere": "chimie"}
    )
    assert unknown.status_code == 404
    refused = await client.post(
        "/v1/bookings/first-available", json=_request(start) | {"consent": False}
    )
    assert refused.status_code in (400, 422)


async def test_64_visitors_racing_through_http_get_5_bookings_and_59_clear_409s(
    client: Client, db: Database
) -> None:
    staff = Actor.staff("tests")
    async with db.session() as session:
        await catalog.create_filiere(session, "course", "Course", "Race", staff)
        for n in range(5):
            mentor = await catalog.create_mentor(
                session,
                catalog.MentorFields(
                    display_name=f"Coureur {n}",
                    email=f"coureur{n}@example.org",
                    university="Université de Lille",
                    year_of_study=2,
                    filieres=("course",),
                ),
                staff,
            )
            await schedules.set_weekly_rules(
                session, mentor.id, {d: [("08:00", "22:00")] for d in range(7)}, staff
            )
        await session.commit()
    start = _starts((await client.get("/v1/filieres/course/slots")).json())[8]

    async def visitor(n: int) -> Any:
        return await client.post(
            "/v1/bookings/first-available",
            json=_request(start, n) | {"filiere": "course"},
            headers={"Idempotency-Key": f"visitor-{n}"},
        )

    answers = await asyncio.gather(*(visitor(n) for n in range(64)))
    assert Counter(a.status_code for a in answers) == Counter({201: 5, 409: 59})
    won = [a.json()["booking"]["mentor_id"] for a in answers if a.status_code == 201]
    assert len(set(won)) == 5
    for lost in (a for a in answers if a.status_code == 409):
        assert lost.headers["content-type"].startswith("application/problem+json")
        assert lost.json()["code"] == "slot_taken"
