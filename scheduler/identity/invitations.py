"""A mentor's way into the space: staff invite them (the mentor row is created hidden), they
sign in, finish onboarding (which makes them visible the first time), and keep preferences.

Who may sign in is whoever staff created as an active mentor: invitations record that the team
sent the link, and when it was first used.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from sqlalchemy import case, func, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession

from scheduler import catalog
from scheduler.catalog import Mentor, MentorPreferences, MentorRecord, NotifyMode
from scheduler.identity.models import MentorInvitation
from scheduler.platform import Actor, NotFound, ValidationFailed, record, unit_of_work

__all__ = [
    "Invited",
    "MentorSpaceState",
    "finish_onboarding",
    "invite_mentor",
    "note_sign_in",
    "set_notify",
    "space_state",
]


@dataclass(frozen=True, slots=True)
class Invited:
    mentor: MentorRecord
    created: bool  # False: the mentor existed and was invited again


@dataclass(frozen=True, slots=True)
class MentorSpaceState:
    notify: str
    onboarded_at: datetime | None
    last_sign_in_at: datetime | None


async def invite_mentor(
    session: AsyncSession, fields: catalog.MentorFields, actor: Actor, now: datetime
) -> Invited:
    """Create the mentor if the email is new (hidden until onboarding is done), and record the
    invitation. The caller sends the sign-in link."""
    email = catalog.normalize_email(fields.email)
    async with unit_of_work(session):
        existing = (await session.execute(select(Mentor.id).where(Mentor.email == email))).scalar()
        created = existing is None
        if existing is None:
            mentor = await catalog.create_mentor(
                session,
                catalog.MentorFields(
                    display_name=fields.display_name,
                    email=email,
                    university=fields.university,
                    year_of_study=fields.year_of_study,
                    filieres=fields.filieres,
                ),
                actor,
            )
            # Visitors see the mentor once they have a profile and hours: onboarding unhides.
            mentor = await catalog.update_mentor(
                session, mentor.id, catalog.MentorChanges(paused=True), actor
            )
        else:
            mentor = await catalog.get_mentor(session, existing)
            if not mentor.active:
                raise ValidationFailed("this mentor is deactivated: reactivate them first")
        values = {"invited_by": actor.id or actor.kind, "invited_at": now}
        await session.execute(
            pg_insert(MentorInvitation)
            .values(mentor_id=mentor.id, **values)
            .on_conflict_do_update(index_elements=[MentorInvitation.mentor_id], set_=values)
        )
        await record(session, actor, "invite", "mentor", mentor.id, {"created": created})
    return Invited(mentor, created)


async def space_state(session: AsyncSession, mentor_id: UUID) -> MentorSpaceState:
    row = (
        await session.execute(
            select(
                MentorPreferences.notify,
                MentorPreferences.onboarded_at,
                MentorPreferences.last_sign_in_at,
            ).where(MentorPreferences.mentor_id == mentor_id)
        )
    ).first()
    if row is None:
        return MentorSpaceState("each", None, None)
    return MentorSpaceState(row.notify, row.onboarded_at, row.last_sign_in_at)


async def note_sign_in(session: AsyncSession, mentor_id: UUID, now: datetime) -> None:
    """Remember the sign-in (and that the invitation, if any, was accepted)."""
    async with unit_of_work(session):
        await session.execute(
            pg_insert(MentorPreferences)
            .values(mentor_id=mentor_id, last_sign_in_at=now, updated_at=now)
            .on_conflict_do_update(
                index_elements=[MentorPreferences.mentor_id], set_={"last_sign_in_at": now}
            )
        )
        await session.execute(
            update(MentorInvitation)
            .where(MentorInvitation.mentor_id == mentor_id, MentorInvitation.accepted_at.is_(None))
            .values(accepted_at=now)
        )
        await record(session, Actor.mentor(mentor_id), "sign_in", "mentor", mentor_id)


async def finish_onboarding(session: AsyncSession, mentor_id: UUID, now: datetime) -> bool:
    """Mark onboarding done. The first time, the mentor becomes visible (unpaused). True when
    this was the first time."""
    async with unit_of_work(session):
        first = (
            await session.execute(
                pg_insert(MentorPreferences)
                .values(mentor_id=mentor_id, onboarded_at=now, updated_at=now)
                .on_conflict_do_update(
                    index_elements=[MentorPreferences.mentor_id],
                    set_={"onboarded_at": now, "updated_at": now},
                    where=MentorPreferences.onboarded_at.is_(None),
                )
                .returning(MentorPreferences.mentor_id)
            )
        ).first() is not None
        if first:
            done = await session.execute(
                update(Mentor)
                .where(Mentor.id == mentor_id)
                .values(paused=False, updated_at=func.now())
                .returning(Mentor.id)
            )
            if done.first() is None:
                raise NotFound("no such mentor")
            await record(session, Actor.mentor(mentor_id), "onboarded", "mentor", mentor_id)
    return first


async def set_notify(session: AsyncSession, mentor_id: UUID, notify: str, now: datetime) -> None:
    """Email per booking (``each``) or one daily digest (``digest``)."""
    if notify not in set(NotifyMode):
        raise ValidationFailed(f"notify must be one of {', '.join(NotifyMode)}")
    # Switching to the digest: every booking so far was mailed one by one, so the next digest
    # starts now (not at the last digest sent before the mentor left the digest).
    starts = now if notify == "digest" else None
    current = MentorPreferences.__table__.c
    async with unit_of_work(session):
        await session.execute(
            pg_insert(MentorPreferences)
            .values(mentor_id=mentor_id, notify=notify, updated_at=now, digest_sent_at=starts)
            .on_conflict_do_update(
                index_elements=[MentorPreferences.mentor_id],
                set_={
                    "notify": notify,
                    "updated_at": now,
                    "digest_sent_at": case(
                        (current.notify == notify, current.digest_sent_at),
                        else_=starts,
                    ),
                },
            )
        )
        await record(
            session, Actor.mentor(mentor_id), "set_notify", "mentor", mentor_id, {"notify": notify}
        )
