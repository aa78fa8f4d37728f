"""While PostgreSQL restarts, every surface says so with a 503 and ``Retry-After`` (problem JSON
for the API, a page for the mentor space) instead of a 500; nothing is stored, and the same
requests succeed once the server is back, without restarting the service."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime

import pytest
import pytest_asyncio
from litestar.testing import AsyncTestClient

from api.app import create_app
from api.wiring import build_parts
from scheduler.catalog import MentorRecord
from scheduler.platform import Database, Settings
from testkit.factories import Clock, make_mentor
from testkit.settings import changed
from tests.database import Restartable

# The factories' mentor is free on weekday evenings; this Tuesday 18:00 in Paris is bookable
# from the test clock's Monday morning.
SLOT = "2026-12-01T17:00:00Z"


@pytest_asyncio.fixture(loop_scope="session")
async def mentor(restartable: Restartable) -> AsyncIterator[MentorRecord]:
    db = Database.from_url(restartable.url)
    try:
        yield await make_mentor(db)
    finally:
        await db.dispose()


@pytest_asyncio.fixture(loop_scope="session")
async def client(
    settings: Settings, restartable: Restartable, clock: Clock
) -> AsyncIterator[AsyncTestClient]:  # type: ignore[type-arg]
    settings = changed(settings, database_url=restartable.url)
    app = create_app(
        settings, build_parts(settings, Database.from_url(restartable.url), clock=clock)
    )
    async with AsyncTestClient(app=app, base_url="http://testserver.local") as test_client:
        yield test_client


def _booking(mentor: MentorRecord) -> dict[str, object]:
    return {
        "mentor_id": str(mentor.id),
        "start": SLOT,
        "first_name": "Camille",
        "email": "camille@example.fr",
        "consent": True,
    }


@pytest.mark.parametrize(
    "path", ["/v1/filieres", "/v1/filieres/droit/mentors", "/v1/mentors/{id}/slots"]
)
async def test_a_read_while_the_database_is_down_is_a_503_saying_when_to_retry(
    client: AsyncTestClient,  # type: ignore[type-arg]
    restartable: Restartable,
    mentor: MentorRecord,
    path: str,
) -> None:
    restartable.stop()
    response = await client.get(path.format(id=mentor.id))
    assert response.status_code == 503
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.headers["retry-after"] == "5"
    body = response.json()
    assert body["code"] == "database_unavailable"
    assert body["title"].startswith("Service momentanément indisponible")


async def test_the_problem_speaks_english_when_asked(
    client: AsyncTestClient,  # type: ignore[type-arg]
    restartable: Restartable,
) -> None:
    restartable.stop()
    response = await client.get("/v1/filieres", headers={"Accept-Language": "en"})
    assert response.json()["title"] == "Service briefly unavailable, try again in a moment"


async def test_a_booking_refused_during_the_outage_is_made_by_the_same_retry_afterwards(
    client: AsyncTestClient,  # type: ignore[type-arg]
    restartable: Restartable,
    mentor: MentorRecord,
) -> None:
    headers = {"Idempotency-Key": "outage-1"}
    restartable.stop()
    refused = await client.post("/v1/bookings", json=_booking(mentor), headers=headers)
    assert refused.status_code == 503 and refused.json()["code"] == "database_unavailable"

    restartable.start()
    made = await client.post("/v1/bookings", json=_booking(mentor), headers=headers)
    assert made.status_code == 201, made.text
    assert datetime.fromisoformat(made.json()["booking"]["start"]) == datetime(
        2026, 12, 1, 17, 0, tzinfo=UTC
    )
    again = await client.post("/v1/bookings", json=_booking(mentor), headers=headers)
    assert again.json()["booking"]["id"] == made.json()["booking"]["id"]


async def test_the_service_serves_again_once_the_database_is_back(
    client: AsyncTestClient,  # type: ignore[type-arg]
    restartable: Restartable,
    mentor: MentorRecord,
) -> None:
    assert (await client.get("/v1/filieres")).status_code == 200
    restartable.stop()
    assert (await client.get("/v1/filieres")).status_code == 503
    assert (await client.get("/readyz")).status_code == 503
    restartable.start()
    assert (await client.get("/readyz")).status_code == 200
    assert [f["slug"] for f in (await client.get("/v1/filieres")).json()] == ["droit"]


async def test_a_mentor_space_page_while_the_database_is_down_is_a_503_page(
    client: AsyncTestClient,  # type: ignore[type-arg]
    restartable: Restartable,
) -> None:
    restartable.stop()
    client.cookies.set("thotis_mentor", "a-session-id", path="/mentor")
    response = await client.get("/mentor")
    assert response.status_code == 503
    assert response.headers["content-type"].startswith("text/html")
    assert response.headers["retry-after"] == "5"
    assert "La base de données ne répond pas pour le moment" in response.text
