"""Abuse resistance at the HTTP door (issue 18): every input outside what the service supports
is a 4xx problem JSON with a stable code, before any arithmetic, and changes nothing stored.

The properties of the window and of the names themselves are in
``tests/availability/test_window.py`` and ``tests/scheduler/booking/test_visitor_names.py``.
"""

from __future__ import annotations

from typing import Any

import pytest
import pytest_asyncio
from litestar.testing import AsyncTestClient

from api.decoding import MAX_BODY_BYTES, MAX_JSON_DEPTH, json_depth
from scheduler.identity import credentials as credentials
from scheduler.platform import Actor, Database
from tests.api.conftest import World

Client = AsyncTestClient  # type: ignore[type-arg]
STAFF = Actor.staff("tests")


@pytest_asyncio.fixture(loop_scope="session")
async def mentor_auth(db: Database, world: World) -> dict[str, str]:
    async with db.session() as session:
        token = await credentials.create_mentor_token(session, world.mentor_id, STAFF)
        await session.commit()
    return {"Authorization": f"Bearer {token}"}


def _problem(answer: Any, status: int, code: str) -> None:
    assert answer.status_code == status, answer.text
    assert answer.headers["content-type"].startswith("application/problem+json")
    assert answer.json()["code"] == code


async def _first_slot(client: Client, world: World) -> str:
    slots = (await client.get(f"/v1/mentors/{world.mentor_id}/slots")).json()
    start: str = slots["days"][0]["slots"][0]["start"]
    return start


def _booking(world: World, start: str, **changes: Any) -> dict[str, Any]:
    return {
        "mentor_id": str(world.mentor_id),
        "start": start,
        "first_name": "Camille",
        "email": "camille@example.fr",
        "consent": True,
    } | changes


@pytest.mark.parametrize(
    "params",
    [
        {"from": "9999-12-25T00:00:00Z"},
        {"from": "0001-01-01T00:00:00+14:00"},
        {"to": "9999-12-31T23:59:59-12:00"},
        {"from": "1999-12-31T23:59:59Z", "to": "2000-01-02T00:00:00Z"},
        {"from": "2099-12-31T12:00:00Z", "to": "2100-01-01T00:00:01Z"},
    ],
)
async def test_a_slot_query_outside_the_supported_window_is_invalid_query_range(
    client: Client, world: World, params: dict[str, str]
) -> None:
    answer = await client.get(f"/v1/mentors/{world.mentor_id}/slots", params=params)
    _problem(answer, 422, "invalid_query_range")


@pytest.mark.parametrize(
    "start", ["9999-12-31T23:45:00-05:00", "0001-01-01T00:00:00+01:00", "2100-01-01T00:00:00Z"]
)
async def test_a_booking_or_reschedule_outside_the_window_is_refused_and_stores_nothing(
    client: Client, world: World, start: str
) -> None:
    first = await _first_slot(client, world)
    _problem(
        await client.post("/v1/bookings", json=_booking(world, start)), 422, "invalid_query_range"
    )
    made = await client.post("/v1/bookings", json=_booking(world, first))
    assert made.status_code == 201
    token = made.json()["manage_token"]
    moved = await client.post(f"/v1/bookings/manage/{token}/reschedule", json={"start": start})
    _problem(moved, 422, "invalid_query_range")
    kept = (await client.get(f"/v1/bookings/manage/{token}")).json()
    assert kept["booking"]["status"] == "confirmed"
    assert kept["booking"]["start"].startswith(first[:16])


@pytest.mark.parametrize("day", ["0001-01-01", "9999-12-31", "1999-12-31", "2100-01-01"])
async def test_a_date_override_outside_the_window_is_refused_and_stores_nothing(
    client: Client, world: World, mentor_auth: dict[str, str], day: str
) -> None:
    put = await client.put(f"/v1/me/overrides/{day}", headers=mentor_auth, json={"ranges": []})
    _problem(put, 422, "invalid_query_range")
    deleted = await client.delete(f"/v1/me/overrides/{day}", headers=mentor_auth)
    _problem(deleted, 422, "invalid_query_range")
    listed = await client.get("/v1/me/overrides", headers=mentor_auth, params={"from": day})
    _problem(listed, 422, "invalid_query_range")
    stored = await client.get(
        "/v1/me/overrides", headers=mentor_auth, params={"from": "2000-01-01"}
    )
    assert stored.json()["overrides"] == []


@pytest.mark.parametrize(
    ("name", "code"),
    [
        ("localtime", "invalid_timezone"),
        ("Factory", "invalid_timezone"),
        ("posixrules", "invalid_timezone"),
        ("posix/Europe/Paris", "invalid_timezone"),
        ("right/UTC", "invalid_timezone"),
        # Not even the shape of a name: the schema's pattern refuses it before the server looks.
        ("../etc/passwd", "validation_failed"),
        ("/usr/share/zoneinfo/UTC", "validation_failed"),
    ],
)
async def test_a_timezone_that_is_no_place_is_refused(
    client: Client, world: World, name: str, code: str
) -> None:
    answer = await client.get(f"/v1/mentors/{world.mentor_id}/slots", params={"tz": name})
    _problem(answer, 422, code)
    start = await _first_slot(client, world)
    booked = await client.post("/v1/bookings", json=_booking(world, start, timezone=name))
    _problem(booked, 422, code)
    assert await _first_slot(client, world) == start


@pytest.mark.parametrize("name", ["\u200b", "\u200b\u200c\u200d", "\u2060\ufeff", "...", "\u0301"])
async def test_a_first_name_without_a_letter_is_refused_and_books_nothing(
    client: Client, world: World, name: str
) -> None:
    start = await _first_slot(client, world)
    answer = await client.post("/v1/bookings", json=_booking(world, start, first_name=name))
    _problem(answer, 422, "validation_failed")
    assert await _first_slot(client, world) == start


def _nested(depth: int) -> bytes:
    return b"[" * depth + b"]" * depth


@pytest.mark.parametrize(
    ("method", "path", "auth"),
    [
        ("POST", "/v1/bookings", False),
        ("POST", "/v1/bookings/manage/x/cancel", False),
        ("PUT", "/v1/me/rules", True),
        ("PUT", "/v1/me/policy", True),
    ],
)
async def test_a_json_body_nested_too_deep_is_a_400_problem_on_every_json_route(
    client: Client, world: World, mentor_auth: dict[str, str], method: str, path: str, auth: bool
) -> None:
    headers = {"Content-Type": "application/json"} | (mentor_auth if auth else {})
    for depth in (MAX_JSON_DEPTH + 1, 1000, MAX_BODY_BYTES // 2 - 1):
        answer = await client.request(method, path, content=_nested(depth), headers=headers)
        _problem(answer, 400, "json_too_deep")
    # Brackets inside strings are text, not nesting.
    text = b'{"rules": {"0": [["18:00", "' + b"[" * 2000 + b'"]]}}'
    answer = await client.request(method, path, content=text, headers=headers)
    assert answer.status_code != 500
    assert answer.json()["code"] != "json_too_deep"


@pytest.mark.parametrize(
    ("body", "depth"),
    [
        (b'{"a": [1, {"b": "]]}}"}], "c": "\\"[["}', 3),
        (b'["\\\\", [["\\"]"]]]', 3),
        (b"[[[", 3),
        # An unterminated string: malformed, the scan stops there (the decoder refuses it).
        (b'[["' + b'\\"' * 1000, 2),
    ],
)
def test_json_depth_counts_brackets_outside_strings_only(body: bytes, depth: int) -> None:
    assert json_depth(body) == depth


async def test_a_body_of_unterminated_strings_is_refused_as_malformed(
    client: Client, world: World
) -> None:
    # Each opening quote runs to the end: a scanner restarting at every quote was quadratic.
    body = b'"' + b'\\"' * (MAX_BODY_BYTES // 2 - 1)
    answer = await client.post(
        "/v1/bookings", content=body, headers={"Content-Type": "application/json"}
    )
    _problem(answer, 400, "http_error")


async def test_a_json_body_as_deep_as_allowed_is_decoded(client: Client, world: World) -> None:
    body = b'{"mentor_id": ' + _nested(MAX_JSON_DEPTH - 1) + b"}"
    answer = await client.post(
        "/v1/bookings", content=body, headers={"Content-Type": "application/json"}
    )
    _problem(answer, 422, "validation_failed")


async def test_a_body_larger_than_the_limit_is_a_413_problem(client: Client, world: World) -> None:
    start = await _first_slot(client, world)
    large = _booking(world, start, question="x" * MAX_BODY_BYTES)
    _problem(await client.post("/v1/bookings", json=large), 413, "body_too_large")
    assert await _first_slot(client, world) == start


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("0.5", "validation_failed"),
        ("1700000000", "validation_failed"),
        ("2026-12-07", "validation_failed"),
        ("demain", "validation_failed"),
        ("2026-02-30T17:00:00Z", "validation_failed"),
        ("2026-12-07T17:00:00", "naive_datetime"),
        ("1970-01-01T00:00:00.5Z", "invalid_query_range"),
    ],
)
async def test_an_instant_in_a_query_is_an_rfc_3339_date_time_with_its_offset(
    client: Client, world: World, value: str, code: str
) -> None:
    answer = await client.get(f"/v1/mentors/{world.mentor_id}/slots", params={"to": value})
    assert answer.status_code == 422, answer.text
    assert answer.json()["code"] == code


@pytest.mark.parametrize(
    ("value", "code"),
    [
        (0.5, "validation_failed"),
        (1_700_000_000, "validation_failed"),
        ("1700000000", "validation_failed"),
        ("2026-12-07T17:00:00", "naive_datetime"),
    ],
)
async def test_an_instant_in_a_body_is_an_rfc_3339_date_time_with_its_offset(
    client: Client, world: World, value: Any, code: str
) -> None:
    _problem(await client.post("/v1/bookings", json=_booking(world, value)), 422, code)


async def test_an_rfc_3339_instant_in_lowercase_or_with_an_offset_is_read(
    client: Client, world: World
) -> None:
    answer = await client.get(
        f"/v1/mentors/{world.mentor_id}/slots",
        params={"from": "2026-12-01t08:00:00+01:00", "to": "2026-12-08t00:00:00.5z"},
    )
    assert answer.status_code == 200, answer.text
    assert answer.json()["days"]


@pytest.mark.parametrize(
    ("method", "path", "allowed"),
    [
        ("DELETE", "/v1/filieres", {"GET", "OPTIONS"}),
        ("PUT", "/v1/bookings", {"POST", "OPTIONS"}),
        ("POST", "/v1/me/rules", {"GET", "PUT", "OPTIONS"}),
        ("GET", "/v1/bookings/manage/x/cancel", {"POST", "OPTIONS"}),
    ],
)
async def test_a_405_names_the_methods_the_route_allows(
    client: Client, method: str, path: str, allowed: set[str]
) -> None:
    answer = await client.request(method, path)
    _problem(answer, 405, "method_not_allowed")
    assert {m.strip() for m in answer.headers["allow"].split(",")} == allowed
