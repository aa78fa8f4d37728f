"""Slots offered for one mentor or a whole filière: load from the database, ask the engine.

No slot logic here: everything about which instants are offered is ``availability``'s.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy import Row, bindparam, select
from sqlalchemy.ext.asyncio import AsyncSession

from availability import (
    SLOT_LENGTH,
    MentorSlots,
    SlotRun,
    free_slot_runs_for_many,
    free_slots_for_many,
)
from scheduler.catalog import (
    Filiere,
    FiliereRecord,
    Mentor,
    MentorFiliere,
    MentorRecord,
    PolicyRow,
    mentor_query,
    mentor_record,
)
from scheduler.platform import NotFound, compiled, driver_connection, fetch_all
from scheduler.schedules.loading import (
    MentorState,
    load_states,
    mentor_policy_query,
    mentor_rows,
)


@dataclass(frozen=True, slots=True)
class MentorOffer:
    mentor: MentorRecord
    slots: tuple[datetime, ...]
    next_free: datetime | None


@dataclass(frozen=True, slots=True)
class FiliereOffer:
    filiere: FiliereRecord
    mentors: tuple[MentorOffer, ...]


_NOTHING = MentorSlots((), None)


async def mentor_slots(
    session: AsyncSession, mentor_id: UUID, now: datetime, start: datetime, end: datetime
) -> MentorSlots:
    """A mentor's free slots in ``[start, end)`` and the next free one. An inactive or paused
    mentor offers nothing."""
    rows = await mentor_rows(session, [mentor_id])
    if not rows:
        raise NotFound("no such mentor")
    if not rows[0].active or rows[0].paused:
        return _NOTHING
    return (await _slots_with_next_free(session, rows, now, start, end))[mentor_id]


async def mentor_slot_runs(
    session: AsyncSession, mentor_id: UUID, now: datetime, start: datetime, end: datetime
) -> list[SlotRun]:
    """A mentor's free slots in ``[start, end)`` as runs, what the widget calendar formats
    (no next free slot: it is not shown). An inactive or paused mentor offers nothing."""
    rows = await mentor_rows(session, [mentor_id])
    if not rows:
        raise NotFound("no such mentor")
    if not rows[0].active or rows[0].paused:
        return []
    states = await load_states(session, rows, now, start, end)
    inputs = {mid: state.engine_input for mid, state in states.items()}
    return free_slot_runs_for_many(inputs, now, start, end)[mentor_id]


async def _slots_with_next_free(
    session: AsyncSession,
    mentors: Sequence[Row[*tuple[Any, ...]]],
    now: datetime,
    start: datetime,
    end: datetime,
) -> dict[UUID, MentorSlots]:
    """Slots in ``[start, end)`` for the filière's mentor rows; ``next_free``
    beyond ``end`` needs bookings and busy time up to the horizon, so only the mentors with no
    slot in the range are loaded that far."""
    states = await load_states(session, mentors, now, start, end)
    answer = free_slots_for_many(
        {mid: state.engine_input for mid, state in states.items()}, now, start, end
    )
    empty = {mid for mid, found in answer.items() if not found.slots}
    if empty:
        far = await load_states(
            session, [m for m in mentors if m.id in empty], now, start, end, to_horizon=True
        )
        answer |= free_slots_for_many(
            {mid: state.engine_input for mid, state in far.items()}, now, start, end
        )
    return answer


def _filiere_mentors_query() -> str:
    """A filière (one row, or none if the slug is unknown) with its active, unpaused mentors:
    their profiles (``mentor_record``) and the policy columns the loader needs, in one
    statement instead of three."""
    mentors = (
        mentor_query()
        .add_columns(
            *(getattr(PolicyRow, name) for name in _POLICY_COLUMNS),
            MentorFiliere.filiere_id.label("of_filiere"),
        )
        .outerjoin(PolicyRow, PolicyRow.mentor_id == Mentor.id)
        .join(MentorFiliere, MentorFiliere.mentor_id == Mentor.id)
        .where(Mentor.active.is_(True), Mentor.paused.is_(False))
        .subquery()
    )
    return compiled(
        select(
            Filiere.id.label("filiere_id"),
            Filiere.slug.label("filiere_slug"),
            Filiere.name_fr.label("filiere_name_fr"),
            Filiere.name_en.label("filiere_name_en"),
            *(column for column in mentors.c if column.name != "of_filiere"),
        )
        .select_from(Filiere)
        .outerjoin(mentors, mentors.c.of_filiere == Filiere.id)
        .where(Filiere.slug == bindparam("slug"))
    )


# The columns of loading.mentor_policy_query() beyond the mentor's own.
_POLICY_COLUMNS = tuple(
    column.name
    for column in mentor_policy_query().selected_columns
    if column.table is PolicyRow.__table__
)
_FILIERE_MENTORS = _filiere_mentors_query()


async def _filiere_mentors(session: AsyncSession, slug: str) -> tuple[FiliereRecord, list[Any]]:
    """The filière and its mentors' rows (NotFound for an unknown slug)."""
    rows = await fetch_all(await driver_connection(session), _FILIERE_MENTORS, {"slug": slug})
    if not rows:
        raise NotFound(f"no filière {slug!r}")
    first = rows[0]
    filiere = FiliereRecord(
        first.filiere_id, first.filiere_slug, first.filiere_name_fr, first.filiere_name_en
    )
    return filiere, [row for row in rows if row.id is not None]


def _offer(
    filiere: FiliereRecord,
    mentors: dict[UUID, MentorRecord],
    answer: dict[UUID, MentorSlots],
    now: datetime,
) -> FiliereOffer:
    offers = [
        MentorOffer(mentors[mid], found.slots, found.next_free) for mid, found in answer.items()
    ]
    far = datetime.max.replace(tzinfo=now.tzinfo)
    offers.sort(key=lambda o: (o.next_free or far, o.mentor.display_name, str(o.mentor.id)))
    return FiliereOffer(filiere, tuple(offers))


async def filiere_slots(
    session: AsyncSession, slug: str, now: datetime, start: datetime, end: datetime
) -> FiliereOffer:
    """Every active, unpaused mentor of a filière with their slots in ``[start, end)``, in the
    order of their next free slot (mentors with none last)."""
    filiere, rows = await _filiere_mentors(session, slug)
    answer = await _slots_with_next_free(session, rows, now, start, end)
    return _offer(filiere, {row.id: mentor_record(row) for row in rows}, answer, now)


async def filiere_next_free(session: AsyncSession, slug: str, now: datetime) -> FiliereOffer:
    """Every active, unpaused mentor of a filière with only their next free slot (``slots``
    holds at most that one), in that order — what a filière page shows. The engine walks each mentor's dates
    lazily and stops at the first offered slot, so this costs a few days per mentor instead of
    every slot of the next weeks."""
    filiere, rows = await _filiere_mentors(session, slug)
    states = await load_states(session, rows, now, now, now + SLOT_LENGTH, to_horizon=True)
    answer = free_slots_for_many(
        {mid: state.engine_input for mid, state in states.items()}, now, now, now + SLOT_LENGTH
    )
    return _offer(filiere, {row.id: mentor_record(row) for row in rows}, answer, now)


async def filiere_states(
    session: AsyncSession, slug: str, now: datetime, start: datetime, end: datetime
) -> tuple[FiliereRecord, dict[UUID, MentorState]]:
    """A filière (NotFound for an unknown slug) and the engine inputs over ``[start, end)`` of
    its active, unpaused mentors, in two round trips: what the merged calendar and the
    first-available booking of a filière start from."""
    filiere, rows = await _filiere_mentors(session, slug)
    return filiere, await load_states(session, rows, now, start, end)
