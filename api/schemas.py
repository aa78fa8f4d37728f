"""Request and response bodies of the JSON API (msgspec Structs; OpenAPI is derived from them)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated
from uuid import UUID

import msgspec

from api.decoding import TIMEZONE_PATTERN, Instant
from scheduler.catalog import SLUG_PATTERN
from scheduler.platform import Language

# "At least one letter" is checked by the service (scheduler.booking): JSON Schema has no
# portable way to say "a Unicode letter", so the schema says it in words.
FirstName = Annotated[
    str,
    msgspec.Meta(
        min_length=1,
        max_length=60,
        description="Prénom, avec au moins une lettre / First name, with at least one letter",
    ),
]
Email = Annotated[str, msgspec.Meta(min_length=3, max_length=254)]
Question = Annotated[str, msgspec.Meta(max_length=1000)]
Reason = Annotated[str, msgspec.Meta(max_length=500)]
TimezoneName = Annotated[str, msgspec.Meta(min_length=1, max_length=64, pattern=TIMEZONE_PATTERN)]
WallTime = Annotated[str, msgspec.Meta(pattern=r"^\d{2}:\d{2}$")]


class Filiere(msgspec.Struct):
    slug: str
    name_fr: str
    name_en: str


class MentorProfile(msgspec.Struct):
    id: UUID
    display_name: str
    photo_url: str | None
    university: str
    year_of_study: int
    languages: list[str]
    bio: str
    timezone: str
    filieres: list[Filiere]


class MentorCard(msgspec.Struct):
    id: UUID
    display_name: str
    photo_url: str | None
    university: str
    year_of_study: int
    languages: list[str]
    bio: str
    timezone: str
    next_free_slot: datetime | None


class FiliereMentors(msgspec.Struct):
    filiere: Filiere
    mentors: list[MentorCard]


class Slot(msgspec.Struct):
    start: datetime
    local_start: datetime
    label: str


class SlotDay(msgspec.Struct):
    date: date
    slots: list[Slot]


class MentorSlots(msgspec.Struct):
    mentor_id: UUID
    timezone: str
    days: list[SlotDay]


class BookingRequest(msgspec.Struct, forbid_unknown_fields=True):
    mentor_id: UUID
    start: Instant
    first_name: FirstName
    email: Email
    consent: bool
    question: Question | None = None
    timezone: TimezoneName = "Europe/Paris"
    language: Language = "fr"
    # The field-of-study page the visitor booked from (for Thotis's statistics).
    filiere: Annotated[str, msgspec.Meta(max_length=60, pattern=SLUG_PATTERN)] | None = None


class Booking(msgspec.Struct):
    id: UUID
    mentor_id: UUID
    mentor_name: str
    start: datetime
    end: datetime
    status: str
    timezone: str
    language: str


class BookingCreated(msgspec.Struct):
    booking: Booking
    manage_url: str
    manage_token: str
    ics_url: str
    # The visitor's one link to the call ({PUBLIC_URL}/join/{token}): a waiting page until 15
    # minutes before the start, then the video call itself.
    join_url: str


class ManagedBooking(msgspec.Struct):
    booking: Booking
    mentor: MentorProfile
    first_name: str
    question: str | None
    can_cancel: bool
    can_reschedule: bool
    # The visitor's link to the call, the same for the whole series (reschedules included).
    join_url: str


class CancelRequest(msgspec.Struct, forbid_unknown_fields=True):
    reason: Reason | None = None


class RescheduleRequest(msgspec.Struct, forbid_unknown_fields=True):
    start: Instant


class Health(msgspec.Struct):
    status: str


class FrequentQuestion(msgspec.Struct):
    """A theme the Thotis team approved: what lycéens often ask about this filière."""

    label: str
    question: str
    count: int
