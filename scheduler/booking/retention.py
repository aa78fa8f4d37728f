"""Personal data is kept only as long as needed: a visitor's name and email are erased
``personal_data_retention_days`` after the booking's end. The question text stays, no longer
linked to anyone, for the frequent-questions statistics."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from availability.intervals import as_utc
from scheduler.booking.models import BookingRow, ManageToken
from scheduler.platform import Actor, Clock, Database, PeriodicJob, record, unit_of_work

log = logging.getLogger("thotis.retention")


async def purge_personal_data(session: AsyncSession, now: datetime, retention_days: int) -> int:
    """Erase the visitor data of bookings that ended more than ``retention_days`` ago.
    Returns how many bookings were purged."""
    cutoff = as_utc(now, "now") - timedelta(days=retention_days)
    due = (
        select(BookingRow.id)
        .where(BookingRow.end_at < cutoff, BookingRow.personal_data_purged_at.is_(None))
        .scalar_subquery()
    )
    async with unit_of_work(session):
        purged = (
            (
                await session.execute(
                    update(BookingRow)
                    .where(BookingRow.id.in_(due))
                    .values(
                        visitor_first_name=None, visitor_email=None, personal_data_purged_at=now
                    )
                    .returning(BookingRow.id)
                )
            )
            .scalars()
            .all()
        )
        if purged:
            await session.execute(delete(ManageToken).where(ManageToken.booking_id.in_(purged)))
            await record(
                session,
                Actor.system(),
                "purge_personal_data",
                "bookings",
                "*",
                {"count": len(purged)},
            )
    return len(purged)


def purge_job(db: Database, retention_days: int, clock: Clock) -> PeriodicJob:
    """The worker's daily purge (at start, then every day)."""

    async def run() -> None:
        async with db.sessions() as session:
            count = await purge_personal_data(session, clock(), retention_days)
        if count:
            log.info("purged the personal data of %d bookings", count)

    return PeriodicJob("purge", run, timedelta(days=1))
