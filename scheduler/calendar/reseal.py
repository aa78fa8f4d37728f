"""Re-sealing stored secrets with the newest token key, for a key rotation (``thotis keys
reseal``): after a new key is put first in TOKEN_KEYS, every sealed column is rewritten with it,
so that the old key can be dropped without losing a Google connection or a webhook secret.

One column at a time (the caller names it: ``CalendarConnection.sealed_tokens``,
``WebhookEndpoint.secret``), in short batches by primary key, each committed on its own so a
large table holds no long lock. Each row is written with a compare-and-set on the value read:
a row the service rewrote meanwhile (a refreshed Google token, a new webhook secret) was sealed
with the newest key already and is left alone. Idempotent: a second run finds every row
current. Counts only, never a value, reach the caller.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

from scheduler.calendar.secrets import SecretBox, SecretUnreadable
from scheduler.platform import unit_of_work

__all__ = ["BATCH", "ResealCount", "reseal_column"]

BATCH = 200


@dataclass(frozen=True, slots=True)
class ResealCount:
    """What one column's re-seal found: rewritten with the newest key, already sealed with it,
    or opened by no configured key (left as it is: that secret is lost already)."""

    resealed: int = 0
    current: int = 0
    unreadable: int = 0

    @property
    def total(self) -> int:
        return self.resealed + self.current + self.unreadable

    def __add__(self, other: ResealCount) -> ResealCount:
        return ResealCount(
            self.resealed + other.resealed,
            self.current + other.current,
            self.unreadable + other.unreadable,
        )


async def reseal_column(
    session: AsyncSession,
    box: SecretBox,
    key: InstrumentedAttribute[Any],
    column: InstrumentedAttribute[str],
    progress: Callable[[ResealCount], None] | None = None,
) -> ResealCount:
    """Re-seal every value of ``column`` (rows ordered by their primary ``key``) with the
    newest key; ``progress`` hears the running count after each batch."""
    done = ResealCount()
    last: Any = None
    while True:
        query = select(key, column).order_by(key).limit(BATCH)
        if last is not None:
            query = query.where(key > last)
        rows = (await session.execute(query)).all()
        await session.commit()
        if not rows:
            return done
        batch = ResealCount()
        async with unit_of_work(session):
            for row_key, sealed in rows:
                batch += await _reseal_one(session, box, key, column, row_key, sealed)
        done += batch
        last = rows[-1][0]
        if progress is not None:
            progress(done)


async def _reseal_one(
    session: AsyncSession,
    box: SecretBox,
    key: InstrumentedAttribute[Any],
    column: InstrumentedAttribute[str],
    row_key: Any,
    sealed: str,
) -> ResealCount:
    if box.is_current(sealed):
        return ResealCount(current=1)
    try:
        fresh = box.rotate(sealed)
    except SecretUnreadable:
        return ResealCount(unreadable=1)
    written = await session.execute(
        update(key.class_).where(key == row_key, column == sealed).values({column.key: fresh})
    )
    # Rewritten by the service meanwhile (with the newest key) or deleted: nothing left to do.
    return ResealCount(resealed=1) if getattr(written, "rowcount", 0) else ResealCount(current=1)
