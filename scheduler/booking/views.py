"""What the outside world (emails, invites, calendar events) needs to know of a booking.

Built by the outbox handlers from the database; consumed by ``integrations/`` through the
Protocols in ``scheduler/ports.py``. A plain value: no session, no lazy loading.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal
from uuid import UUID

from scheduler.platform import Language

BookingStatus = Literal["confirmed", "cancelled", "rescheduled", "no_show"]


@dataclass(frozen=True, slots=True)
class BookingView:
    booking_id: UUID
    # The first booking of a reschedule chain: the ICS UID and the Google event id derive from
    # it, so a rescheduled meeting stays one meeting in people's calendars.
    series_id: UUID
    # Bumped on every change the attendees must see (ICS SEQUENCE).
    sequence: int
    status: BookingStatus
    start: datetime  # aware UTC
    end: datetime  # aware UTC
    mentor_id: UUID
    mentor_name: str
    mentor_email: str
    mentor_timezone: str
    mentor_allows_reply_to: bool
    filiere_name_fr: str
    filiere_name_en: str
    visitor_first_name: str
    visitor_email: str
    visitor_question: str | None
    visitor_timezone: str
    language: Language
    manage_url: str
    meet_url: str | None = None
    # Each party's stable join link ({PUBLIC_URL}/join/{token}, scheduler/booking/venue.py):
    # what mails, invites and calendar events show instead of a video link that may change.
    visitor_join_url: str | None = None
    mentor_join_url: str | None = None
    cancel_reason: str | None = None
    cancelled_by: Literal["visitor", "mentor", "staff"] | None = None
    # For a reschedule: the booking this one replaces (its UID continues in the invite).
    previous_start: datetime | None = None
    # The filière the booking is kept in (its page lists the other mentors to book again).
    filiere_slug: str | None = None
