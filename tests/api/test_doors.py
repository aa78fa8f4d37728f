"""The door matrix: every JSON route, knocked on with every kind of credential, answers with the
status written here — and a refused knock changes nothing (the columns run in this order on one
database, so a write that got through where it should not would show in the later columns).

Columns (``DOORS``): no credentials; a visitor's manage token (in the path of the manage routes,
as a bearer elsewhere); another booking's manage token (a booking with the other mentor); a
mentor token; another mentor's token; a staff API key; revoked credentials (a revoked mentor
token and a revoked staff key, both sent). A manage route without a visitor token in its column
gets a made-up token.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
import pytest_asyncio
from litestar.testing import AsyncTestClient

from scheduler.identity import credentials
from scheduler.platform import Actor, Database
from testkit.factories import Clock
from tests.api.conftest import World

Client = AsyncTestClient  # type: ignore[type-arg]
STAFF = Actor.staff("tests")
DOORS = ("none", "visitor", "other_booking", "mentor", "other_mentor", "staff", "revoked")
MADE_UP_TOKEN = "t" * 43
NO_SUCH_ENDPOINT = "00000000-0000-4000-8000-000000000000"


@dataclass(frozen=True)
class Keys:
    headers: dict[str, dict[str, str]]
    tokens: dict[str, str]
    values: dict[str, str]
    slots: list[str]


async def _book(client: Client, mentor_id: Any, start: str, email: str) -> str:
    made = await client.post(
        "/v1/bookings",
        json={
            "mentor_id": str(mentor_id),
            "start": start,
            "first_name": "Camille",
            "email": email,
            "consent": True,
        },
    )
    assert made.status_code == 201, made.text
    body: dict[str, Any] = made.json()
    return f"{body['booking']['id']} {body['manage_token']}"


@pytest_asyncio.fixture(loop_scope="session")
async def keys(client: Client, db: Database, world: World, clock: Clock) -> Keys:
    async with db.session() as session:
        old = await credentials.create_mentor_token(session, world.mentor_id, STAFF)
        await credentials.revoke_mentor_tokens(session, world.mentor_id, clock.now, STAFF)
        mentor = await credentials.create_mentor_token(session, world.mentor_id, STAFF)
        other = await credentials.create_mentor_token(session, world.other_mentor_id, STAFF)
        old_key_id, old_key = await credentials.create_staff_api_key(session, "old", STAFF)
        await credentials.revoke_staff_api_key(session, old_key_id.id, clock.now, STAFF)
        _, staff_key = await credentials.create_staff_api_key(session, "site", STAFF)
        await session.commit()
    slots = [
        slot["start"]
        for day in (await client.get(f"/v1/mentors/{world.mentor_id}/slots")).json()["days"]
        for slot in day["slots"]
    ]
    booking, token = (await _book(client, world.mentor_id, slots[0], "a@example.fr")).split()
    _, other_token = (await _book(client, world.other_mentor_id, slots[0], "b@example.fr")).split()
    return Keys(
        headers={
            "none": {},
            "visitor": {"Authorization": f"Bearer {token}"},
            "other_booking": {"Authorization": f"Bearer {other_token}"},
            "mentor": {"Authorization": f"Bearer {mentor}"},
            "other_mentor": {"Authorization": f"Bearer {other}"},
            "staff": {"X-API-Key": staff_key},
            "revoked": {"Authorization": f"Bearer {old}", "X-API-Key": old_key},
        },
        tokens={"visitor": token, "other_booking": other_token},
        values={"mentor": str(world.mentor_id), "booking": booking},
        slots=slots,
    )


@dataclass(frozen=True)
class Door:
    method: str
    path: str
    # Statuses by column; a column not named gets ``otherwise``.
    expected: dict[str, int]
    otherwise: int
    body: Any = None

    def status(self, door: str) -> int:
        return self.expected.get(door, self.otherwise)


def public(method: str, path: str, status: int = 200, body: Any = None) -> Door:
    return Door(method, path, {}, status, body)


def mentor(method: str, path: str, status: int = 200, other: int | None = None, **kw: Any) -> Door:
    return Door(
        method, path, {"mentor": status, "other_mentor": other or status}, 401, kw.get("body")
    )


def staff(method: str, path: str, status: int = 200, body: Any = None) -> Door:
    return Door(method, path, {"staff": status}, 401, body)


def manage(method: str, path: str, status: int = 200, body: Any = None) -> Door:
    return Door(method, path, {"visitor": status, "other_booking": status}, 403, body)


MATRIX = [
    public("GET", "/v1/filieres"),
    public("GET", "/v1/filieres/droit/mentors"),
    public("GET", "/v1/mentors/{mentor}"),
    public("GET", "/v1/mentors/{mentor}/slots"),
    public("GET", "/v1/filieres/droit/slots"),
    public(
        "POST",
        "/v1/bookings/first-available",
        201,
        {
            "filiere": "droit",
            "start": "{slot}",
            "first_name": "Camille",
            "email": "c@example.fr",
            "consent": True,
        },
    ),
    # Booker email verification: public; one address holds one slot at a time, so each
    # column's hold replaces the last one's. The confirmation of an unknown id is gone (410).
    public(
        "POST",
        "/v1/bookings/verifications",
        202,
        body={
            "mentor_id": "{mentor}",
            "start": "{slot}",
            "first_name": "Camille",
            "email": "verify@example.fr",
            "consent": True,
        },
    ),
    public(
        "POST",
        "/v1/bookings/verifications/8a0c3f7e-4d0e-4c55-9a57-0d3c1d0d3b11",
        410,
        body={"code": "123456"},
    ),
    public("GET", "/v1/filieres/droit/frequent-questions"),
    manage("GET", "/v1/bookings/manage/{token}"),
    manage("GET", "/v1/bookings/manage/{token}/invite.ics"),
    manage("POST", "/v1/bookings/manage/{token}/reschedule", body={"start": "{slot}"}),
    manage("POST", "/v1/bookings/manage/{token}/cancel", body={}),
    mentor("GET", "/v1/me"),
    mentor("GET", "/v1/me/rules"),
    mentor("PUT", "/v1/me/rules", body={"rules": {"0": [["18:00", "20:00"]]}}),
    mentor("GET", "/v1/me/overrides"),
    mentor("PUT", "/v1/me/overrides/2026-12-24", body={"ranges": []}),
    mentor("DELETE", "/v1/me/overrides/2026-12-31", 404),
    mentor("GET", "/v1/me/policy"),
    mentor(
        "PUT",
        "/v1/me/policy",
        body={
            "buffer_before_minutes": 5,
            "buffer_after_minutes": 5,
            "notice_minutes": 120,
            "horizon_days": 30,
        },
    ),
    mentor("GET", "/v1/me/bookings"),
    mentor("GET", "/v1/me/slots/preview"),
    # Another mentor's booking does not exist for them.
    mentor("POST", "/v1/me/bookings/{booking}/no-show", 409, other=404),
    mentor("POST", "/v1/me/bookings/{booking}/cancel", 200, other=404, body={"reason": "Malade"}),
    # The guard answers before the service: without Google configured a mentor gets a 503.
    mentor("GET", "/v1/me/google/status", 503),
    staff("GET", "/v1/staff/mentors"),
    staff("GET", "/v1/staff/mentors/{mentor}"),
    staff("POST", "/v1/staff/mentors/{mentor}/tokens", 201),
    staff(
        "POST",
        "/v1/staff/filieres",
        201,
        {"slug": "medecine", "name_fr": "Médecine", "name_en": "Medicine"},
    ),
    staff("PATCH", "/v1/staff/filieres/droit", 200, {"name_fr": "Droit"}),
    staff("GET", "/v1/staff/bookings"),
    staff("GET", "/v1/staff/bookings.csv"),
    staff("GET", "/v1/staff/stats"),
    staff("GET", "/v1/staff/questions"),
    staff("GET", "/v1/staff/question-themes"),
    staff("GET", "/v1/staff/question-themes/999999", 404),
    staff("POST", "/v1/staff/question-themes/999999/approval", 404, {"approved": True}),
    staff("GET", "/v1/staff/questions/dataset.jsonl"),
    staff("POST", "/v1/staff/bookings/{booking}/cancel", 200, {"reason": "Doublon"}),
    staff("GET", "/v1/staff/webhooks"),
    staff(
        "POST",
        "/v1/staff/webhooks",
        201,
        {"url": "https://site.thotis.test/hooks", "events": ["booking.created"]},
    ),
    staff("GET", f"/v1/staff/webhooks/{NO_SUCH_ENDPOINT}", 404),
    staff("PATCH", f"/v1/staff/webhooks/{NO_SUCH_ENDPOINT}", 404, {"enabled": False}),
    staff("DELETE", f"/v1/staff/webhooks/{NO_SUCH_ENDPOINT}", 404),
    staff("POST", f"/v1/staff/webhooks/{NO_SUCH_ENDPOINT}/test", 404),
    staff("POST", f"/v1/staff/webhooks/{NO_SUCH_ENDPOINT}/rotate-secret", 404),
    staff("GET", f"/v1/staff/webhooks/{NO_SUCH_ENDPOINT}/deliveries", 404),
]


def _fill(value: Any, keys: Keys, door: str, slot: str) -> Any:
    if isinstance(value, str):
        token = keys.tokens.get(door, MADE_UP_TOKEN)
        return (
            value.replace("{token}", token)
            .replace("{mentor}", keys.values["mentor"])
            .replace("{booking}", keys.values["booking"])
            .replace("{slot}", slot)
        )
    if isinstance(value, dict):
        return {k: _fill(v, keys, door, slot) for k, v in value.items()}
    if isinstance(value, list):
        return [_fill(v, keys, door, slot) for v in value]
    return value


@pytest.mark.parametrize("door", MATRIX, ids=lambda d: f"{d.method} {d.path}")
async def test_each_route_answers_each_credential_as_the_matrix_says(
    client: Client, keys: Keys, door: Door
) -> None:
    answers = {}
    for index, column in enumerate(DOORS):
        slot = keys.slots[2 + index]
        path = _fill(door.path, keys, column, slot)
        body = _fill(door.body, keys, column, slot)
        answer = await client.request(
            door.method,
            path,
            headers=keys.headers[column],
            **({"json": body} if body is not None else {}),
        )
        answers[column] = answer.status_code
        if answer.status_code >= 400:
            assert answer.headers["content-type"].startswith("application/problem+json")
    assert answers == {column: door.status(column) for column in DOORS}
