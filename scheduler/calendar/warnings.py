"""What the mentor space shows about a calendar: open warnings, each opened once and resolved
by the mentor or by the event that makes it moot (a reconnect, a new choice of calendars)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from scheduler.calendar.models import CalendarConnection, CalendarWarning, WarningKind
from scheduler.platform import Database, NotFound

__all__ = ["CalendarWarningView", "Warnings", "open_warnings", "resolve_open"]


@dataclass(frozen=True, slots=True)
class CalendarWarningView:
    id: int
    kind: str
    booking_id: UUID | None
    detail: str | None
    at: datetime

    @property
    def moved_to(self) -> datetime | None:
        """Where the mentor moved the event in Google (``event_moved``), else None."""
        if self.kind != WarningKind.EVENT_MOVED or not self.detail:
            return None
        return datetime.fromisoformat(self.detail.split("/")[0])


async def open_warnings(session: AsyncSession, mentor_id: UUID) -> tuple[CalendarWarningView, ...]:
    """The mentor's unresolved warnings, oldest first."""
    warnings = (
        await session.execute(
            select(CalendarWarning)
            .where(
                CalendarWarning.mentor_id == mentor_id,
                CalendarWarning.resolved_at.is_(None),
            )
            .order_by(CalendarWarning.at, CalendarWarning.id)
        )
    ).scalars()
    return tuple(CalendarWarningView(w.id, w.kind, w.booking_id, w.detail, w.at) for w in warnings)


async def resolve_open(
    session: AsyncSession, mentor_id: UUID, at: datetime, kind: str | None = None
) -> None:
    """Resolve the mentor's open warnings of ``kind`` (all of them when None) in the caller's
    transaction, with the change that makes them moot."""
    which = [CalendarWarning.mentor_id == mentor_id, CalendarWarning.resolved_at.is_(None)]
    if kind is not None:
        which.append(CalendarWarning.kind == kind)
    await session.execute(update(CalendarWarning).where(*which).values(resolved_at=at))


class Warnings:
    def __init__(self, db: Database, clock: Callable[[], datetime]) -> None:
        self.db = db
        self.clock = clock

    async def open(
        self, mentor_id: UUID, kind: str, booking_id: UUID | None = None, detail: str | None = None
    ) -> bool:
        """Open a warning unless the same one is open already. True when one was opened."""
        async with self.db.transaction() as session:
            # The connection row (when there is one) serialises writers of one mentor's warnings.
            await session.execute(
                select(CalendarConnection.mentor_id)
                .where(CalendarConnection.mentor_id == mentor_id)
                .with_for_update()
            )
            same = select(CalendarWarning.id).where(
                CalendarWarning.mentor_id == mentor_id,
                CalendarWarning.kind == kind,
                CalendarWarning.resolved_at.is_(None),
                CalendarWarning.booking_id.is_(None)
                if booking_id is None
                else CalendarWarning.booking_id == booking_id,
            )
            if (await session.execute(same)).first() is not None:
                return False
            session.add(
                CalendarWarning(
                    mentor_id=mentor_id,
                    kind=kind,
                    booking_id=booking_id,
                    detail=detail,
                    at=self.clock(),
                )
            )
        return True

    async def resolve(self, mentor_id: UUID, warning_id: int) -> None:
        async with self.db.transaction() as session:
            done = await session.execute(
                update(CalendarWarning)
                .where(
                    CalendarWarning.id == warning_id,
                    CalendarWarning.mentor_id == mentor_id,
                    CalendarWarning.resolved_at.is_(None),
                )
                .values(resolved_at=self.clock())
                .returning(CalendarWarning.id)
            )
            if done.first() is None:
                raise NotFound("no such open warning")
