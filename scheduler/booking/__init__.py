"""The booking lifecycle: book, cancel, reschedule, no-show, manage tokens, reads, feedback after
the call, the retention purge."""

from scheduler.booking import verification
from scheduler.booking.attestations import (
    Attestation,
    AttestationRow,
    find_attestation,
    issue_attestation,
    mentor_attestations,
)
from scheduler.booking.book import book
from scheduler.booking.changes import (
    cancel_by_mentor,
    cancel_by_staff,
    cancel_by_token,
    mark_no_show,
    reschedule_by_mentor,
    reschedule_by_token,
)
from scheduler.booking.consent import DIGITAL_CONSENT_AGE, consent_basis
from scheduler.booking.feedback import feedback_token, record_feedback
from scheduler.booking.first_free import (
    FiliereCalendar,
    book_first_free,
    candidates,
    filiere_calendar,
)
from scheduler.booking.impact import Impact, mentor_impact
from scheduler.booking.join import JoinState, JoinTarget, resolve_join
from scheduler.booking.models import (
    BookingHold,
    BookingRow,
    EmailBlock,
    Feedback,
    FeedbackTally,
    IdempotencyKey,
    ManageToken,
    RetainedQuestion,
)
from scheduler.booking.reads import (
    get_booking,
    get_booking_by_token,
    list_mentor_bookings,
    load_booking_view,
    set_meeting_details,
)
from scheduler.booking.records import BookingRecord, BookResult
from scheduler.booking.retention import PurgeCounts, erase_bookings, purge_job, purge_personal_data
from scheduler.booking.tokens import TOKEN_GRACE, booking_id_for_token, manage_url
from scheduler.booking.venue import (
    OPENS_BEFORE,
    Party,
    Venue,
    VenueKind,
    choose_venue,
    jitsi_url,
    join_phase,
    join_token,
    join_url,
    read_join_token,
)
from scheduler.booking.views import BookingView
from scheduler.booking.visitors import CheckedVisitor, Visitor, checked
from scheduler.schedules import LIVE_STATUS, BookingStatus

__all__ = [
    "DIGITAL_CONSENT_AGE",
    "LIVE_STATUS",
    "OPENS_BEFORE",
    "TOKEN_GRACE",
    "Attestation",
    "AttestationRow",
    "BookResult",
    "BookingHold",
    "BookingRecord",
    "BookingRow",
    "BookingStatus",
    "BookingView",
    "CheckedVisitor",
    "EmailBlock",
    "Feedback",
    "FeedbackTally",
    "FiliereCalendar",
    "IdempotencyKey",
    "Impact",
    "JoinState",
    "JoinTarget",
    "ManageToken",
    "Party",
    "PurgeCounts",
    "RetainedQuestion",
    "Venue",
    "VenueKind",
    "Visitor",
    "book",
    "book_first_free",
    "booking_id_for_token",
    "cancel_by_mentor",
    "cancel_by_staff",
    "cancel_by_token",
    "candidates",
    "checked",
    "choose_venue",
    "consent_basis",
    "erase_bookings",
    "feedback_token",
    "filiere_calendar",
    "find_attestation",
    "get_booking",
    "get_booking_by_token",
    "issue_attestation",
    "jitsi_url",
    "join_phase",
    "join_token",
    "join_url",
    "list_mentor_bookings",
    "load_booking_view",
    "manage_url",
    "mark_no_show",
    "mentor_attestations",
    "mentor_impact",
    "purge_job",
    "purge_personal_data",
    "read_join_token",
    "record_feedback",
    "reschedule_by_mentor",
    "reschedule_by_token",
    "resolve_join",
    "set_meeting_details",
    "verification",
]
