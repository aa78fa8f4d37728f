"""The themes of the visitors' questions, stored: computed by the worker, read by the pages.

The worker's job reads each question as (text, filière, month) — plus, while retention has not
erased them, the booking's first name and the mentor's name, only to scrub them out — groups
each filière's month with ``scheduler.staff.themes`` in a thread (it is CPU work), and replaces
that filière's month of ``question_themes`` in one transaction. Stored questions are scrubbed
and carry no booking id: what the pages and ``question_dataset`` show outlives the purge.

It recomputes the current month and the one before (whose trend and late questions still
move), and every earlier month that has questions but no themes yet (a first run, a restored
database): months already computed are final.

Approval follows a theme's key per filière (``ThemeApproval``): what the team approved stays
approved when the next computation, or the next month, finds the same subject.
"""

from __future__ import annotations

import asyncio
import logging
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from uuid import UUID

from sqlalchemy import ColumnElement, Date, Row, Select, cast, delete, func, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from availability.intervals import as_utc
from scheduler.booking import BookingRow, RetainedQuestion
from scheduler.catalog import Filiere, Mentor, MentorFiliere
from scheduler.platform import (
    Actor,
    Clock,
    Database,
    NotFound,
    PeriodicJob,
    record,
    unit_of_work,
)
from scheduler.staff.models import QuestionTheme, ThemeApproval
from scheduler.staff.scrub import scrub
from scheduler.staff.themes import (
    group_questions,
    ignored_words,
    month_of,
    previous_month,
    words,
)

__all__ = [
    "StoredTheme",
    "approve_theme",
    "compute_themes",
    "filiere_periods",
    "get_theme",
    "mentor_themes",
    "public_themes",
    "stored_themes",
    "themes_job",
]

log = logging.getLogger("thotis.themes")

# Months are the team's months (Paris), like the statistics' weeks.
TEAM_TIMEZONE = "Europe/Paris"
EXAMPLES = 3
# A theme shown outside the console gathers at least this many questions of its month.
SHOWN_FROM = 2
EVERY = timedelta(hours=6)
BACKFILL_MONTHS = 24
THEMES_LOCK = 0x74686F746973_17


@dataclass(frozen=True, slots=True)
class StoredTheme:
    id: int
    filiere: str  # slug
    period: date
    key: str
    label: str
    representative: str
    count: int
    previous_count: int
    examples: tuple[str, ...]
    approved: bool

    @property
    def trend(self) -> int:
        return self.count - self.previous_count


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


# --- reads ---------------------------------------------------------------------------------


ThemeRow = Row[QuestionTheme, str, bool]


def _theme_query() -> Select[QuestionTheme, str, bool]:
    approved = (
        select(ThemeApproval.key)
        .where(
            ThemeApproval.filiere_id == QuestionTheme.filiere_id,
            ThemeApproval.key == QuestionTheme.key,
        )
        .exists()
        .label("approved")
    )
    return select(QuestionTheme, Filiere.slug, approved).join(
        Filiere, Filiere.id == QuestionTheme.filiere_id
    )


def _stored(row: ThemeRow) -> StoredTheme:
    theme, slug, approved = row
    return StoredTheme(
        id=theme.id,
        filiere=slug,
        period=theme.period,
        key=theme.key,
        label=theme.label,
        representative=theme.representative,
        count=theme.count,
        previous_count=theme.previous_count,
        examples=_distinct(theme.questions),
        approved=bool(approved),
    )


def _distinct(questions: Sequence[str], most: int = EXAMPLES, scan: int = 60) -> tuple[str, ...]:
    """The most central questions that differ by more than greetings, case or accents."""
    seen: dict[frozenset[str], str] = {}
    for question in questions[:scan]:
        seen.setdefault(frozenset(stem for stem, _ in words(question)), question)
        if len(seen) == most:
            break
    return tuple(seen.values())


_ORDER = (QuestionTheme.count.desc(), QuestionTheme.previous_count.desc(), QuestionTheme.key)


async def filiere_periods(session: AsyncSession) -> list[date]:
    """The months that have themes, newest first."""
    found = await session.execute(
        select(QuestionTheme.period).distinct().order_by(QuestionTheme.period.desc())
    )
    return list(found.scalars())


async def stored_themes(
    session: AsyncSession, *, filiere: str | None, period: date | None
) -> list[StoredTheme]:
    """The themes of one month (the newest when ``period`` is None), per filière, largest
    first."""
    if period is None:
        periods = await filiere_periods(session)
        if not periods:
            return []
        period = periods[0]
    query = _theme_query().where(QuestionTheme.period == month_of(period))
    if filiere is not None:
        query = query.where(Filiere.slug == filiere)
    rows = await session.execute(query.order_by(Filiere.slug, *_ORDER))
    return [_stored(row) for row in rows]


async def get_theme(session: AsyncSession, theme_id: int) -> tuple[StoredTheme, list[str]]:
    """One theme and all its (scrubbed) questions, for the drill-down."""
    row = (await session.execute(_theme_query().where(QuestionTheme.id == theme_id))).first()
    if row is None:
        raise NotFound("no such theme")
    return _stored(row), list(row[0].questions)


async def approve_theme(
    session: AsyncSession, theme_id: int, approved: bool, actor: Actor
) -> StoredTheme:
    """Show a theme to visitors (or stop showing it): its key, for its filière."""
    theme, _ = await get_theme(session, theme_id)
    async with unit_of_work(session):
        filiere_id = (
            await session.execute(
                select(QuestionTheme.filiere_id).where(QuestionTheme.id == theme.id)
            )
        ).scalar_one()
        await session.execute(
            delete(ThemeApproval).where(
                ThemeApproval.filiere_id == filiere_id, ThemeApproval.key == theme.key
            )
        )
        if approved:
            await session.execute(
                insert(ThemeApproval).values(
                    filiere_id=filiere_id, key=theme.key, approved_by=actor.id
                )
            )
        await record(
            session,
            actor,
            "approve_theme" if approved else "unapprove_theme",
            "question_themes",
            theme.id,
            {"filiere": theme.filiere, "key": theme.key},
        )
    found, _ = await get_theme(session, theme_id)
    return found


async def _latest(session: AsyncSession, filiere_ids: Sequence[UUID]) -> dict[UUID, date]:
    rows = await session.execute(
        select(QuestionTheme.filiere_id, func.max(QuestionTheme.period))
        .where(QuestionTheme.filiere_id.in_(filiere_ids))
        .group_by(QuestionTheme.filiere_id)
    )
    return {row[0]: row[1] for row in rows}


async def mentor_themes(session: AsyncSession, mentor_id: UUID, most: int = 8) -> list[StoredTheme]:
    """What visitors of the mentor's filières asked in the newest month with themes: the themes
    of two questions or more, largest first (approved or not: the mentor is of the team)."""
    ids = list(
        (
            await session.execute(
                select(MentorFiliere.filiere_id).where(MentorFiliere.mentor_id == mentor_id)
            )
        ).scalars()
    )
    found: list[StoredTheme] = []
    for filiere_id, period in (await _latest(session, ids)).items():
        rows = await session.execute(
            _theme_query()
            .where(
                QuestionTheme.filiere_id == filiere_id,
                QuestionTheme.period == period,
                QuestionTheme.count >= SHOWN_FROM,
            )
            .order_by(*_ORDER)
            .limit(most)
        )
        found += [_stored(row) for row in rows]
    return found


async def public_themes(session: AsyncSession, slug: str, most: int = 6) -> list[StoredTheme]:
    """The approved themes of a filière, from its newest month with approved themes."""
    approved = (
        _theme_query()
        .where(Filiere.slug == slug)
        .where(
            select(ThemeApproval.key)
            .where(
                ThemeApproval.filiere_id == QuestionTheme.filiere_id,
                ThemeApproval.key == QuestionTheme.key,
            )
            .exists()
        )
    )
    newest = (
        await session.execute(
            select(func.max(QuestionTheme.period))
            .join(Filiere, Filiere.id == QuestionTheme.filiere_id)
            .join(
                ThemeApproval,
                (ThemeApproval.filiere_id == QuestionTheme.filiere_id)
                & (ThemeApproval.key == QuestionTheme.key),
            )
            .where(Filiere.slug == slug)
        )
    ).scalar_one_or_none()
    if newest is None:
        return []
    rows = await session.execute(
        approved.where(QuestionTheme.period == newest).order_by(*_ORDER).limit(most)
    )
    return [_stored(row) for row in rows]
