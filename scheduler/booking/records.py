"""The booking's values returned by its services (never ORM objects)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID


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
    consent_basis: str | None = None


@dataclass(frozen=True, slots=True)
class BookResult:
    """A booking just made (or found again through its idempotency key).

    ``manage_token`` is the raw secret of the visitor's manage link: it exists only here (the
    database keeps its SHA-256), so show or send it now. ``mentor_name``: the mentor's display
    name when the service read it on its way (``book`` does, so that its route reads nothing
    more), else empty.
    """

    booking: BookingRecord
    manage_token: str
    replayed: bool = False
    mentor_name: str = ""
