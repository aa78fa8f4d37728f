"""An end-to-end booking through HTTP: list a filière, pick a slot, book, the slot disappears,
cancel through the manage link, the slot is back."""

from __future__ import annotations

from litestar.testing import AsyncTestClient

from scheduler import catalog
from scheduler.platform import Actor, Database
from tests.api.conftest import World


def _all_starts(days: list[dict]) -> list[str]:  # type: ignore[type-arg]
    return [slot["start"] for day in days for slot in day["slots"]]


async def test_a_visitor_books_then_cancels_and_the_slot_comes_back(
    client: AsyncTestClient,
    world: World,  # type: ignore[type-arg]
) -> None:
    page = (await client.get(f"/v1/filieres/{world.filiere}/mentors")).json()
    assert [m["display_name"] for m in page["mentors"]] == ["Hugo", "Léa"] or len(
        page["mentors"]
    ) == 2
    mentor = next(m for m in page["mentors"] if m["id"] == str(world.mentor_id))
    assert mentor["next_free_slot"] is not None

    slots = (
        await client.get(f"/v1/mentors/{world.mentor_id}/slots", params={"tz": "Europe/Paris"})
    ).json()
    first = slots["days"][0]["slots"][0]
    assert first["label"] == "18:00"

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
        headers={"Idempotency-Key": "k-1"},
    )
    assert created.status_code == 201, created.text
    body = created.json()
    assert body["booking"]["status"] == "confirmed"

    after = (await client.get(f"/v1/mentors/{world.mentor_id}/slots")).json()
    assert first["start"] not in _all_starts(after["days"])

    token = body["manage_token"]
    assert body["manage_url"].endswith(f"/manage/{token}")
    seen = await client.get(f"/v1/bookings/manage/{token}")
    assert seen.status_code == 200 and seen.json()["can_cancel"] is True

    cancelled = await client.post(
        f"/v1/bookings/manage/{token}/cancel", json={"reason": "empêchement"}
    )
    assert cancelled.status_code == 200, cancelled.text
    assert cancelled.json()["booking"]["status"] == "cancelled"

    again = (await client.get(f"/v1/mentors/{world.mentor_id}/slots")).json()
    assert first["start"] in _all_starts(again["days"])


def _request(world: World, start: str, email: str) -> dict[str, object]:
    return {
        "mentor_id": str(world.mentor_id),
        "start": start,
        "first_name": "Camille",
        "email": email,
        "consent": True,
    }


async def _first_start(client: AsyncTestClient, world: World) -> str:  # type: ignore[type-arg]
    slots = (await client.get(f"/v1/mentors/{world.mentor_id}/slots")).json()
    return str(_all_starts(slots["days"])[0])


async def test_the_booking_answer_names_its_mentor(
    client: AsyncTestClient,
    world: World,  # type: ignore[type-arg]
) -> None:
    start = await _first_start(client, world)
    created = await client.post("/v1/bookings", json=_request(world, start, "camille@example.fr"))
    assert created.status_code == 201, created.text
    assert created.json()["booking"]["mentor_name"] == "Léa"


async def test_booking_a_deactivated_mentor_is_refused_as_unavailable(
    client: AsyncTestClient,
    world: World,  # type: ignore[type-arg]
    db: Database,
) -> None:
    start = await _first_start(client, world)
    async with db.sessions() as session:
        await catalog.deactivate_mentor(session, world.mentor_id, Actor.staff("tests"))
    refused = await client.post("/v1/bookings", json=_request(world, start, "camille@example.fr"))
    assert refused.status_code == 409, refused.text
    assert refused.json()["code"] == "mentor_unavailable"
