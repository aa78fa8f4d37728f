"""A refused CORS origin is diagnosable: its preflight passes, its request gets a readable 403
problem ``origin_not_allowed`` naming the origin to add to CORS_ORIGINS, and nothing runs."""

from __future__ import annotations

from litestar.testing import AsyncTestClient

from tests.api.conftest import World

Client = AsyncTestClient  # type: ignore[type-arg]
STRANGER = "https://www.autre-site.example"


async def test_a_refused_origin_gets_a_problem_it_can_read_naming_the_setting(
    client: Client, world: World
) -> None:
    answer = await client.get(
        f"/v1/mentors/{world.mentor_id}/slots",
        headers={"Origin": STRANGER, "Accept-Language": "en"},
    )
    assert answer.status_code == 403
    assert answer.headers["content-type"].startswith("application/problem+json")
    assert answer.headers["access-control-allow-origin"] == STRANGER
    body = answer.json()
    assert body["code"] == "origin_not_allowed" and body["origin"] == STRANGER
    assert "CORS_ORIGINS" in body["detail"] and STRANGER in body["detail"]
    assert body["title"] == "This site may not call the Thotis API"


async def test_a_refused_origins_preflight_passes_so_the_browser_sends_the_request(
    client: Client,
) -> None:
    answer = await client.options(
        "/v1/bookings",
        headers={
            "Origin": STRANGER,
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type",
        },
    )
    assert answer.status_code == 204
    assert answer.headers["access-control-allow-origin"] == STRANGER


async def test_a_refused_origin_changes_nothing(client: Client, world: World) -> None:
    refused = await client.post(
        "/v1/bookings",
        json={"mentor_id": str(world.mentor_id), "start": "2026-12-01T17:00:00Z"},
        headers={"Origin": STRANGER},
    )
    assert refused.status_code == 403
    assert refused.json()["code"] == "origin_not_allowed"


async def test_listed_and_same_origins_are_served_as_before(client: Client, world: World) -> None:
    path = f"/v1/mentors/{world.mentor_id}/slots"
    listed = await client.get(path, headers={"Origin": "https://www.thotis.fr"})
    assert listed.status_code == 200
    assert listed.headers["access-control-allow-origin"] == "https://www.thotis.fr"
    same = await client.get(path, headers={"Origin": "http://testserver.local"})
    assert same.status_code == 200
    assert (await client.get(path)).status_code == 200
