"""Concurrent clients on separate connections: never a double booking, never a cap exceeded,
and every loser gets slot_taken (no other error)."""

from __future__ import annotations

import asyncio
from collections import Counter
from datetime import datetime, timedelta

from scheduler import booking
from scheduler.booking import BookingRow
from scheduler.platform import Database, SlotTaken
from scheduler.schedules import PolicySettings
from testkit.factories import NOW, TUESDAY_18H, count, make_mentor, visitor


async def _race(database_url: str, mentor_id, starts: list[datetime]) -> Counter[str]:  # type: ignore[no-untyped-def]
    """One client per start, each on its own connection, released together."""
    clients = Database.from_url(database_url, pool_size=len(starts), max_overflow=0)
    gate = asyncio.Event()
    try:
        # Open every connection first, so that the race is between transactions, not connects.
        sessions = [clients.sessions() for _ in starts]
        for session in sessions:
            await session.connection()
            await session.commit()

        async def client(n: int, session, start: datetime) -> str:  # type: ignore[no-untyped-def]
            await gate.wait()
            try:
                await booking.book(
                    session, mentor_id=mentor_id, slot_start=start, visitor=visitor(n), now=NOW
                )
            except SlotTaken:
                return "slot_taken"
            finally:
                await session.close()
            return "booked"

        tasks = [
            asyncio.create_task(client(n, s, start))
            for n, (s, start) in enumerate(zip(sessions, starts, strict=True))
        ]
        await asyncio.sleep(0)
        gate.set()
        # Any other exception propagates and fails the test.
        return Counter(await asyncio.gather(*tasks))
    finally:
        await clients.dispose()


async def test_64_clients_race_for_one_slot(db: Database, database_url: str) -> None:
    mentor = await make_mentor(db)
    outcome = await _race(database_url, mentor.id, [TUESDAY_18H] * 64)
    assert outcome == Counter({"booked": 1, "slot_taken": 63})
    assert await count(db, BookingRow) == 1


async def test_64_clients_race_for_slots_that_overlap_through_buffers(
    db: Database, database_url: str
) -> None:
    mentor = await make_mentor(
        db, policy=PolicySettings(buffer_before_minutes=10, buffer_after_minutes=10)
    )
    # 18:00 occupies 17:50-18:25 and 18:15 occupies 18:05-18:40: only one of them can exist.
    starts = [TUESDAY_18H, TUESDAY_18H + timedelta(minutes=15)] * 32
    outcome = await _race(database_url, mentor.id, starts)
    assert outcome == Counter({"booked": 1, "slot_taken": 63})
    assert await count(db, BookingRow) == 1


async def test_20_clients_race_for_different_slots_of_a_day_capped_at_one(
    db: Database, database_url: str
) -> None:
    mentor = await make_mentor(
        db,
        weekly={1: [("13:00", "21:00")]},
        policy=PolicySettings(buffer_before_minutes=0, buffer_after_minutes=0, day_cap=1),
    )
    first = TUESDAY_18H - timedelta(hours=5)  # 13:00 in Paris
    starts = [first + timedelta(minutes=15 * i) for i in range(20)]
    outcome = await _race(database_url, mentor.id, starts)
    assert outcome == Counter({"booked": 1, "slot_taken": 19})
    assert await count(db, BookingRow, BookingRow.status == "confirmed") == 1


async def _concurrently(database_url: str, calls: list) -> list:  # type: ignore[type-arg]
    """Run ``call(session)`` for each call at once, each on its own connection; exceptions are
    returned, not raised."""
    clients = Database.from_url(database_url, pool_size=len(calls), max_overflow=0)
    gate = asyncio.Event()
    try:
        sessions = [clients.sessions() for _ in calls]
        for session in sessions:
            await session.connection()
            await session.commit()

        async def run(call, session):  # type: ignore[no-untyped-def]
            await gate.wait()
            try:
                return await call(session)
            except Exception as error:
                return error
            finally:
                await session.close()

        tasks = [asyncio.create_task(run(c, s)) for c, s in zip(calls, sessions, strict=True)]
        await asyncio.sleep(0)
        gate.set()
        return await asyncio.gather(*tasks)
    finally:
        await clients.dispose()


async def test_concurrent_retries_with_one_idempotency_key_make_one_booking(
    db: Database, database_url: str
) -> None:
    mentor = await make_mentor(db)

    def attempt(session):  # type: ignore[no-untyped-def]
        return booking.book(
            session,
            mentor_id=mentor.id,
            slot_start=TUESDAY_18H,
            visitor=visitor(1),
            now=NOW,
            idempotency_key="retry-storm",
            request_secret="s",
        )

    results = await _concurrently(database_url, [attempt] * 16)
    assert not [r for r in results if isinstance(r, Exception)]
    assert len({r.booking.id for r in results}) == 1
    assert sum(not r.replayed for r in results) == 1
    assert await count(db, BookingRow) == 1


async def test_concurrent_reschedules_of_one_booking_move_it_once(
    db: Database, database_url: str
) -> None:
    from scheduler.platform import BookingNotLive

    mentor = await make_mentor(db)
    async with db.sessions() as session:
        made = await booking.book(
            session, mentor_id=mentor.id, slot_start=TUESDAY_18H, visitor=visitor(), now=NOW
        )

    def move_to(minutes: int):  # type: ignore[no-untyped-def]
        def call(session):  # type: ignore[no-untyped-def]
            return booking.reschedule_by_token(
                session,
                made.booking.id,
                made.manage_token,
                TUESDAY_18H + timedelta(minutes=minutes),
                NOW,
            )

        return call

    results = await _concurrently(database_url, [move_to(30 + 15 * i) for i in range(8)])
    moved = [r for r in results if not isinstance(r, Exception)]
    assert len(moved) == 1
    assert all(isinstance(r, BookingNotLive) for r in results if isinstance(r, Exception))
    assert await count(db, BookingRow, BookingRow.status == "confirmed") == 1
    assert await count(db, BookingRow, BookingRow.status == "rescheduled") == 1
