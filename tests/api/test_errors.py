"""Errors of the mentor and staff routes: RFC 9457 problem JSON with a stable code and a
French/English title, and hostile or malformed input that ends in a 4xx — never a 500 — and
leaves what is stored as it was."""

from __future__ import annotations

from typing import Any
from uuid import uuid4

import pytest_asyncio
from litestar.testing import AsyncTestClient

from scheduler.identity import credentials as credentials
from scheduler.platform import Actor, Database
from tests.api.conftest import World

Client = AsyncTestClient  # type: ignore[type-arg]
STAFF = Actor.staff("tests")


@pytest_asyncio.fixture(loop_scope="session")
async def auth(db: Database, world: World) -> dict[str, dict[str, str]]:
    async with db.session() as session:
        token = await credentials.create_mentor_token(session, world.mentor_id, STAFF)
        _, key = await credentials.create_staff_api_key(session, "site", STAFF)
    return {"mentor": {"Authorization": f"Bearer {token}"}, "staff": {"X-API-Key": key}}


async def test_a_problem_has_the_rfc_9457_members_and_a_localized_title(
    client: Client, world: World, auth: dict[str, dict[str, str]]
) -> None:
    french = await client.get("/v1/me/rules")
    assert french.status_code == 401
    assert french.headers["content-type"].startswith("application/problem+json")
    body = french.json()
    assert body == {
        "type": "https://thotis.fr/problems/unauthorized",
        "title": "Authentification requise",
        "status": 401,
        "detail": body["detail"],
        "code": "unauthorized",
    }
    english = await client.get("/v1/me/rules", headers={"Accept-Language": "en-GB,en;q=0.8"})
    assert english.json()["title"] == "Authentication required"

    missing = await client.get(
        f"/v1/staff/mentors/{uuid4()}", headers=auth["staff"] | {"Accept-Language": "en"}
    )
    assert (missing.status_code, missing.json()["code"], missing.json()["title"]) == (
        404,
        "not_found",
        "Not found",
    )
    invalid = await client.put(
        "/v1/me/policy", headers=auth["mentor"], json={"horizon_days": "demain"}
    )
    assert invalid.status_code == 422
    assert invalid.json()["code"] == "validation_failed"
    assert invalid.json()["title"] == "Données invalides"
    assert invalid.json()["errors"], "the failing fields are named"

    wrong_method = await client.delete("/v1/me/rules", headers=auth["mentor"])
    assert (wrong_method.status_code, wrong_method.json()["code"]) == (405, "method_not_allowed")


def _hostile(booking: str) -> list[tuple[str, str, str, dict[str, Any]]]:
    """(who, method, path, request options) that must all end in a 4xx problem."""
    nul = "\u0000"
    return [
        (
            "mentor",
            "PUT",
            "/v1/me/rules",
            {"content": b"{not json", "headers": {"content-type": "application/json"}},
        ),
        ("mentor", "PUT", "/v1/me/rules", {"json": []}),
        ("mentor", "PUT", "/v1/me/rules", {"json": {"rules": {"0": "18:00-20:00"}}}),
        ("mentor", "PUT", "/v1/me/rules", {"json": {"rules": {"0": [[1080, 1200]]}}}),
        ("mentor", "PUT", "/v1/me/rules", {"json": {"rules": {"0": [[nul, "20:00"]]}}}),
        ("mentor", "PUT", "/v1/me/rules", {"json": {"rules": {"-1": []}}}),
        ("mentor", "PUT", "/v1/me/rules", {"json": {"rules": {"0": [["00:00", "24:05"]]}}}),
        ("mentor", "PUT", "/v1/me/overrides/2026-02-30", {"json": {"ranges": []}}),
        ("mentor", "PUT", "/v1/me/overrides/demain", {"json": {"ranges": []}}),
        ("mentor", "PUT", "/v1/me/overrides/2026-12-24", {"json": {"ranges": "off"}}),
        ("mentor", "DELETE", "/v1/me/overrides/0000-00-00", {}),
        ("mentor", "GET", "/v1/me/overrides", {"params": {"from": "31/12/2026"}}),
        ("mentor", "PUT", "/v1/me/policy", {"json": {"buffer_before_minutes": 1e308}}),
        (
            "mentor",
            "PUT",
            "/v1/me/policy",
            {
                "json": {
                    "buffer_before_minutes": 0,
                    "buffer_after_minutes": 0,
                    "notice_minutes": 0,
                    "horizon_days": 30,
                    "week_cap": 2**63,
                }
            },
        ),
        ("mentor", "GET", "/v1/me/bookings", {"params": {"limit": str(10**30)}}),
        ("mentor", "POST", "/v1/me/bookings/pas-un-id/cancel", {"json": {"reason": "x"}}),
        ("mentor", "POST", f"/v1/me/bookings/{booking}/cancel", {"json": {"reason": "x" * 10_000}}),
        ("mentor", "POST", f"/v1/me/bookings/{booking}/cancel", {"json": {"reason": 42}}),
        ("mentor", "GET", "/v1/me/slots/preview", {"params": {"tz": nul}}),
        ("mentor", "GET", "/v1/me/slots/preview", {"params": {"tz": "../../etc/passwd"}}),
        ("staff", "GET", "/v1/staff/bookings", {"params": {"filiere": nul}}),
        ("staff", "GET", "/v1/staff/bookings", {"params": {"offset": "-1"}}),
        ("staff", "GET", "/v1/staff/bookings", {"params": {"mentor": nul}}),
        ("staff", "GET", "/v1/staff/bookings.csv", {"params": {"from": "2026-13-01T00:00:00Z"}}),
        ("staff", "GET", "/v1/staff/mentors", {"params": {"filiere": nul}}),
        ("staff", "GET", "/v1/staff/mentors", {"params": {"include_inactive": "peut-être"}}),
        ("staff", "GET", "/v1/staff/stats", {"params": {"from": "0001-01-01T00:00:00+14:00"}}),
        ("staff", "GET", "/v1/staff/stats", {"params": {"to": "9999-12-31T23:00:00-05:00"}}),
        ("staff", "GET", "/v1/staff/questions", {"params": {"filiere": "Droit; DROP TABLE"}}),
        ("staff", "PATCH", "/v1/staff/filieres/%00", {"json": {"name_fr": "x"}}),
        (
            "staff",
            "POST",
            "/v1/staff/filieres",
            {"json": {"slug": "a", "name_fr": "x" * 100_000, "name_en": "x"}},
        ),
        (
            "staff",
            "POST",
            "/v1/staff/filieres",
            {"json": {"slug": nul, "name_fr": "x", "name_en": "x"}},
        ),
        (
            "staff",
            "POST",
            "/v1/staff/mentors",
            {"json": _new_mentor(email=f"x{nul}@example.org", year_of_study=2**70, filieres=[nul])},
        ),
        (
            "staff",
            "POST",
            "/v1/staff/mentors",
            {"json": _new_mentor(email=f"x{nul}@example.org")},
        ),
        ("staff", "PATCH", "/v1/staff/mentors/{mentor}", {"json": {"timezone": nul}}),
        (
            "staff",
            "PATCH",
            "/v1/staff/mentors/{mentor}",
            {"json": {"photo_url": f"https://x/{nul}"}},
        ),
        ("staff", "PATCH", "/v1/staff/mentors/{mentor}", {"json": {"languages": [nul]}}),
        ("staff", "PATCH", "/v1/staff/mentors/{mentor}", {"json": {"year_of_study": True}}),
        ("staff", "POST", f"/v1/staff/bookings/{booking}/cancel", {"json": {"reason": ["x"]}}),
    ]


def _new_mentor(**changes: Any) -> dict[str, Any]:
    """A valid new mentor for the staff route, but for ``changes``."""
    return {
        "display_name": "X",
        "email": "x@example.org",
        "university": "U",
        "year_of_study": 3,
        "filieres": ["droit"],
    } | changes


async def _snapshot(client: Client, auth: dict[str, dict[str, str]]) -> list[Any]:
    mentor, staff = auth["mentor"], auth["staff"]
    return [
        (await client.get("/v1/me/rules", headers=mentor)).json(),
        (await client.get("/v1/me/overrides", headers=mentor)).json(),
        (await client.get("/v1/me/policy", headers=mentor)).json(),
        (await client.get("/v1/staff/mentors", headers=staff)).json(),
        (await client.get("/v1/filieres")).json(),
    ]


async def test_hostile_input_is_a_4xx_problem_and_changes_nothing(
    client: Client, world: World, auth: dict[str, dict[str, str]]
) -> None:
    before = await _snapshot(client, auth)
    for who, method, path, options in _hostile(str(uuid4())):
        options = dict(options)
        headers = auth[who] | options.pop("headers", {})
        path = path.replace("{mentor}", str(world.mentor_id))
        response = await client.request(method, path, headers=headers, **options)
        where = (method, path, options)
        assert 400 <= response.status_code < 500, (where, response.status_code, response.text)
        assert response.headers["content-type"].startswith("application/problem+json"), where
        assert response.json()["code"], where
    assert await _snapshot(client, auth) == before


async def test_the_mentor_and_staff_routes_are_documented_with_their_credentials(
    client: Client,
) -> None:
    schema = (await client.get("/schema/openapi.json")).json()
    operations = [
        (path, method, operation)
        for path, item in schema["paths"].items()
        if path == "/v1/me"
        or path.startswith(
            ("/v1/me/rules", "/v1/me/overrides", "/v1/me/policy", "/v1/me/bookings", "/v1/me/slots")
        )
        or path.startswith("/v1/staff/")
        for method, operation in item.items()
    ]
    # 26, the 8 webhook endpoint operations (issue 19) and the 4 of the question themes.
    assert len(operations) == 38
    for path, method, operation in operations:
        scheme = "staffApiKey" if path.startswith("/v1/staff/") else "mentorToken"
        assert operation["security"] == [{scheme: []}], (method, path)
        assert "401" in operation["responses"], (method, path)
