"""The audit trail as people read it: the names behind the ids it stores.

The trail keeps ids (a name changes, an id does not; and it must hold no personal data beyond
the acting staff address), so the console looks the names up when it shows the trail: a few
queries for a page of entries, whatever its length. Turning an entry into a sentence is the
console's (``api.space.staff.audit``); this module only answers "who is that id".
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from uuid import UUID

from sqlalchemy import Text, cast, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from scheduler.booking import BookingRow
from scheduler.catalog import Filiere, Mentor
from scheduler.identity import MentorToken, StaffApiKey
from scheduler.platform import AuditEntry
from scheduler.staff.moderation import AuditLine

__all__ = ["TrailNames", "mentor_trail", "trail_names"]


@dataclass(frozen=True, slots=True)
class TrailNames:
    """Names for the ids of some audit lines; an id missing here was deleted (or is not one)."""

    mentors: dict[str, str]  # mentor id -> display name
    filieres: dict[str, tuple[str, str]]  # filière id -> (French name, English name)
    api_keys: dict[str, str]  # staff API key id -> its name
    booking_mentors: dict[str, str]  # booking id -> its mentor's id
    token_mentors: dict[str, str]  # mentor token id -> its mentor's id


def _uuids(values: Iterable[str | None]) -> set[UUID]:
    found = set()
    for value in values:
        try:
            found.add(UUID(str(value)))
        except ValueError:
            continue  # "cli", "*", an email's hash: not a row to look up
    return found


async def trail_names(session: AsyncSession, lines: list[AuditLine]) -> TrailNames:
    def ids(*entities: str) -> set[UUID]:
        return _uuids(line.entity_id for line in lines if line.entity in entities)

    bookings = ids("booking")
    booking_mentors = {
        str(b): str(m)
        for b, m in (
            await session.execute(
                select(BookingRow.id, BookingRow.mentor_id).where(BookingRow.id.in_(bookings))
            )
            if bookings
            else []
        )
    }
    tokens = ids("mentor_token")
    token_mentors = {
        str(t): str(m)
        for t, m in (
            await session.execute(
                select(MentorToken.id, MentorToken.mentor_id).where(MentorToken.id.in_(tokens))
            )
            if tokens
            else []
        )
    }
    mentors = _uuids(
        [
            *(line.actor_id for line in lines if line.actor_kind == "mentor"),
            *(line.entity_id for line in lines if line.entity in ("mentor", "mentor_token")),
            *(str(line.details.get("mentor_id")) for line in lines),
            *booking_mentors.values(),
            *token_mentors.values(),
        ]
    )
    keys = _uuids(
        [
            *(line.actor_id for line in lines if line.actor_kind == "staff"),
            *(line.entity_id for line in lines if line.entity == "staff_api_key"),
        ]
    )
    filieres = ids("filiere")
    mentor_names = (
        {
            str(i): n
            for i, n in await session.execute(
                select(Mentor.id, Mentor.display_name).where(Mentor.id.in_(mentors))
            )
        }
        if mentors
        else {}
    )
    key_names = (
        {
            str(i): n
            for i, n in await session.execute(
                select(StaffApiKey.id, StaffApiKey.name).where(StaffApiKey.id.in_(keys))
            )
        }
        if keys
        else {}
    )
    filiere_names = (
        {
            str(i): (fr, en)
            for i, fr, en in await session.execute(
                select(Filiere.id, Filiere.name_fr, Filiere.name_en).where(Filiere.id.in_(filieres))
            )
        }
        if filieres
        else {}
    )
    return TrailNames(mentor_names, filiere_names, key_names, booking_mentors, token_mentors)


async def mentor_trail(session: AsyncSession, mentor_id: UUID, limit: int = 30) -> list[AuditLine]:
    """The latest entries by or about one mentor (their page in the console): on their
    profile, by them, on their bookings and their tokens."""
    rows = await session.execute(
        select(
            AuditEntry.at,
            AuditEntry.actor_kind,
            AuditEntry.actor_id,
            AuditEntry.action,
            AuditEntry.entity,
            AuditEntry.entity_id,
            AuditEntry.details,
        )
        .where(
            or_(
                (AuditEntry.entity == "mentor") & (AuditEntry.entity_id == str(mentor_id)),
                (AuditEntry.actor_kind == "mentor") & (AuditEntry.actor_id == str(mentor_id)),
                # Their bookings (booked, moved, cancelled by anyone) and their tokens.
                (AuditEntry.entity == "booking")
                & AuditEntry.entity_id.in_(
                    select(cast(BookingRow.id, Text)).where(BookingRow.mentor_id == mentor_id)
                ),
                AuditEntry.details["mentor_id"].astext == str(mentor_id),
            )
        )
        .order_by(AuditEntry.id.desc())
        .limit(limit)
    )
    return [AuditLine(*row) for row in rows]
