"""Staff API keys and mentor bearer tokens: shown once, stored only as SHA-256."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from sqlalchemy import insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from scheduler.catalog import Mentor
from scheduler.identity.models import MentorToken, StaffApiKey
from scheduler.platform import (
    Actor,
    NotFound,
    ValidationFailed,
    digest,
    new_secret,
    record,
    same_digest,
    unit_of_work,
)


@dataclass(frozen=True, slots=True)
class StaffKey:
    id: UUID
    name: str


async def create_staff_api_key(
    session: AsyncSession, name: str, actor: Actor
) -> tuple[StaffKey, str]:
    """A new staff API key: (its record, the raw key to show once)."""
    name = name.strip()
    if not name or len(name) > 100:
        raise ValidationFailed("an API key needs a name of 1 to 100 characters")
    raw = new_secret()
    async with unit_of_work(session):
        key_id = (
            await session.execute(
                insert(StaffApiKey)
                .values(name=name, key_hash=digest(raw))
                .returning(StaffApiKey.id)
            )
        ).scalar_one()
        await record(session, actor, "create", "staff_api_key", key_id, {"name": name})
    return StaffKey(key_id, name), raw


async def verify_staff_api_key(session: AsyncSession, raw: str) -> StaffKey | None:
    if not raw:
        return None
    row = (
        await session.execute(
            select(StaffApiKey.id, StaffApiKey.name, StaffApiKey.key_hash).where(
                StaffApiKey.key_hash == digest(raw), StaffApiKey.revoked_at.is_(None)
            )
        )
    ).first()
    if row is None or not same_digest(raw, row.key_hash):
        return None
    return StaffKey(row.id, row.name)


async def revoke_staff_api_key(
    session: AsyncSession, key_id: UUID, now: datetime, actor: Actor
) -> None:
    async with unit_of_work(session):
        done = await session.execute(
            update(StaffApiKey)
            .where(StaffApiKey.id == key_id, StaffApiKey.revoked_at.is_(None))
            .values(revoked_at=now)
            .returning(StaffApiKey.id)
        )
        if done.first() is None:
            raise NotFound("no such live API key")
        await record(session, actor, "revoke", "staff_api_key", key_id)


async def create_mentor_token(session: AsyncSession, mentor_id: UUID, actor: Actor) -> str:
    """A new bearer token for a mentor's own API calls; the raw token is returned once."""
    raw = new_secret()
    async with unit_of_work(session):
        token_id = (
            await session.execute(
                insert(MentorToken)
                .values(mentor_id=mentor_id, token_hash=digest(raw))
                .returning(MentorToken.id)
            )
        ).scalar_one()
        await record(
            session, actor, "create", "mentor_token", token_id, {"mentor_id": str(mentor_id)}
        )
    return raw


async def verify_mentor_token(session: AsyncSession, raw: str) -> UUID | None:
    """The active mentor a live token belongs to, else None."""
    if not raw:
        return None
    row = (
        await session.execute(
            select(MentorToken.mentor_id, MentorToken.token_hash)
            .join(Mentor, Mentor.id == MentorToken.mentor_id)
            .where(
                MentorToken.token_hash == digest(raw),
                MentorToken.revoked_at.is_(None),
                Mentor.active.is_(True),
            )
        )
    ).first()
    if row is None:
        return None
    # Unpacked rather than read by name: a Row's named attributes are untyped, its items are not.
    mentor_id, token_hash = row
    if not same_digest(raw, token_hash):
        return None
    return mentor_id


async def revoke_mentor_tokens(
    session: AsyncSession, mentor_id: UUID, now: datetime, actor: Actor
) -> int:
    async with unit_of_work(session):
        result = await session.execute(
            update(MentorToken)
            .where(MentorToken.mentor_id == mentor_id, MentorToken.revoked_at.is_(None))
            .values(revoked_at=now)
            .returning(MentorToken.id)
        )
        count = len(result.all())
        await record(session, actor, "revoke", "mentor_token", mentor_id, {"count": count})
    return count
