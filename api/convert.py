"""From the services' records to the API's response bodies."""

from __future__ import annotations

from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession

from api import schemas
from scheduler import catalog
from scheduler.booking import BookingRecord
from scheduler.catalog import FiliereRecord, MentorRecord
from scheduler.platform import NotFound


def filiere_out(record: FiliereRecord) -> schemas.Filiere:
    return schemas.Filiere(slug=record.slug, name_fr=record.name_fr, name_en=record.name_en)


async def mentor_profile(session: AsyncSession, mentor: MentorRecord) -> schemas.MentorProfile:
    by_slug = {f.slug: f for f in await catalog.list_filieres(session)}
    return schemas.MentorProfile(
        id=mentor.id,
        display_name=mentor.display_name,
        photo_url=mentor.photo_url,
        university=mentor.university,
        year_of_study=mentor.year_of_study,
        languages=list(mentor.languages),
        bio=mentor.bio,
        timezone=mentor.timezone,
        filieres=[filiere_out(by_slug[s]) for s in mentor.filieres if s in by_slug],
    )


async def public_mentor(session: AsyncSession, mentor_id: UUID) -> MentorRecord:
    """A mentor the public may see: a deactivated one is as good as unknown."""
    mentor = await catalog.get_mentor(session, mentor_id)
    if not mentor.active:
        raise NotFound("no such mentor")
    return mentor


def booking_out(record: BookingRecord, mentor_name: str) -> schemas.Booking:
    return schemas.Booking(
        id=record.id,
        mentor_id=record.mentor_id,
        mentor_name=mentor_name,
        start=record.start,
        end=record.end,
        status=record.status,
        timezone=record.visitor_timezone,
        language=record.language,
    )
