"""Large answers leave gzipped, except the signed-in pages (a CSRF token beside reflected input
must not be compressed: BREACH)."""

from __future__ import annotations

from litestar.testing import AsyncTestClient

from api.precompressed import MINIMUM_SIZE
from tests.api.conftest import World


async def test_the_api_schema_is_gzipped(client: AsyncTestClient) -> None:  # type: ignore[type-arg]
    answer = await client.get("/schema/openapi.json", headers={"Accept-Encoding": "gzip"})
    assert answer.status_code == 200 and answer.headers.get("content-encoding") == "gzip"


async def test_mentor_space_pages_are_not_compressed(client: AsyncTestClient) -> None:  # type: ignore[type-arg]
    answer = await client.get("/mentor/sign-in", headers={"Accept-Encoding": "gzip"})
    assert answer.status_code == 200 and len(answer.content) > 1024
    assert "content-encoding" not in answer.headers


async def test_the_widget_calendar_is_gzipped_for_a_client_that_accepts_it(
    client: AsyncTestClient,  # type: ignore[type-arg]
    world: World,
) -> None:
    path = f"/v1/mentors/{world.mentor_id}/slots"
    packed = await client.get(path, headers={"Accept-Encoding": "gzip"})
    plain = await client.get(path, headers={"Accept-Encoding": "identity"})
    assert packed.headers.get("content-encoding") == "gzip"
    assert packed.headers["vary"] == "Accept-Encoding"
    assert "content-encoding" not in plain.headers
    assert packed.json() == plain.json() and plain.json()["days"]


async def test_a_gzipped_answer_to_an_allowed_origin_varies_on_both_origin_and_encoding(
    client: AsyncTestClient,  # type: ignore[type-arg]
    world: World,
) -> None:
    answer = await client.get(
        f"/v1/mentors/{world.mentor_id}/slots",
        headers={"Accept-Encoding": "gzip", "Origin": "https://www.thotis.fr"},
    )
    assert answer.headers.get("content-encoding") == "gzip"
    assert answer.headers["access-control-allow-origin"] == "https://www.thotis.fr"
    varies = {part.strip().lower() for part in answer.headers["vary"].split(",")}
    assert varies == {"origin", "accept-encoding"}


async def test_a_small_filiere_page_is_sent_plain_even_to_a_client_that_accepts_gzip(
    client: AsyncTestClient,  # type: ignore[type-arg]
    world: World,
) -> None:
    answer = await client.get(
        f"/v1/filieres/{world.filiere}/mentors", headers={"Accept-Encoding": "gzip"}
    )
    assert answer.status_code == 200 and len(answer.content) < MINIMUM_SIZE
    assert "content-encoding" not in answer.headers
