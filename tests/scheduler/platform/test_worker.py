"""The worker's clock drives the outbox and the periodic jobs; state stays in the DB
(the personal-data purge itself: tests/scheduler/booking/test_retention.py)."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from scheduler import booking
from scheduler.platform import Database, PeriodicJob, Worker, outbox
from testkit.factories import NOW, TUESDAY_18H, count, make_mentor, visitor
from testkit.settings import settings_of


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
