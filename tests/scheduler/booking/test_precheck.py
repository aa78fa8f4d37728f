"""A slot already taken is refused without waiting on the mentor's lock; a retry of the
request that took it still gets its booking back; one attempt per slot goes on to the lock, the
others wait for it to end and read again."""

from __future__ import annotations

import asyncio
from uuid import UUID

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from scheduler import booking
from scheduler.booking.precheck import slot_key
from scheduler.platform import Database, SlotTaken
from testkit.factories import NOW, TUESDAY_18H, make_mentor, visitor


async def test_a_taken_slot_is_refused_while_another_booking_holds_the_mentor_lock(
    db: Database,
) -> None:
    mentor = await make_mentor(db)
    async with db.sessions() as session:
        await booking.book(
            session, mentor_id=mentor.id, slot_start=TUESDAY_18H, visitor=visitor(1), now=NOW
        )
    async with db.sessions() as holder, db.sessions() as loser:
        await holder.execute(
            text("SELECT 1 FROM mentors WHERE id = :id FOR UPDATE"), {"id": mentor.id}
        )
        # Waiting on the lock would never end while the holder keeps it: the wait_for fails
        # the test instead of hanging it.
        refusal = booking.book(
            loser, mentor_id=mentor.id, slot_start=TUESDAY_18H, visitor=visitor(2), now=NOW
        )
        try:
            await asyncio.wait_for(refusal, timeout=30)
        except SlotTaken:
            pass
        else:
            raise AssertionError("the taken slot was booked again")
        await holder.rollback()


async def test_a_retry_with_its_key_after_the_slot_was_taken_by_it_is_a_replay(
    db: Database,
) -> None:
    mentor = await make_mentor(db)
    async with db.sessions() as session:
        first = await booking.book(
            session,
            mentor_id=mentor.id,
            slot_start=TUESDAY_18H,
            visitor=visitor(1),
            now=NOW,
            idempotency_key="k-1",
            request_secret="test-secret",
        )
    async with db.sessions() as session:
        again = await booking.book(
            session,
            mentor_id=mentor.id,
            slot_start=TUESDAY_18H,
            visitor=visitor(1),
            now=NOW,
            idempotency_key="k-1",
            request_secret="test-secret",
        )
    assert again.replayed and again.booking.id == first.booking.id


async def _take_the_slots_key(session: AsyncSession, mentor_id: UUID) -> None:
    """Stand in for an attempt that has passed the gate and holds the slot's key."""
    await session.execute(
        text("SELECT pg_advisory_xact_lock(:key)"), {"key": slot_key(mentor_id, TUESDAY_18H)}
    )


async def _until_someone_waits_for_the_key(db: Database) -> None:
    async with db.sessions() as watcher:
        while not (
            await watcher.execute(
                text("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted")
            )
        ).scalar_one():
            await watcher.rollback()
            await asyncio.sleep(0.01)


async def test_an_attempt_waits_for_the_slots_holder_and_is_refused_once_it_booked(
    db: Database,
) -> None:
    mentor = await make_mentor(db)
    async with db.sessions() as holder, db.sessions() as loser:
        await _take_the_slots_key(holder, mentor.id)
        attempt = asyncio.create_task(
            booking.book(
                loser, mentor_id=mentor.id, slot_start=TUESDAY_18H, visitor=visitor(2), now=NOW
            )
        )
        # Without the gate the attempt would book at once and never wait: the wait_for fails.
        await asyncio.wait_for(_until_someone_waits_for_the_key(db), timeout=30)
        # The holder books (inside its own transaction, so without waiting for any key).
        won = await booking.book(
            holder, mentor_id=mentor.id, slot_start=TUESDAY_18H, visitor=visitor(1), now=NOW
        )
        try:
            await asyncio.wait_for(attempt, timeout=30)
        except SlotTaken:
            pass
        else:
            raise AssertionError("the slot was booked twice")
    assert won.booking.visitor_email == visitor(1).email


async def test_a_waiting_attempt_books_the_slot_when_its_holder_ends_without_it(
    db: Database,
) -> None:
    mentor = await make_mentor(db)
    async with db.sessions() as holder, db.sessions() as waiter:
        await _take_the_slots_key(holder, mentor.id)
        attempt = asyncio.create_task(
            booking.book(
                waiter, mentor_id=mentor.id, slot_start=TUESDAY_18H, visitor=visitor(2), now=NOW
            )
        )
        await asyncio.wait_for(_until_someone_waits_for_the_key(db), timeout=30)
        await holder.rollback()
        booked = await asyncio.wait_for(attempt, timeout=30)
    assert booked.booking.visitor_email == visitor(2).email


async def test_a_booking_inside_its_callers_transaction_does_not_wait_for_the_slots_key(
    db: Database,
) -> None:
    mentor = await make_mentor(db)
    async with db.sessions() as holder, db.sessions() as caller:
        await _take_the_slots_key(holder, mentor.id)
        # The caller's transaction may hold the mentor's lock (confirm_verification does), for
        # which the key's holder may be waiting: it must not wait for the key in turn.
        await caller.execute(
            text("SELECT 1 FROM mentors WHERE id = :id FOR UPDATE"), {"id": mentor.id}
        )
        booked = await asyncio.wait_for(
            booking.book(
                caller, mentor_id=mentor.id, slot_start=TUESDAY_18H, visitor=visitor(2), now=NOW
            ),
            timeout=30,
        )
        await holder.rollback()
    assert booked.booking.visitor_email == visitor(2).email
