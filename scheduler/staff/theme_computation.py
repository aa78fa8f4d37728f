"""The themes of the visitors' questions, computed by the worker and stored.

The job reads each question as (text, filière, month) — plus, while retention has not erased
them, the booking's first name and the mentor's name, only to scrub them out — groups each
filière's month with ``scheduler.staff.themes`` in a thread (it is CPU work), and replaces that
filière's month of ``question_themes`` in one transaction. The pages read them through
``scheduler.staff.question_themes``.

It recomputes the current month and the one before (whose trend and late questions still
move), and every earlier month that has questions but no themes yet (a first run, a restored
database): months already computed are final.
"""

from __future__ import annotations

import asyncio
import logging
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from uuid import UUID

from sqlalchemy import ColumnElement, Date, cast, delete, func, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from availability.intervals import as_utc
from scheduler.booking import BookingRow, RetainedQuestion
from scheduler.catalog import Filiere, Mentor
from scheduler.platform import Clock, Database, PeriodicJob, unit_of_work
from scheduler.staff.models import QuestionTheme
from scheduler.staff.scrub import scrub
from scheduler.staff.themes import group_questions, ignored_words, month_of, previous_month

__all__ = ["compute_themes", "themes_job"]

log = logging.getLogger("thotis.themes")

# Months are the team's months (Paris), like the statistics' weeks.
TEAM_TIMEZONE = "Europe/Paris"
EVERY = timedelta(hours=6)
BACKFILL_MONTHS = 24
THEMES_LOCK = 0x74686F746973_17


@dataclass(frozen=True, slots=True)
class _Asked:
    text: str
    filiere_id: UUID
    month: date
    names: tuple[str | None, ...]


def _local_month() -> ColumnElement[date]:
    return cast(func.date_trunc("month", func.timezone(TEAM_TIMEZONE, BookingRow.created_at)), Date)


async def _asked(session: AsyncSession, since: date) -> list[_Asked]:
    """Every question of a filière asked since ``since`` (a month): text, filière, month, and
    the names to scrub while they are still there. One query."""
    month = _local_month().label("month")
    rows = await session.execute(
        select(
            BookingRow.visitor_question,
            BookingRow.filiere_id,
            month,
            BookingRow.visitor_first_name,
            Mentor.display_name,
        )
        .join(Mentor, Mentor.id == BookingRow.mentor_id)
        .where(
            BookingRow.visitor_question.is_not(None),
            BookingRow.visitor_question != "",
            BookingRow.filiere_id.is_not(None),
            BookingRow.status != "rescheduled",
            month >= since,
        )
    )
    asked = [
        _Asked(row.visitor_question, row.filiere_id, row.month, (row[3], row[4])) for row in rows
    ]
    # Questions whose booking's personal data was erased live on alone (the retention purge,
    # scheduler.booking.retention), by the same month: the month the booking was made.
    kept = await session.execute(
        select(
            RetainedQuestion.question, RetainedQuestion.filiere_id, RetainedQuestion.month
        ).where(RetainedQuestion.filiere_id.is_not(None), RetainedQuestion.month >= since)
    )
    asked += [_Asked(row.question, row.filiere_id, row.month, ()) for row in kept]
    return asked


async def _months_to_compute(session: AsyncSession, now: datetime) -> list[date]:
    current = month_of(as_utc(now, "now").date())
    recent = {current, previous_month(current)}
    oldest = current
    for _ in range(BACKFILL_MONTHS):
        oldest = previous_month(oldest)
    month = _local_month().label("month")
    asked = select(month).where(
        BookingRow.visitor_question.is_not(None),
        BookingRow.filiere_id.is_not(None),
        month >= oldest,
    )
    kept = select(RetainedQuestion.month).where(
        RetainedQuestion.filiere_id.is_not(None), RetainedQuestion.month >= oldest
    )
    done = select(QuestionTheme.period).distinct()
    found = set((await session.execute(asked.union(kept))).scalars()) - set(
        (await session.execute(done)).scalars()
    )
    return sorted(recent | found)


def _group(
    asked: Sequence[_Asked], months: Sequence[date], names: dict[UUID, frozenset[str]]
) -> list[dict[str, object]]:
    """The rows to store for ``months`` (CPU work: runs in a thread)."""
    by: dict[tuple[UUID, date], list[_Asked]] = defaultdict(list)
    for a in asked:
        by[(a.filiere_id, a.month)].append(a)
    rows: list[dict[str, object]] = []
    for filiere_id, month in sorted({key for key in by if key[1] in months}):
        current = [scrub(a.text, a.names) for a in by[(filiere_id, month)]]
        before = [scrub(a.text, a.names) for a in by.get((filiere_id, previous_month(month)), [])]
        for theme in group_questions(current, before, ignore=names.get(filiere_id, frozenset())):
            rows.append(
                {
                    "filiere_id": filiere_id,
                    "period": month,
                    "key": theme.key,
                    "label": theme.label,
                    "representative": theme.representative,
                    "count": theme.count,
                    "previous_count": theme.previous_count,
                    "questions": [current[i].strip() for i in theme.members],
                }
            )
    return rows


async def compute_themes(session: AsyncSession, now: datetime) -> int:
    """Recompute the months that may have changed; returns how many themes were stored."""
    months = await _months_to_compute(session, now)
    asked = await _asked(session, previous_month(months[0]))
    filieres = (await session.execute(select(Filiere.id, Filiere.name_fr, Filiere.name_en))).all()
    names = {f.id: ignored_words(f.name_fr, f.name_en) for f in filieres}
    rows = await asyncio.to_thread(_group, asked, months, names)
    async with unit_of_work(session):
        # Two workers may compute at once: the second waits, then replaces the first's rows
        # (instead of colliding with them on the unique key).
        await session.execute(select(func.pg_advisory_xact_lock(THEMES_LOCK)))
        await session.execute(delete(QuestionTheme).where(QuestionTheme.period.in_(months)))
        if rows:
            await session.execute(insert(QuestionTheme), rows)
    return len(rows)


def themes_job(db: Database, clock: Clock) -> PeriodicJob:
    """The worker's theme computation (at start, then every six hours)."""

    async def run() -> None:
        async with db.sessions() as session:
            count = await compute_themes(session, clock())
        log.info("stored %d question themes", count)

    return PeriodicJob("question_themes", run, EVERY)
