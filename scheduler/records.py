"""Plain values the services return (never ORM objects: no session, no lazy loading)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal
from uuid import UUID

ActorKind = Literal["visitor", "mentor", "staff", "system"]


@dataclass(frozen=True, slots=True)
class Actor:
    """Who makes a change, for the audit trail."""

    kind: ActorKind
    id: str | None = None

    @classmethod
    def system(cls) -> Actor:
        return cls("system")

    @classmethod
    def staff(cls, who: str | None = None) -> Actor:
        return cls("staff", who)

    @classmethod
    def mentor(cls, mentor_id: UUID) -> Actor:
        return cls("mentor", str(mentor_id))


@dataclass(frozen=True, slots=True)
class FiliereRecord:
    id: UUID
    slug: str
    name_fr: str
    name_en: str


@dataclass(frozen=True, slots=True)
class MentorRecord:
    id: UUID
    display_name: str
    email: str
    photo_url: str | None
    university: str
    year_of_study: int
    bio: str
    languages: tuple[str, ...]
    timezone: str
    active: bool
    paused: bool
    allow_reply_to: bool
    filieres: tuple[str, ...]  # slugs


@dataclass(frozen=True, slots=True)
class BookingRecord:
    id: UUID
    series_id: UUID
    sequence: int
    mentor_id: UUID
    filiere_id: UUID | None
    start: datetime
    end: datetime
    buffer_before_minutes: int
    buffer_after_minutes: int
    status: str
    visitor_first_name: str | None
    visitor_email: str | None
    visitor_question: str | None
    visitor_timezone: str
    language: str
    consent_at: datetime
    cancel_reason: str | None
    cancelled_by: str | None
    cancelled_at: datetime | None
    rescheduled_to: UUID | None
    meet_url: str | None
    created_at: datetime


@dataclass(frozen=True, slots=True)
class BookResult:
    """A booking just made (or found again through its idempotency key).

    ``manage_token`` is the raw secret of the visitor's manage link: it exists only here (the
    database keeps its SHA-256), so show or send it now.
    """

    booking: BookingRecord
    manage_token: str
    replayed: bool = False
