"""The visitors' questions as the Thotis team reads them (the console's page and CSV, the staff
API): newest first, by filière, searched by words. Questions outlive their bookings' personal
data: once retention or a privacy request erased a booking, its question is kept alone in
``retained_questions`` (filière and month, nothing else), and both kinds are read as one list.
Like the statistics (``scheduler.staff.reports``), a rescheduled row is left out: its series
counts once. Carries no visitor identity. One query a call.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from sqlalchemy import DateTime, Text, Uuid, cast, func, null, select, union_all
from sqlalchemy.ext.asyncio import AsyncSession

from scheduler.booking import BookingRow, RetainedQuestion
from scheduler.catalog import Filiere, Mentor
from scheduler.platform import ValidationFailed
from scheduler.staff.reports import BookingFilter, check_page

__all__ = ["QuestionLine", "export_questions", "questions"]

# Anonymous questions are kept by month, in the team's zone.
TEAM_ZONE = "Europe/Paris"


@dataclass(frozen=True, slots=True)
class QuestionLine:
    """A visitor's question. Once its booking's personal data is erased (retention, or a
    privacy request) it is kept alone: ``booking_id``, ``mentor_id``, ``mentor_name`` and
    ``status`` are None and ``start`` is the first day of its month (Paris)."""

    booking_id: UUID | None
    start: datetime
    status: str | None
    filiere: str | None
    mentor_id: UUID | None
    mentor_name: str | None
    question: str
    language: str


def _like_pattern(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


async def questions(
    session: AsyncSession,
    *,
    filiere: str | None = None,
    search: str | None = None,
    start: datetime | None = None,
    end: datetime | None = None,
    limit: int = 100,
    offset: int = 0,
) -> list[QuestionLine]:
    """The questions visitors asked (newest first), of one filière and/or containing ``search``
    (case-insensitive). Carries no visitor identity: questions outlive the purge of names."""
    check_page(limit, offset)
    return await _questions(session, filiere, search, start, end, limit, offset)


async def export_questions(
    session: AsyncSession, *, filiere: str | None, search: str | None, most: int
) -> list[QuestionLine]:
    """``questions`` for a file export: up to ``most`` lines in one query, not by pages (the
    pages of a long export would each rescan the ones before, and could shift in between)."""
    if most < 1:
        raise ValidationFailed("an export has at least one line")
    return await _questions(session, filiere, search, None, None, most, 0)


async def _questions(
    session: AsyncSession,
    filiere: str | None,
    search: str | None,
    start: datetime | None,
    end: datetime | None,
    limit: int,
    offset: int,
) -> list[QuestionLine]:
    period = BookingFilter(start, end, filiere=filiere)
    linked = (
        select(
            BookingRow.id.label("booking_id"),
            BookingRow.start_at.label("start"),
            BookingRow.status.label("status"),
            Filiere.slug.label("filiere"),
            BookingRow.mentor_id.label("mentor_id"),
            Mentor.display_name.label("mentor_name"),
            BookingRow.visitor_question.label("question"),
            BookingRow.language.label("language"),
        )
        .join(Mentor, Mentor.id == BookingRow.mentor_id)
        .outerjoin(Filiere, Filiere.id == BookingRow.filiere_id)
        .where(
            BookingRow.visitor_question.is_not(None),
            BookingRow.visitor_question != "",
            BookingRow.status != "rescheduled",
        )
    )
    month_start = func.timezone(TEAM_ZONE, cast(RetainedQuestion.month, DateTime))
    kept = select(
        null().cast(Uuid).label("booking_id"),
        month_start.label("start"),
        null().cast(Text).label("status"),
        Filiere.slug.label("filiere"),
        null().cast(Uuid).label("mentor_id"),
        null().cast(Text).label("mentor_name"),
        RetainedQuestion.question.label("question"),
        RetainedQuestion.language.label("language"),
    ).outerjoin(Filiere, Filiere.id == RetainedQuestion.filiere_id)
    if search:
        pattern = _like_pattern(search)
        linked = linked.where(BookingRow.visitor_question.ilike(pattern, escape="\\"))
        kept = kept.where(RetainedQuestion.question.ilike(pattern, escape="\\"))
    if filiere is not None:
        kept = kept.where(Filiere.slug == filiere)
    if period.start is not None:
        kept = kept.where(month_start >= period.start)
    if period.end is not None:
        kept = kept.where(month_start < period.end)
    both = union_all(period.apply(linked), kept).subquery()
    rows = await session.execute(
        select(both)
        .order_by(both.c.start.desc(), both.c.booking_id.nulls_last())
        .limit(limit)
        .offset(offset)
    )
    return [
        QuestionLine(
            booking_id=row.booking_id,
            start=row.start,
            status=row.status,
            filiere=row.filiere,
            mentor_id=row.mentor_id,
            mentor_name=row.mentor_name,
            question=row.question,
            language=row.language,
        )
        for row in rows
    ]
