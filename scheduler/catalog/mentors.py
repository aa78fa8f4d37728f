"""Mentors: create, update, activate, deactivate, list."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, fields
from typing import Any
from uuid import UUID

from sqlalchemy import Row, ScalarSelect, Select, delete, func, insert, select, update
from sqlalchemy.dialects.postgresql import aggregate_order_by
from sqlalchemy.ext.asyncio import AsyncSession

from availability import zone
from scheduler.catalog.filieres import _LANGUAGE, _filiere_ids, _text, normalize_email
from scheduler.catalog.links import valid_meeting_link
from scheduler.catalog.models import Filiere, Mentor, MentorFiliere, PolicyRow
from scheduler.catalog.records import MentorRecord
from scheduler.platform import Actor, NotFound, ValidationFailed, record, unit_of_work


@dataclass(frozen=True, slots=True)
class MentorFields:
    """What a mentor profile holds. ``filieres`` are slugs (at least one)."""

    display_name: str
    email: str
    university: str
    year_of_study: int
    filieres: tuple[str, ...]
    bio: str = ""
    photo_url: str | None = None
    languages: tuple[str, ...] = ("fr",)
    timezone: str = "Europe/Paris"
    allow_reply_to: bool = False


@dataclass(frozen=True, slots=True)
class MentorChanges:
    """A partial update: ``None`` leaves a field as it is (``photo_url=""`` removes the photo)."""

    display_name: str | None = None
    email: str | None = None
    university: str | None = None
    year_of_study: int | None = None
    filieres: tuple[str, ...] | None = None
    bio: str | None = None
    photo_url: str | None = None
    languages: tuple[str, ...] | None = None
    timezone: str | None = None
    allow_reply_to: bool | None = None
    paused: bool | None = None
    # The mentor's own meeting link, used instead of Meet or Jitsi ("" removes it).
    meeting_url: str | None = None


def _validated(name: str, value: Any) -> Any:
    """One mentor field, checked; raises ValidationFailed or the engine's InvalidTimezone."""
    if name == "display_name":
        return _text(value, "display_name", max_length=80)
    if name == "email":
        return normalize_email(value)
    if name == "university":
        return _text(value, "university", max_length=120)
    if name == "year_of_study":
        if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 12:
            raise ValidationFailed("year_of_study must be a whole number from 1 to 12")
        return value
    if name == "bio":
        return _text(value, "bio", max_length=1200, allow_empty=True)
    if name == "photo_url":
        if value in (None, ""):
            return None
        value = _text(value, "photo_url", max_length=500)
        if not value.startswith(("https://", "http://")):
            raise ValidationFailed("photo_url must be an http(s) URL")
        return value
    if name == "meeting_url":
        return None if value in (None, "") else valid_meeting_link(value)
    if name == "languages":
        languages = tuple(dict.fromkeys(value))
        if not languages or not all(isinstance(x, str) and _LANGUAGE.match(x) for x in languages):
            raise ValidationFailed("languages must be one or more two-letter codes such as 'fr'")
        return list(languages)
    if name == "timezone":
        zone(value)  # InvalidTimezone (an AvailabilityError) propagates as it is
        return value
    if name in ("allow_reply_to", "paused"):
        if not isinstance(value, bool):
            raise ValidationFailed(f"{name} must be true or false")
        return value
    if name == "filieres":
        slugs = tuple(value)
        if not slugs:
            raise ValidationFailed("a mentor belongs to at least one filière")
        return slugs
    raise ValidationFailed(f"unknown field {name}")  # pragma: no cover


_MENTOR_COLUMNS = (
    Mentor.id,
    Mentor.display_name,
    Mentor.email,
    Mentor.photo_url,
    Mentor.university,
    Mentor.year_of_study,
    Mentor.bio,
    Mentor.languages,
    Mentor.timezone,
    Mentor.active,
    Mentor.paused,
    Mentor.allow_reply_to,
    Mentor.meeting_url,
)


def _slugs_subquery() -> ScalarSelect[Any]:
    return (
        select(func.array_agg(aggregate_order_by(Filiere.slug, Filiere.slug)))
        .select_from(MentorFiliere)
        .join(Filiere, Filiere.id == MentorFiliere.filiere_id)
        .where(MentorFiliere.mentor_id == Mentor.id)
        .scalar_subquery()
    )


def mentor_query() -> Select[*tuple[Any, ...]]:
    return select(*_MENTOR_COLUMNS, _slugs_subquery().label("filiere_slugs"))


def mentor_record(row: Row[*tuple[Any, ...]]) -> MentorRecord:
    return MentorRecord(
        id=row.id,
        display_name=row.display_name,
        email=row.email,
        photo_url=row.photo_url,
        university=row.university,
        year_of_study=row.year_of_study,
        bio=row.bio,
        languages=tuple(row.languages),
        timezone=row.timezone,
        active=row.active,
        paused=row.paused,
        allow_reply_to=row.allow_reply_to,
        filieres=tuple(row.filiere_slugs or ()),
        meeting_url=row.meeting_url,
    )


async def get_mentor(session: AsyncSession, mentor_id: UUID) -> MentorRecord:
    row = (await session.execute(mentor_query().where(Mentor.id == mentor_id))).first()
    if row is None:
        raise NotFound("no such mentor")
    return mentor_record(row)


async def get_mentor_by_email(session: AsyncSession, email: str) -> MentorRecord:
    row = (
        await session.execute(mentor_query().where(Mentor.email == email.strip().lower()))
    ).first()
    if row is None:
        raise NotFound("no mentor with this email")
    return mentor_record(row)


async def list_mentors(
    session: AsyncSession, filiere: str | None = None, *, include_inactive: bool = False
) -> list[MentorRecord]:
    """Mentors (of one filière, by slug), by display name. Inactive ones only on request."""
    query = mentor_query()
    if filiere is not None:
        query = query.where(
            Mentor.id.in_(
                select(MentorFiliere.mentor_id)
                .join(Filiere, Filiere.id == MentorFiliere.filiere_id)
                .where(Filiere.slug == filiere)
            )
        )
    if not include_inactive:
        query = query.where(Mentor.active.is_(True))
    rows = await session.execute(query.order_by(Mentor.display_name, Mentor.id))
    return [mentor_record(row) for row in rows]


async def create_mentor(session: AsyncSession, mentor: MentorFields, actor: Actor) -> MentorRecord:
    """A new active mentor with the default booking policy and no availability yet."""
    values = {f.name: _validated(f.name, getattr(mentor, f.name)) for f in fields(mentor)}
    slugs = values.pop("filieres")
    async with unit_of_work(session):
        filiere_ids = await _filiere_ids(session, slugs)
        if await _email_taken(session, values["email"]):
            raise ValidationFailed("a mentor with this email already exists")
        mentor_id = (
            await session.execute(insert(Mentor).values(**values).returning(Mentor.id))
        ).scalar_one()
        await session.execute(
            insert(MentorFiliere),
            [{"mentor_id": mentor_id, "filiere_id": fid} for fid in filiere_ids],
        )
        await session.execute(insert(PolicyRow).values(mentor_id=mentor_id))
        await record(session, actor, "create", "mentor", mentor_id, {"filieres": list(slugs)})
        created = await get_mentor(session, mentor_id)
    return created


async def update_mentor(
    session: AsyncSession, mentor_id: UUID, changes: MentorChanges, actor: Actor
) -> MentorRecord:
    values = {
        f.name: _validated(f.name, getattr(changes, f.name))
        for f in fields(changes)
        if getattr(changes, f.name) is not None
    }
    slugs: Sequence[str] | None = values.pop("filieres", None)
    async with unit_of_work(session):
        exists = (
            await session.execute(select(Mentor.id).where(Mentor.id == mentor_id).with_for_update())
        ).first()
        if exists is None:
            raise NotFound("no such mentor")
        if "email" in values and await _email_taken(session, values["email"], mentor_id):
            raise ValidationFailed("a mentor with this email already exists")
        if slugs is not None:
            filiere_ids = await _filiere_ids(session, slugs)
            await session.execute(delete(MentorFiliere).where(MentorFiliere.mentor_id == mentor_id))
            await session.execute(
                insert(MentorFiliere),
                [{"mentor_id": mentor_id, "filiere_id": fid} for fid in filiere_ids],
            )
        await session.execute(
            update(Mentor).where(Mentor.id == mentor_id).values(**values, updated_at=func.now())
        )
        changed = sorted(values) + (["filieres"] if slugs is not None else [])
        await record(session, actor, "update", "mentor", mentor_id, {"fields": changed})
        updated = await get_mentor(session, mentor_id)
    return updated


async def set_mentor_active(
    session: AsyncSession, mentor_id: UUID, active: bool, actor: Actor
) -> MentorRecord:
    """Deactivate (or reactivate) a mentor: an inactive mentor is offered nowhere and cannot be
    booked; existing bookings stay as they are."""
    async with unit_of_work(session):
        done = await session.execute(
            update(Mentor)
            .where(Mentor.id == mentor_id)
            .values(active=active, updated_at=func.now())
            .returning(Mentor.id)
        )
        if done.first() is None:
            raise NotFound("no such mentor")
        await record(session, actor, "activate" if active else "deactivate", "mentor", mentor_id)
        updated = await get_mentor(session, mentor_id)
    return updated


async def deactivate_mentor(session: AsyncSession, mentor_id: UUID, actor: Actor) -> MentorRecord:
    return await set_mentor_active(session, mentor_id, False, actor)


async def _email_taken(session: AsyncSession, email: str, other_than: UUID | None = None) -> bool:
    query = select(Mentor.id).where(Mentor.email == email)
    if other_than is not None:
        query = query.where(Mentor.id != other_than)
    return (await session.execute(query)).first() is not None
