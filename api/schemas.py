"""Request and response bodies of the JSON API (msgspec Structs; OpenAPI is derived from them)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal
from uuid import UUID

import msgspec

from api.decoding import TIMEZONE_PATTERN, Instant
from scheduler.catalog import SLUG_PATTERN
from scheduler.platform import Language

# The limits of what a visitor types, in one place: the fields below use them, and the widget
# script is served with them spliced in (api/widget/assets.py), so the form and the API agree.
FIELD_LIMITS: dict[str, int] = {"first_name": 60, "email": 254, "question": 1000, "reason": 500}

# "At least one letter" is checked by the service (scheduler.booking): JSON Schema has no
# portable way to say "a Unicode letter", so the schema says it in words.
FirstName = Annotated[
    str,
    msgspec.Meta(
        min_length=1,
        max_length=FIELD_LIMITS["first_name"],
        description="Prénom, avec au moins une lettre / First name, with at least one letter",
    ),
]
Email = Annotated[str, msgspec.Meta(min_length=3, max_length=FIELD_LIMITS["email"])]
Question = Annotated[str, msgspec.Meta(max_length=FIELD_LIMITS["question"])]
Reason = Annotated[str, msgspec.Meta(max_length=FIELD_LIMITS["reason"])]
TimezoneName = Annotated[str, msgspec.Meta(min_length=1, max_length=64, pattern=TIMEZONE_PATTERN)]
WallTime = Annotated[str, msgspec.Meta(pattern=r"^\d{2}:\d{2}$")]
EmailProof = Annotated[
    str, msgspec.Meta(min_length=1, max_length=100, pattern=r"^[0-9]+\.[0-9a-f]+$")
]


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
    # The age question (scheduler.booking.consent): under 15, ``parent_agreed`` must be true.
    age: Literal["15_or_older", "under_15"] | None = None
    parent_agreed: bool = False
    timezone: TimezoneName = "Europe/Paris"
    language: Language = "fr"
    # The field-of-study page the visitor booked from (for Thotis's statistics).
    filiere: Annotated[str, msgspec.Meta(max_length=60, pattern=SLUG_PATTERN)] | None = None
    # The proof a verified address carries for 30 days (BookingCreated.email_proof), so that a
    # returning visitor is not mailed a new code (booker email verification).
    email_proof: EmailProof | None = None


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
    # Set when the booking was confirmed with a mailed code: send it back as
    # BookingRequest.email_proof for 30 days to book with the same address without a new code.
    email_proof: str | None = None


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


class FiliereSlots(msgspec.Struct):
    """Every time at which at least one mentor of the filière is free ("Le premier étudiant
    disponible"), by the visitor's local date."""

    filiere: Filiere
    timezone: str
    days: list[SlotDay]


class FirstAvailableRequest(msgspec.Struct, forbid_unknown_fields=True):
    """A booking with whichever mentor of ``filiere`` is free at ``start``."""

    filiere: Annotated[str, msgspec.Meta(max_length=60, pattern=SLUG_PATTERN)]
    start: Instant
    first_name: FirstName
    email: Email
    consent: bool
    question: Question | None = None
    age: Literal["15_or_older", "under_15"] | None = None
    parent_agreed: bool = False
    timezone: TimezoneName = "Europe/Paris"
    language: Language = "fr"
    email_proof: EmailProof | None = None


class VerificationRequest(msgspec.Struct, forbid_unknown_fields=True):
    """A booking request whose address is to be confirmed by a mailed code: with a mentor, or
    with only a filière ("Le premier étudiant disponible": the slot of the first free mentor,
    chosen as the first-available booking chooses, is held)."""

    start: Instant
    first_name: FirstName
    email: Email
    consent: bool
    mentor_id: UUID | None = None
    question: Question | None = None
    age: Literal["15_or_older", "under_15"] | None = None
    parent_agreed: bool = False
    timezone: TimezoneName = "Europe/Paris"
    language: Language = "fr"
    filiere: Annotated[str, msgspec.Meta(max_length=60, pattern=SLUG_PATTERN)] | None = None


class VerificationStarted(msgspec.Struct):
    """The slot is held and a code is on its way to the visitor's address."""

    verification_id: UUID
    # The hold and the code end together.
    expires_at: datetime
    code_length: int
    max_attempts: int


class VerificationCode(msgspec.Struct, forbid_unknown_fields=True):
    code: Annotated[str, msgspec.Meta(pattern=r"^[0-9]{6}$", description="The 6-digit code")]


class FrequentQuestion(msgspec.Struct):
    """A theme the Thotis team approved: what lycéens often ask about this filière."""

    label: str
    question: str
    count: int
