"""Booking limits kept in PostgreSQL (issue 15): they hold across processes (two apps on one
database), are keyed so that one visitor cannot lock out a whole school behind one address, and
a refusal stores no booking and never the email."""

from __future__ import annotations

import hashlib
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import pytest_asyncio
from litestar.testing import AsyncTestClient
from sqlalchemy import func, select, text

from api.app import create_app
from api.wiring import build_parts
from scheduler.booking import BookingRow
from scheduler.platform import Database, Settings, rate_limits
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


@pytest_asyncio.fixture(loop_scope="session")
async def first(settings: Settings, clock: Clock) -> AsyncIterator[Client]:
    limited = changed(settings, booking_limit_per_address=3, booking_limit_per_email=1)
    async for client in _open(limited, clock):
        yield client


@pytest_asyncio.fixture(loop_scope="session")
async def second(settings: Settings, clock: Clock) -> AsyncIterator[Client]:
    """Another process: its own app, its own connections, the same database."""
    limited = changed(settings, booking_limit_per_address=3, booking_limit_per_email=1)
    async for client in _open(limited, clock):
        yield client


async def _slots(client: Client, world: World) -> list[str]:
    days = (await client.get(f"/v1/mentors/{world.mentor_id}/slots")).json()["days"]
    # An hour apart: each one still free, buffers included, after the others are booked.
    return [slot["start"] for day in days for slot in day["slots"]][::4]


def _booking(world: World, start: str, email: str) -> dict[str, Any]:
    return {
        "mentor_id": str(world.mentor_id),
        "start": start,
        "first_name": "Camille",
        "email": email,
        "consent": True,
    }


def _refused(answer: Any) -> None:
    assert answer.status_code == 429, answer.text
    assert answer.headers["content-type"].startswith("application/problem+json")
    assert answer.json()["code"] == "rate_limited"
    assert 1 <= int(answer.headers["Retry-After"]) <= 3600


async def _bookings(db: Database) -> int:
    async with db.session() as session:
        return int(
            (await session.execute(select(func.count()).select_from(BookingRow))).scalar_one()
        )


async def test_the_address_ceiling_holds_across_two_app_instances(
    first: Client, second: Client, world: World, db: Database
) -> None:
    slots = await _slots(first, world)
    answers = []
    for n, client in enumerate((first, second, first, second)):
        answer = await client.post(
            "/v1/bookings", json=_booking(world, slots[n], f"visitor{n}@example.fr")
        )
        answers.append(answer)
    assert [a.status_code for a in answers[:3]] == [201, 201, 201]
    # The fourth request of the address, in the other process: refused, nothing stored.
    _refused(answers[3])
    assert await _bookings(db) == 3


async def test_a_second_email_behind_the_same_address_still_books(
    first: Client, world: World, db: Database
) -> None:
    slots = await _slots(first, world)
    booked = await first.post("/v1/bookings", json=_booking(world, slots[0], "ana@lycee.fr"))
    assert booked.status_code == 201, booked.text
    # The same visitor again (another case of the address): over the per-email limit.
    _refused(await first.post("/v1/bookings", json=_booking(world, slots[1], "ANA@lycee.fr")))
    assert await _bookings(db) == 1
    # A classmate behind the same school address books.
    other = await first.post("/v1/bookings", json=_booking(world, slots[1], "ben@lycee.fr"))
    assert other.status_code == 201, other.text
    assert await _bookings(db) == 2


async def test_the_counters_hold_a_digest_of_the_email_never_the_email(
    first: Client, world: World, db: Database
) -> None:
    slots = await _slots(first, world)
    await first.post("/v1/bookings", json=_booking(world, slots[0], "Chloe@Lycee.fr"))
    async with db.session() as session:
        keys = list((await session.execute(text("SELECT key FROM rate_limits"))).scalars())
    digest = hashlib.sha256(b"chloe@lycee.fr").hexdigest()
    assert f"email:{digest}" in keys
    assert rate_limits.email_key("Chloe@Lycee.fr") == f"email:{digest}"
    assert not any("chloe" in key.lower() or "@" in key for key in keys)


async def test_a_reschedule_counts_against_the_address(
    settings: Settings, clock: Clock, world: World, db: Database
) -> None:
    limited = changed(settings, booking_limit_per_address=1)
    async for client in _open(limited, clock):
        slots = await _slots(client, world)
        booked = await client.post("/v1/bookings", json=_booking(world, slots[0], "d@x.fr"))
        assert booked.status_code == 201, booked.text
        token = booked.json()["manage_token"]
        _refused(
            await client.post(f"/v1/bookings/manage/{token}/reschedule", json={"start": slots[1]})
        )
    async with db.session() as session:
        starts = list((await session.execute(select(BookingRow.start_at))).scalars())
    assert len(starts) == 1


async def test_old_windows_are_purged(db: Database, clock: Clock) -> None:
    async with db.session() as session:
        minute = timedelta(minutes=1)
        assert await rate_limits.hit(session, "k", minute, clock() - timedelta(days=2)) == 1
        assert await rate_limits.hit(session, "other", minute, clock()) == 1
        assert await rate_limits.hit(session, "other", minute, clock()) == 2
        assert await rate_limits.purge_expired(session, clock()) == 1
        keys = list((await session.execute(text("SELECT key FROM rate_limits"))).scalars())
    assert keys == ["other"]
