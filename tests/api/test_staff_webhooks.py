"""The staff API's webhook endpoints through HTTP: register, read, change, test, log, delete,
and the URLs it refuses (with a problem JSON)."""

from __future__ import annotations

from typing import Any

import pytest_asyncio
from litestar.testing import AsyncTestClient

from scheduler.identity import credentials
from scheduler.platform import Actor, Database

Client = AsyncTestClient  # type: ignore[type-arg]
STAFF = Actor.staff("tests")
SITE = "https://www.thotis.fr/api/thotis-webhooks"


@pytest_asyncio.fixture(loop_scope="session")
async def key(db: Database) -> dict[str, str]:
    async with db.session() as session:
        _, raw = await credentials.create_staff_api_key(session, "thotis.fr", STAFF)
    return {"X-API-Key": raw}


async def _create(client: Client, key: dict[str, str], **body: Any) -> dict[str, Any]:
    made = await client.post(
        "/v1/staff/webhooks", json={"url": SITE, "events": ["booking.created"]} | body, headers=key
    )
    assert made.status_code == 201, made.text
    created: dict[str, Any] = made.json()
    return created


async def test_an_endpoint_is_registered_with_a_standard_secret_and_the_email_off(
    client: Client, key: dict[str, str]
) -> None:
    created = await _create(client, key, description="Site")
    assert created["secret"].startswith("whsec_") and created["enabled"]
    assert created["include_visitor_email"] is False
    listed = (await client.get("/v1/staff/webhooks", headers=key)).json()
    assert [e["id"] for e in listed] == [created["id"]]


async def test_an_endpoint_is_switched_off_rotated_and_deleted(
    client: Client, key: dict[str, str]
) -> None:
    created = await _create(client, key)
    path = f"/v1/staff/webhooks/{created['id']}"
    changed = await client.patch(path, json={"enabled": False}, headers=key)
    assert changed.status_code == 200 and changed.json()["enabled"] is False
    rotated = (await client.post(f"{path}/rotate-secret", headers=key)).json()
    assert rotated["secret"] != created["secret"]
    assert (await client.delete(path, headers=key)).status_code == 204
    assert (await client.get(path, headers=key)).json()["code"] == "not_found"


async def test_a_test_message_appears_in_the_delivery_log(
    client: Client, key: dict[str, str]
) -> None:
    created = await _create(client, key)
    path = f"/v1/staff/webhooks/{created['id']}"
    sent = await client.post(f"{path}/test", headers=key)
    assert sent.status_code == 202
    (logged,) = (await client.get(f"{path}/deliveries", headers=key)).json()
    assert logged["id"] == sent.json()["message_id"]
    assert (logged["event_type"], logged["status"]) == ("webhook.test", "pending")


async def test_a_plain_http_or_private_url_is_refused_with_a_problem(
    client: Client, key: dict[str, str]
) -> None:
    for url in ("http://www.thotis.fr/hooks", "https://192.168.1.10/hooks"):
        refused = await client.post(
            "/v1/staff/webhooks", json={"url": url, "events": ["booking.created"]}, headers=key
        )
        assert refused.status_code == 422
        assert refused.headers["content-type"].startswith("application/problem+json")
        assert refused.json()["code"] == "validation_failed"


async def test_an_unknown_event_is_refused(client: Client, key: dict[str, str]) -> None:
    refused = await client.post(
        "/v1/staff/webhooks", json={"url": SITE, "events": ["booking.eaten"]}, headers=key
    )
    assert refused.status_code == 422
