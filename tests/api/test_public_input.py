"""Hostile input on the public routes gets a 4xx problem, never a 500."""

from __future__ import annotations

from typing import Any

import pytest
from litestar.testing import AsyncTestClient

from tests.api.conftest import World


@pytest.mark.parametrize("slug", ["%00", "Droit", "droit%20", "a" * 61, "droit--x"])
async def test_a_malformed_filiere_slug_is_a_client_error(
    client: AsyncTestClient,  # type: ignore[type-arg]
    world: World,
    slug: str,
) -> None:
    answer = await client.get(f"/v1/filieres/{slug}/mentors")
    assert 400 <= answer.status_code < 500
    assert answer.headers["content-type"].startswith("application/problem+json")


async def test_an_unknown_timezone_is_refused_with_its_code(
    client: AsyncTestClient,  # type: ignore[type-arg]
    world: World,
) -> None:
    answer = await client.get(f"/v1/mentors/{world.mentor_id}/slots", params={"tz": "Mars/Olympus"})
    assert answer.status_code == 422
    assert answer.json()["code"] == "invalid_timezone"


async def test_a_booking_without_consent_is_refused_and_stores_nothing(
    client: AsyncTestClient,  # type: ignore[type-arg]
    world: World,
) -> None:
    start = await _first_start(client, world)
    refused = await client.post("/v1/bookings", json=_booking(world, start, consent=False))
    assert refused.status_code == 422 and refused.json()["code"] == "validation_failed"
    assert await _first_start(client, world) == start


async def test_problem_titles_follow_accept_language(
    client: AsyncTestClient,  # type: ignore[type-arg]
    world: World,
) -> None:
    path = "/v1/mentors/00000000-0000-0000-0000-000000000000"
    french = (await client.get(path)).json()
    english = (await client.get(path, headers={"Accept-Language": "en-GB,en;q=0.9"})).json()
    assert french["code"] == english["code"] == "not_found"
    assert french["title"] == "Introuvable" and english["title"] == "Not found"


async def test_a_nul_character_in_the_filiere_is_a_422_and_stores_nothing(
    client: AsyncTestClient,  # type: ignore[type-arg]
    world: World,
) -> None:
    # (Names and questions are cleaned of control characters before they get this far.)
    start = await _first_start(client, world)
    refused = await client.post("/v1/bookings", json=_booking(world, start, filiere="droit\u0000"))
    assert refused.status_code == 422, refused.text
    assert refused.json()["code"] == "validation_failed"
    assert await _first_start(client, world) == start


async def _first_start(client: AsyncTestClient, world: World) -> str:  # type: ignore[type-arg]
    """The start of the mentor's first open slot: it stays open when a booking is refused."""
    slots = (await client.get(f"/v1/mentors/{world.mentor_id}/slots")).json()
    start: str = slots["days"][0]["slots"][0]["start"]
    return start


def _booking(world: World, start: str, **changes: Any) -> dict[str, Any]:
    """A valid booking of ``start`` with Léa, but for ``changes``."""
    return {
        "mentor_id": str(world.mentor_id),
        "start": start,
        "first_name": "Camille",
        "email": "camille@example.fr",
        "consent": True,
    } | changes


@pytest.mark.parametrize("slug", ["medecine", "inconnue"])
async def test_a_filiere_the_mentor_is_not_in_is_refused_and_stores_nothing(
    client: AsyncTestClient,  # type: ignore[type-arg]
    world: World,
    slug: str,
) -> None:
    start = await _first_start(client, world)
    refused = await client.post("/v1/bookings", json=_booking(world, start, filiere=slug))
    assert refused.status_code == 422, refused.text
    assert refused.json()["code"] == "validation_failed"
    assert await _first_start(client, world) == start
