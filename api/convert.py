"""From the services' records to the API's response bodies: one mapping, ``response``."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any, TypeVar
from uuid import UUID

import msgspec
from sqlalchemy.ext.asyncio import AsyncSession

from api import schemas
from availability import group_by_local_date, zone
from scheduler import catalog
from scheduler.booking import BookingRecord
from scheduler.catalog import FiliereRecord, MentorRecord
from scheduler.platform import NotFound

Body = TypeVar("Body", bound=msgspec.Struct)


def response(body: type[Body], record: object, **given: Any) -> Body:
    """The response ``body`` of a service record: every field the two share by name is read
    from the record, ``given`` supplies the others (derived, renamed, or not in the record).
    msgspec checks each value against the body's type (a status outside its Literal is a bug
    caught here, not a malformed answer)."""
    values = {
        name: getattr(record, name)
        for name in body.__struct_fields__
        if name not in given and hasattr(record, name)
    }
    return msgspec.convert(values | given, body)


def filiere_out(record: FiliereRecord) -> schemas.Filiere:
    return response(schemas.Filiere, record)


async def mentor_profile(session: AsyncSession, mentor: MentorRecord) -> schemas.MentorProfile:
    by_slug = {f.slug: f for f in await catalog.list_filieres(session)}
    return response(
        schemas.MentorProfile,
        mentor,
        filieres=[filiere_out(by_slug[s]) for s in mentor.filieres if s in by_slug],
    )


async def public_mentor(session: AsyncSession, mentor_id: UUID) -> MentorRecord:
    """A mentor the public may see: a deactivated one is as good as unknown."""
    mentor = await catalog.get_mentor(session, mentor_id)
    if not mentor.active:
        raise NotFound("no such mentor")
    return mentor


def booking_out(record: BookingRecord, mentor_name: str) -> schemas.Booking:
    return response(
        schemas.Booking, record, mentor_name=mentor_name, timezone=record.visitor_timezone
    )


def slot_days(slots: Iterable[datetime], tz: str) -> list[schemas.SlotDay]:
    """Slots (aware UTC starts) grouped by the local date of ``tz``, labelled in it."""
    visitor_zone = zone(tz)
    return [
        schemas.SlotDay(
            date=day,
            slots=[
                schemas.Slot(
                    start=slot.astimezone(UTC),
                    local_start=slot.astimezone(visitor_zone),
                    label=slot.astimezone(visitor_zone).strftime("%H:%M"),
                )
                for slot in found
            ],
        )
        for day, found in group_by_local_date(slots, tz).items()
    ]
