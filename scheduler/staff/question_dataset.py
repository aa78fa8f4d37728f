"""The anonymised dataset of the visitors' questions, for Thotis's AI: every question the worker
has themed (``scheduler.staff.question_themes``), already scrubbed and unlinked from its booking,
one JSON line each with its filière, month and theme. Read in batches of themes by id, so an
export of any size holds one batch in memory.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from scheduler.catalog import Filiere
from scheduler.staff.models import QuestionTheme

__all__ = ["DatasetLine", "dataset", "dataset_size"]


@dataclass(frozen=True, slots=True)
class DatasetLine:
    """One line of the anonymised dataset (JSONL) for Thotis's AI."""

    filiere: str
    month: str  # YYYY-MM
    question: str
    theme: str
    theme_key: str


async def dataset_size(session: AsyncSession) -> int:
    """How many lines ``dataset`` yields (for a progress count)."""
    total = await session.execute(
        select(func.coalesce(func.sum(func.jsonb_array_length(QuestionTheme.questions)), 0))
    )
    return int(total.scalar_one())


async def dataset(session: AsyncSession, batch: int = 200) -> AsyncIterator[list[DatasetLine]]:
    """The anonymised dataset, a batch of themes' lines at a time (oldest month first): every
    themed question, scrubbed, with its filière, month and theme."""
    last = 0
    while True:
        rows = (
            await session.execute(
                select(QuestionTheme, Filiere.slug)
                .join(Filiere, Filiere.id == QuestionTheme.filiere_id)
                .where(QuestionTheme.id > last)
                .order_by(QuestionTheme.id)
                .limit(batch)
            )
        ).all()
        if not rows:
            return
        last = rows[-1][0].id
        yield [
            DatasetLine(
                filiere=slug,
                month=theme.period.strftime("%Y-%m"),
                question=question,
                theme=theme.label,
                theme_key=theme.key,
            )
            for theme, slug in rows
            for question in theme.questions
        ]
