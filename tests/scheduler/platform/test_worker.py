"""The worker's clock drives the outbox and the personal-data purge; state stays in the DB."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from sqlalchemy import select

from scheduler import booking
from scheduler.booking import BookingRow, ManageToken, purge_personal_data
from scheduler.platform import Database, PeriodicJob, Worker, outbox
from testkit.factories import NOW, TUESDAY_18H, count, make_mentor, visitor
from testkit.settings import settings_of


async def test_purge_erases_name_and_email_but_keeps_the_question(db: Database) -> None:
    mentor = await make_mentor(db)
    async with db.sessions() as session:
        made = await booking.book(
            session, mentor_id=mentor.id, slot_start=TUESDAY_18H, visitor=visitor(), now=NOW
        )
        soon = made.booking.end + timedelta(days=179)
        assert await purge_personal_data(session, soon, 180) == 0
        later = made.booking.end + timedelta(days=181)
        assert await purge_personal_data(session, later, 180) == 1
        assert await purge_personal_data(session, later, 180) == 0
        row = (await session.execute(select(BookingRow))).scalar_one()
    assert (row.visitor_first_name, row.visitor_email) == (None, None)
    assert row.visitor_question == "Comment se passe la première année ?"
    assert row.personal_data_purged_at == later
    assert await count(db, ManageToken) == 0


async def test_the_worker_drains_the_outbox_and_runs_periodic_jobs(db: Database) -> None:
    mentor = await make_mentor(db)
    async with db.sessions() as session:
        await booking.book(
            session, mentor_id=mentor.id, slot_start=TUESDAY_18H, visitor=visitor(), now=NOW
        )
    delivered: list[str] = []
    ticks: list[int] = []
    done = asyncio.Event()

    async def handler(message: outbox.OutboxMessage) -> None:
        delivered.append(message.kind)
        if len(delivered) == 2:
            done.set()

    async def tick() -> None:
        ticks.append(1)

    settings = settings_of(outbox_poll_seconds=0.05)
    worker = Worker(
        db,
        settings,
        {outbox.MAIL_BOOKING_CONFIRMED: handler, outbox.CALENDAR_UPSERT_EVENT: handler},
        [PeriodicJob("tick", tick, timedelta(seconds=30))],
        clock=lambda: NOW,
    )
    stop = asyncio.Event()
    running = asyncio.create_task(worker.run(stop))
    await asyncio.wait_for(done.wait(), 30)
    stop.set()
    await running
    assert sorted(delivered) == [outbox.CALENDAR_UPSERT_EVENT, outbox.MAIL_BOOKING_CONFIRMED]
    assert ticks == [1]  # periodic jobs run at start, then every 30 s
    # Reminders are not due yet at NOW: they stay pending.
    from scheduler.platform import OutboxRow

    pending = OutboxRow.status == "pending", OutboxRow.kind != outbox.WEBHOOK_EVENT
    assert await count(db, OutboxRow, *pending) == 3
