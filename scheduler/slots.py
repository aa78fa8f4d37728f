"""Slots offered for one mentor or a whole filière: load from the database, ask the engine.

No slot logic here: everything about which instants are offered is ``availability``'s.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from availability import SLOT_LENGTH, MentorSlots, free_slots_for_many
from scheduler.catalog import get_filiere, mentor_query, mentor_record
from scheduler.errors import NotFound
from scheduler.loading import load_mentor_states
from scheduler.models import Filiere, Mentor, MentorFiliere
from scheduler.records import FiliereRecord, MentorRecord


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
    states = await load_mentor_states(session, [mentor_id], now, start, end)
    state = states.get(mentor_id)
    if state is None:
        raise NotFound("no such mentor")
    if not state.active or state.paused:
        return _NOTHING
    found = free_slots_for_many({mentor_id: state.engine_input}, now, start, end)[mentor_id]
    if found.slots:
        return found
    return (await _slots_with_next_free(session, [mentor_id], now, start, end))[mentor_id]


async def _slots_with_next_free(
    session: AsyncSession, mentor_ids: list[UUID], now: datetime, start: datetime, end: datetime
) -> dict[UUID, MentorSlots]:
    """Slots in ``[start, end)``; ``next_free`` beyond ``end`` needs bookings and busy time up
    to the horizon, so only the mentors with no slot in the range are loaded that far."""
    states = await load_mentor_states(session, mentor_ids, now, start, end)
    answer = free_slots_for_many(
        {mid: state.engine_input for mid, state in states.items()}, now, start, end
    )
    empty = [mid for mid, found in answer.items() if not found.slots]
    if empty:
        far = await load_mentor_states(session, empty, now, start, end, to_horizon=True)
        answer |= free_slots_for_many(
            {mid: state.engine_input for mid, state in far.items()}, now, start, end
        )
    return answer


async def _filiere_mentors(session: AsyncSession, slug: str) -> dict[UUID, MentorRecord]:
    rows = (
        await session.execute(
            mentor_query().where(
                Mentor.active.is_(True),
                Mentor.paused.is_(False),
                Mentor.id.in_(
                    select(MentorFiliere.mentor_id)
                    .join(Filiere, Filiere.id == MentorFiliere.filiere_id)
                    .where(Filiere.slug == slug)
                ),
            )
        )
    ).all()
    return {row.id: mentor_record(row) for row in rows}


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
    filiere = await get_filiere(session, slug)
    mentors = await _filiere_mentors(session, slug)
    answer = await _slots_with_next_free(session, list(mentors), now, start, end)
    return _offer(filiere, mentors, answer, now)


async def filiere_next_free(session: AsyncSession, slug: str, now: datetime) -> FiliereOffer:
    """Every active, unpaused mentor of a filière with only their next free slot (``slots``
    holds at most that one), in that order — what a filière page shows. The engine walks each mentor's dates
    lazily and stops at the first offered slot, so this costs a few days per mentor instead of
    every slot of the next weeks."""
    filiere = await get_filiere(session, slug)
    mentors = await _filiere_mentors(session, slug)
    states = await load_mentor_states(
        session, list(mentors), now, now, now + SLOT_LENGTH, to_horizon=True
    )
    answer = free_slots_for_many(
        {mid: state.engine_input for mid, state in states.items()}, now, now, now + SLOT_LENGTH
    )
    return _offer(filiere, mentors, answer, now)
