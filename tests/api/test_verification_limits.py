"""Limits on starting booker email verifications: each one holds a slot and mails a code, so a
client inventing addresses is stopped per client address and hour (across processes: counted
in PostgreSQL), and a mentor never has more than a few slots held at once. A refusal is a 429
with its own code and Retry-After, and nothing is held or mailed."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

import pytest_asyncio
from litestar.testing import AsyncTestClient
from sqlalchemy import text

from api.app import create_app
from api.wiring import build_parts
from scheduler.booking import Visitor, book
from scheduler.platform import Database, Settings, outbox
from testkit.factories import Clock
from testkit.settings import changed
from tests.api.conftest import World

Client = AsyncTestClient  # type: ignore[type-arg]


async def _open(settings: Settings, clock: Clock) -> AsyncIterator[Client]:
    app = create_app(
        settings, build_parts(settings, Database.from_url(settings.db.url or ""), clock=clock)
    )
    async with AsyncTestClient(app=app, base_url="http://testserver.local") as client:
        yield client


def _limited(settings: Settings) -> Settings:
    return changed(settings, verification_limit_per_address=3, verification_holds_per_mentor=2)


@pytest_asyncio.fixture(loop_scope="session")
async def first(settings: Settings, clock: Clock) -> AsyncIterator[Client]:
    async for client in _open(_limited(settings), clock):
        yield client


@pytest_asyncio.fixture(loop_scope="session")
async def second(settings: Settings, clock: Clock) -> AsyncIterator[Client]:
    """Another process: its own app, its own connections, the same database."""
    async for client in _open(_limited(settings), clock):
        yield client


async def _starts(client: Client, mentor_id: UUID) -> list[str]:
    days = (await client.get(f"/v1/mentors/{mentor_id}/slots")).json()["days"]
    # Half an hour apart: each one still free, buffers included, while the others are held.
    return [slot["start"] for day in days for slot in day["slots"]][::2]


def _request(mentor_id: UUID, start: str, email: str) -> dict[str, Any]:
    return {
        "mentor_id": str(mentor_id),
        "start": start,
        "first_name": "Camille",
        "email": email,
        "consent": True,
    }


async def _stored(db: Database) -> tuple[int, int]:
    """The live holds and the code mails queued."""
    async with db.session() as session:
        holds = await session.scalar(text("SELECT count(*) FROM booking_holds"))
        mails = await session.scalar(
            text("SELECT count(*) FROM outbox WHERE kind = :kind"),
            {"kind": outbox.MAIL_VERIFICATION_CODE},
        )
    return int(holds or 0), int(mails or 0)


def _refused(answer: Any, code: str) -> int:
    assert answer.status_code == 429, answer.text
    assert answer.headers["content-type"].startswith("application/problem+json")
    assert answer.json()["code"] == code
    return int(answer.headers["Retry-After"])


async def test_a_client_address_over_its_hourly_verifications_gets_429_across_processes(
    first: Client, second: Client, world: World, db: Database
) -> None:
    mentor, other = world.mentor_id, world.other_mentor_id
    starts, other_starts = await _starts(first, mentor), await _starts(first, other)
    for client, request in (
        (first, _request(mentor, starts[0], "a@example.fr")),
        (second, _request(other, other_starts[0], "b@example.fr")),
        (first, _request(mentor, starts[1], "c@example.fr")),
    ):
        started = await client.post("/v1/bookings/verifications", json=request)
        assert started.status_code == 202, started.text
    refused = await second.post(
        "/v1/bookings/verifications", json=_request(other, other_starts[1], "d@example.fr")
    )
    assert 1 <= _refused(refused, "too_many_verifications") <= 3600
    assert await _stored(db) == (3, 3)
    assert other_starts[1] in await _starts(first, other)


async def test_a_mentor_with_all_the_holds_they_may_have_gets_no_more(
    first: Client, world: World, db: Database
) -> None:
    starts = await _starts(first, world.mentor_id)
    for start, email in ((starts[0], "a@example.fr"), (starts[1], "b@example.fr")):
        started = await first.post(
            "/v1/bookings/verifications", json=_request(world.mentor_id, start, email)
        )
        assert started.status_code == 202, started.text
    refused = await first.post(
        "/v1/bookings/verifications", json=_request(world.mentor_id, starts[2], "c@example.fr")
    )
    # Retry-After is when the first hold ends (holds last ten minutes).
    assert 1 <= _refused(refused, "too_many_holds") <= 600
    assert await _stored(db) == (2, 2)
    assert starts[2] in await _starts(first, world.mentor_id)


async def test_a_visitor_asking_again_replaces_their_own_hold_at_the_cap(
    first: Client, world: World, db: Database
) -> None:
    starts = await _starts(first, world.mentor_id)
    for start, email in (
        (starts[0], "a@example.fr"),
        (starts[1], "b@example.fr"),
        (starts[2], "b@example.fr"),
    ):
        started = await first.post(
            "/v1/bookings/verifications", json=_request(world.mentor_id, start, email)
        )
        assert started.status_code == 202, started.text
    assert (await _stored(db))[0] == 2


async def test_ended_holds_leave_room_for_new_ones(
    first: Client, world: World, clock: Clock
) -> None:
    starts = await _starts(first, world.mentor_id)
    for start, email in ((starts[0], "a@example.fr"), (starts[1], "b@example.fr")):
        await first.post("/v1/bookings/verifications", json=_request(world.mentor_id, start, email))
    clock.now += timedelta(minutes=10)
    started = await first.post(
        "/v1/bookings/verifications",
        json=_request(world.mentor_id, starts[2], "c@example.fr"),
    )
    assert started.status_code == 202, started.text


async def test_a_code_asked_with_only_a_filiere_passes_over_a_mentor_with_all_their_holds(
    first: Client, world: World, db: Database, clock: Clock
) -> None:
    starts = await _starts(first, world.mentor_id)
    other_starts = await _starts(first, world.other_mentor_id)
    # The other mentor has a booking this week: the fair order tries the held-up mentor first.
    async with db.session() as session:
        await book(
            session,
            mentor_id=world.other_mentor_id,
            slot_start=datetime.fromisoformat(other_starts[3]),
            visitor=Visitor(first_name="Hugo", email="h@example.fr"),
            now=clock(),
        )
    for start, email in ((starts[0], "a@example.fr"), (starts[1], "b@example.fr")):
        await first.post("/v1/bookings/verifications", json=_request(world.mentor_id, start, email))
    request = _request(world.mentor_id, starts[2], "c@example.fr") | {"filiere": world.filiere}
    del request["mentor_id"]
    started = await first.post("/v1/bookings/verifications", json=request)
    assert started.status_code == 202, started.text
    async with db.session() as session:
        mentor = await session.scalar(
            text("SELECT mentor_id FROM booking_holds WHERE id = :id"),
            {"id": started.json()["verification_id"]},
        )
    assert mentor == world.other_mentor_id
