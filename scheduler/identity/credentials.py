"""Staff API keys and mentor bearer tokens: shown once, stored only as SHA-256, revocable, and
(those made since revision 0009) expiring: a key nobody remembers stops being a way in by itself.

A key or token is live while it is neither revoked nor past its ``expires_at`` (null: made
before expiry existed, live until revoked). The API guards ask ``verify_*`` with the request's
clock, so a key expires at the same instant in every process."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy import ColumnElement, func, insert, or_, select, update
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


@dataclass(frozen=True, slots=True)
class StaffKeyLine:
    """A staff API key as the console lists it (never its secret)."""

    id: UUID
    name: str
    created_at: datetime
    expires_at: datetime | None
    revoked_at: datetime | None


@dataclass(frozen=True, slots=True)
class MentorTokenLine:
    """A mentor token as the console lists it, with its mentor's name (never its secret)."""

    id: UUID
    mentor_id: UUID
    mentor_name: str
    created_at: datetime
    expires_at: datetime | None
    revoked_at: datetime | None


def _unexpired(expires_at: Any, now: datetime | None) -> ColumnElement[bool]:
    """Not past its expiry (at ``now``, else the database's clock); no expiry is live."""
    return or_(expires_at.is_(None), expires_at > (func.now() if now is None else now))


async def create_staff_api_key(
    session: AsyncSession, name: str, actor: Actor, *, expires_at: datetime | None = None
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
                .values(name=name, key_hash=digest(raw), expires_at=expires_at)
                .returning(StaffApiKey.id)
            )
        ).scalar_one()
        await record(session, actor, "create", "staff_api_key", key_id, {"name": name})
    return StaffKey(key_id, name), raw


async def verify_staff_api_key(
    session: AsyncSession, raw: str, now: datetime | None = None
) -> StaffKey | None:
    """The live key of this secret, else None (unknown, revoked or expired alike)."""
    if not raw:
        return None
    row = (
        await session.execute(
            select(StaffApiKey.id, StaffApiKey.name, StaffApiKey.key_hash).where(
                StaffApiKey.key_hash == digest(raw),
                StaffApiKey.revoked_at.is_(None),
                _unexpired(StaffApiKey.expires_at, now),
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


async def create_mentor_token(
    session: AsyncSession, mentor_id: UUID, actor: Actor, *, expires_at: datetime | None = None
) -> str:
    """A new bearer token for a mentor's own API calls; the raw token is returned once."""
    raw = new_secret()
    async with unit_of_work(session):
        token_id = (
            await session.execute(
                insert(MentorToken)
                .values(mentor_id=mentor_id, token_hash=digest(raw), expires_at=expires_at)
                .returning(MentorToken.id)
            )
        ).scalar_one()
        await record(
            session, actor, "create", "mentor_token", token_id, {"mentor_id": str(mentor_id)}
        )
    return raw


async def verify_mentor_token(
    session: AsyncSession, raw: str, now: datetime | None = None
) -> UUID | None:
    """The active mentor a live (unrevoked, unexpired) token belongs to, else None."""
    if not raw:
        return None
    row = (
        await session.execute(
            select(MentorToken.mentor_id, MentorToken.token_hash)
            .join(Mentor, Mentor.id == MentorToken.mentor_id)
            .where(
                MentorToken.token_hash == digest(raw),
                MentorToken.revoked_at.is_(None),
                _unexpired(MentorToken.expires_at, now),
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


async def revoke_mentor_token(
    session: AsyncSession, token_id: UUID, now: datetime, actor: Actor
) -> UUID:
    """Revoke one token (the console's « Révoquer »); the mentor it belonged to."""
    async with unit_of_work(session):
        done = (
            await session.execute(
                update(MentorToken)
                .where(MentorToken.id == token_id, MentorToken.revoked_at.is_(None))
                .values(revoked_at=now)
                .returning(MentorToken.mentor_id)
            )
        ).first()
        if done is None:
            raise NotFound("no such live mentor token")
        (mentor_id,) = done
        await record(
            session, actor, "revoke", "mentor_token", token_id, {"mentor_id": str(mentor_id)}
        )
    return mentor_id


async def list_staff_api_keys(session: AsyncSession) -> list[StaffKeyLine]:
    """Every staff API key, newest first (revoked and expired ones too: the console says so)."""
    rows = await session.execute(
        select(
            StaffApiKey.id,
            StaffApiKey.name,
            StaffApiKey.created_at,
            StaffApiKey.expires_at,
            StaffApiKey.revoked_at,
        ).order_by(StaffApiKey.created_at.desc(), StaffApiKey.id)
    )
    return [StaffKeyLine(*row) for row in rows]


async def list_mentor_tokens(
    session: AsyncSession, mentor_id: UUID | None = None
) -> list[MentorTokenLine]:
    """Mentor tokens (of one mentor, or all), newest first, with the mentor's name."""
    query = (
        select(
            MentorToken.id,
            MentorToken.mentor_id,
            Mentor.display_name,
            MentorToken.created_at,
            MentorToken.expires_at,
            MentorToken.revoked_at,
        )
        .join(Mentor, Mentor.id == MentorToken.mentor_id)
        .order_by(MentorToken.created_at.desc(), MentorToken.id)
    )
    if mentor_id is not None:
        query = query.where(MentorToken.mentor_id == mentor_id)
    return [MentorTokenLine(*row) for row in await session.execute(query)]
