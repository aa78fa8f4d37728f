"""A slot already taken is refused without waiting on the mentor's lock; a retry of the
request that took it still gets its booking back."""

from __future__ import annotations

import asyncio

from sqlalchemy import text

from scheduler import booking
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
