"""The scheduling error tree. Each error has a stable ``code`` and the HTTP status it maps to;
the API has a single mapper from these (and ``availability.AvailabilityError``, 422) to RFC 9457
problem JSON::

    SchedulingError
    ├── NotFound                 404 not_found
    ├── Unauthorized             401 unauthorized
    ├── Forbidden                403 forbidden
    ├── ValidationFailed         422 validation_failed
    ├── SlotTaken                409 slot_taken
    ├── OutsideAvailability      409 outside_availability
    ├── BookingNotLive           409 booking_not_live      (already cancelled, past, ...)
    ├── IdempotencyConflict      409 idempotency_conflict  (same key, different body)
    ├── MentorUnavailable        409 mentor_unavailable    (inactive or paused mentor)
    ├── InvalidToken             403 invalid_token         (unknown, wrong purpose, other booking)
    ├── TokenExpired             410 token_expired
    ├── BookingGone              410 booking_gone          (its personal data was erased)
    ├── EmailBlocked             403 email_blocked
    ├── EmailVerificationRequired 403 email_verification_required  (no proof of the address)
    ├── VerificationCodeWrong    422 verification_code_wrong  (attempts left in the detail)
    ├── VerificationExpired      410 verification_expired  (unknown, expired or attempts spent)
    ├── TooManyLiveBookings      409 too_many_live_bookings  (BOOKING_LIVE_PER_EMAIL reached)
    ├── TooManyVerifications     429 too_many_verifications  (VERIFICATION_LIMIT_PER_ADDRESS)
    ├── TooManyHolds             429 too_many_holds  (VERIFICATION_HOLDS_PER_MENTOR reached)
    ├── DatabaseUnavailable      503 database_unavailable  (see ``scheduler.platform.outage``)
    │   defined by the catalog (scheduler.catalog.photos), for uploaded profile photos:
    ├── PhotoTooLarge            413 photo_too_large
    ├── PhotoUnreadable          422 photo_unreadable
    │   defined by the HTTP shell (api.google), for the Google Calendar routes:
    ├── GoogleNotConfigured      503 google_not_configured
    ├── GoogleUnavailable        503 google_unavailable
    └── GoogleReconnectRequired  409 reconnect_required
"""

from __future__ import annotations


class SchedulingError(Exception):
    code = "scheduling_error"
    status = 400

    def __init__(self, detail: str = "") -> None:
        super().__init__(detail or self.code)
        self.detail = detail


class NotFound(SchedulingError):
    code, status = "not_found", 404


class Unauthorized(SchedulingError):
    code, status = "unauthorized", 401


class Forbidden(SchedulingError):
    code, status = "forbidden", 403


class ValidationFailed(SchedulingError):
    code, status = "validation_failed", 422


class SlotTaken(SchedulingError):
    code, status = "slot_taken", 409


class OutsideAvailability(SchedulingError):
    code, status = "outside_availability", 409


class BookingNotLive(SchedulingError):
    code, status = "booking_not_live", 409


class IdempotencyConflict(SchedulingError):
    code, status = "idempotency_conflict", 409


class MentorUnavailable(SchedulingError):
    code, status = "mentor_unavailable", 409


class InvalidToken(SchedulingError):
    code, status = "invalid_token", 403


class TokenExpired(SchedulingError):
    code, status = "token_expired", 410


class BookingGone(SchedulingError):
    """The booking's personal data was erased (retention or a privacy request): its links and
    idempotency keys lead nowhere, and nothing is issued again for it."""

    code, status = "booking_gone", 410


class EmailBlocked(SchedulingError):
    code, status = "email_blocked", 403


class DatabaseUnavailable(SchedulingError):
    """PostgreSQL does not answer (restarting, unreachable, out of connections): nothing was
    stored, and the same request may simply be sent again."""

    code, status = "database_unavailable", 503
    retry_after_seconds = 5


class EmailVerificationRequired(SchedulingError):
    """Booking asks for a proof that the visitor reads this address (a code they were mailed);
    start one with ``POST /v1/bookings/verifications``."""

    code, status = "email_verification_required", 403


class VerificationCodeWrong(SchedulingError):
    code, status = "verification_code_wrong", 422


class VerificationExpired(SchedulingError):
    code, status = "verification_expired", 410


class TooManyLiveBookings(SchedulingError):
    code, status = "too_many_live_bookings", 409


class TooManyVerifications(SchedulingError):
    """One client address started more verifications this hour than it may: each one holds a
    slot and mails a code, so made-up addresses must not be able to hold a mentor's week."""

    code, status = "too_many_verifications", 429

    def __init__(self, detail: str = "", *, retry_after_seconds: int = 3600) -> None:
        super().__init__(detail)
        self.retry_after_seconds = max(1, retry_after_seconds)


class TooManyHolds(SchedulingError):
    """The mentor already has as many slots held for unconfirmed codes as they may: one of them
    must be confirmed or end first (``Retry-After``: when the first one ends)."""

    code, status = "too_many_holds", 429

    def __init__(self, detail: str = "", *, retry_after_seconds: int = 600) -> None:
        super().__init__(detail)
        self.retry_after_seconds = max(1, retry_after_seconds)
