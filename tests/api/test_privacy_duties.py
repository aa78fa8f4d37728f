"""The privacy duties over HTTP: once a booking's personal data is erased, its links and its
Idempotency-Key answer 410 ``booking_gone`` (problem JSON; the join link a 410 page) and never
issue anything again; the basis of consent is stored, and under 15 a parent must agree."""

from __future__ import annotations

from datetime import timedelta

from litestar.testing import AsyncTestClient
from sqlalchemy import text

from scheduler.booking import purge_personal_data
from scheduler.platform import Database
from testkit.factories import Clock
from tests.api.conftest import World


async def test_a_purged_bookings_key_and_links_answer_gone(
    client: AsyncTestClient,  # type: ignore[type-arg]
    world: World,
    db: Database,
    clock: Clock,
) -> None:
    slots = (await client.get(f"/v1/mentors/{world.mentor_id}/slots")).json()
    start = slots["days"][0]["slots"][0]["start"]
    body = {
        "mentor_id": str(world.mentor_id),
        "start": start,
        "first_name": "Camille",
        "email": "camille@example.fr",
        "consent": True,
    }
    made = await client.post("/v1/bookings", json=body, headers={"Idempotency-Key": "k-gone"})
    assert made.status_code == 201, made.text
    token = made.json()["manage_token"]
    join = made.json()["join_url"]

    clock.now += timedelta(days=400)
    async with db.sessions() as session:
        assert (await purge_personal_data(session, clock.now, 180)).bookings == 1

    replay = await client.post("/v1/bookings", json=body, headers={"Idempotency-Key": "k-gone"})
    assert replay.status_code == 410
    assert replay.headers["content-type"].startswith("application/problem+json")
    assert replay.json()["code"] == "booking_gone"
    assert "manage_token" not in replay.text
    for path in (f"/v1/bookings/manage/{token}", f"/v1/bookings/manage/{token}/invite.ics"):
        seen = await client.get(path)
        assert (seen.status_code, seen.json()["code"]) == (410, "booking_gone"), path
    cancel = await client.post(f"/v1/bookings/manage/{token}/cancel", json={})
    assert cancel.json()["code"] == "booking_gone"
    page = await client.get(join.replace("http://testserver.local", ""))
    assert page.status_code == 410 and "effacé" in page.text


async def test_the_consent_basis_is_stored_and_under_15_needs_a_parent(
    client: AsyncTestClient,  # type: ignore[type-arg]
    world: World,
    db: Database,
) -> None:
    slots = (await client.get(f"/v1/mentors/{world.mentor_id}/slots")).json()
    starts = [s["start"] for day in slots["days"] for s in day["slots"]]
    body = {
        "mentor_id": str(world.mentor_id),
        "first_name": "Jules",
        "email": "jules@example.fr",
        "consent": True,
        "age": "under_15",
    }
    refused = await client.post("/v1/bookings", json={**body, "start": starts[0]})
    assert (refused.status_code, refused.json()["code"]) == (422, "validation_failed")
    made = await client.post(
        "/v1/bookings", json={**body, "start": starts[0], "parent_agreed": True}
    )
    assert made.status_code == 201, made.text
    own = await client.post("/v1/bookings", json={**body, "start": starts[2], "age": "15_or_older"})
    assert own.status_code == 201, own.text
    async with db.sessions() as session:
        rows = (
            await session.execute(text("SELECT consent_basis FROM bookings ORDER BY start_at"))
        ).all()
    assert [r[0] for r in rows] == ["parental", "own"]
