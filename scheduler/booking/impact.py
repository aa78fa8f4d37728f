"""A mentor's impact, for the mentor space's page and the attestation of volunteer mentoring:
calls held, students helped, feedback received, time given.

A call is held when it was confirmed and has ended (neither cancelled, moved, nor a no-show).
Students are told apart by their email while it is kept and by their booking once the
retention purge has erased it (a purged visitor who came twice counts twice: the figure never
needs the personal data the purge removed).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from sqlalchemy import Text, case, cast, distinct, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from scheduler.booking.models import BookingRow, Feedback
from scheduler.schedules import LIVE_STATUS


@dataclass(frozen=True, slots=True)
class Impact:
    calls_held: int
    students_helped: int
    feedback_received: int
    feedback_helpful: int
    minutes_given: int
    first_call: datetime | None
    last_call: datetime | None

    @property
    def hours_given(self) -> float:
        """Hours, to the tenth (what a person reads)."""
        return round(self.minutes_given / 60, 1)


async def mentor_impact(session: AsyncSession, mentor_id: UUID, now: datetime) -> Impact:
    """The mentor's figures as of ``now``, in one statement."""
    held = (
        BookingRow.mentor_id == mentor_id,
        BookingRow.status == LIVE_STATUS,
        BookingRow.end_at <= now,
    )
    student = func.coalesce(BookingRow.visitor_email, cast(BookingRow.id, Text))
    row = (
        await session.execute(
            select(
                func.count(BookingRow.id),
                func.count(distinct(student)),
                func.count(Feedback.booking_id),
                func.count(case((Feedback.helpful.is_(True), 1))),
                func.coalesce(
                    func.sum(func.extract("epoch", BookingRow.end_at - BookingRow.start_at)), 0
                ),
                func.min(BookingRow.start_at),
                func.max(BookingRow.start_at),
            )
            .select_from(BookingRow)
            .outerjoin(Feedback, Feedback.booking_id == BookingRow.id)
            .where(*held)
        )
    ).one()
    return Impact(
        calls_held=int(row[0]),
        students_helped=int(row[1]),
        feedback_received=int(row[2]),
        feedback_helpful=int(row[3]),
        minutes_given=round(float(row[4]) / 60),
        first_call=row[5],
        last_call=row[6],
    )
