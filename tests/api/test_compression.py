"""Large answers leave gzipped, except the signed-in pages (a CSRF token beside reflected input
must not be compressed: BREACH)."""

from __future__ import annotations

from litestar.testing import AsyncTestClient


async def test_the_api_schema_is_gzipped(client: AsyncTestClient) -> None:  # type: ignore[type-arg]
    answer = await client.get("/schema/openapi.json", headers={"Accept-Encoding": "gzip"})
    assert answer.status_code == 200 and answer.headers.get("content-encoding") == "gzip"


async def test_mentor_space_pages_are_not_compressed(client: AsyncTestClient) -> None:  # type: ignore[type-arg]
    answer = await client.get("/mentor/sign-in", headers={"Accept-Encoding": "gzip"})
    assert answer.status_code == 200 and len(answer.content) > 1024
    assert "content-encoding" not in answer.headers
