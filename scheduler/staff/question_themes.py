"""The themes of the visitors' questions as the pages read them, and the team's approval.

The worker computes and stores them (``scheduler.staff.theme_computation``); stored questions
are scrubbed and carry no booking id: what the pages and ``question_dataset`` show outlives the
purge.

Approval follows a theme's key per filière (``ThemeApproval``): what the team approved stays
approved when the next computation, or the next month, finds the same subject.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from uuid import UUID

from sqlalchemy import Row, Select, delete, func, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from scheduler.catalog import Filiere, MentorFiliere
from scheduler.platform import (
    Actor,
    NotFound,
    record,
    unit_of_work,
)
from scheduler.staff.models import QuestionTheme, ThemeApproval
from scheduler.staff.themes import (
    month_of,
    words,
)

__all__ = [
    "StoredTheme",
    "approve_theme",
    "filiere_periods",
    "get_theme",
    "mentor_themes",
    "public_themes",
    "stored_themes",
]

EXAMPLES = 3
# A theme shown outside the console gathers at least this many questions of its month.
SHOWN_FROM = 2


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
