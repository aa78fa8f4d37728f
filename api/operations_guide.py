"""What the API reference says of each operation: what it does, who may call it, what it changes,
and the problem ``code``s it can really answer, in one table (``OPERATIONS``) that
``api.openapi.document_problems`` applies to the generated document. The examples shown beside
them are built in ``api.operation_examples``.
"""

from __future__ import annotations

from typing import NamedTuple

from api.error_guide import ADVICE


class Operation(NamedTuple):
    description: str
    codes: tuple[str, ...] = ()


# Every operation can get these from the HTTP layer, whatever its service does.
HTTP_CODES: tuple[str, ...] = (
    "http_error",
    "json_too_deep",
    "origin_not_allowed",
    "method_not_allowed",
    "body_too_large",
    "validation_failed",
    "rate_limited",
    "database_unavailable",
    "service_unavailable",
    "internal_error",
)
# The probes take no input and no credential: only what their own code answers.
PROBE_CODES: dict[str, tuple[str, ...]] = {
    "/healthz": ("method_not_allowed",),
    "/readyz": ("method_not_allowed", "service_unavailable", "database_unavailable"),
}

_BOOK = (
    "not_found",
    "slot_taken",
    "outside_availability",
    "mentor_unavailable",
    "idempotency_conflict",
    "booking_gone",
    "email_blocked",
    "email_verification_required",
    "too_many_live_bookings",
    "naive_datetime",
    "invalid_timezone",
    "google_unavailable",
)
_MANAGE = ("invalid_token", "token_expired", "booking_gone", "not_found")
_SLOTS = ("not_found", "invalid_timezone", "invalid_query_range", "naive_datetime")
_RANGES = (
    "invalid_range",
    "range_not_on_5_minutes",
    "range_out_of_order",
    "invalid_weekday",
    "invalid_timezone",
)
_GOOGLE = ("google_unavailable", "google_not_configured", "reconnect_required")

OPERATIONS: dict[tuple[str, str], Operation] = {
    ("get", "/healthz"): Operation(
        "Liveness probe: answers 200 as long as the process runs; it touches nothing."
    ),
    ("get", "/readyz"): Operation(
        "Readiness probe: answers 200 when the database answers, 503 otherwise; read-only."
    ),
    ("get", "/v1/filieres"): Operation(
        "The fields of study (filières) that have at least one active mentor, with their"
        " French and English names. Public and read-only; cached for a short while."
    ),
    ("get", "/v1/filieres/{slug}/mentors"): Operation(
        "The active mentors of one filière with their public profile and their next free slot."
        " Public and read-only.",
        ("not_found", "invalid_timezone"),
    ),
    ("get", "/v1/filieres/{slug}/slots"): Operation(
        "Every time at which at least one mentor of the filière is free, grouped by the"
        " visitor's local date. Public and read-only.",
        _SLOTS,
    ),
    ("get", "/v1/filieres/{slug}/frequent-questions"): Operation(
        "The themes of the questions lycéens often ask about a filière, as approved by the"
        " Thotis team (never a visitor's own words). Public and read-only.",
        ("not_found",),
    ),
    ("get", "/v1/mentors/{mentor_id}"): Operation(
        "One active mentor's public profile (no email, no calendar). Public and read-only.",
        ("not_found",),
    ),
    ("get", "/v1/mentors/{mentor_id}/slots"): Operation(
        "A mentor's free 15-minute slots over a period, grouped by the visitor's local date,"
        " after their weekly rules, overrides, policy and Google busy times. Public, read-only.",
        (*_SLOTS, "mentor_unavailable"),
    ),
    ("post", "/v1/bookings"): Operation(
        "Book a slot with a mentor for a visitor. Public (the widget calls it). Creates the"
        " booking, mails the visitor and the mentor, adds the event to the mentor's Google"
        " Calendar through the outbox and sends the `booking.created` webhook. Send an"
        " `Idempotency-Key` header to retry safely.",
        _BOOK,
    ),
    ("post", "/v1/bookings/first-available"): Operation(
        "Book a time with whichever mentor of the filière is free then (the least booked one)."
        " Public. Same side effects as booking a named mentor.",
        _BOOK,
    ),
    ("post", "/v1/bookings/verifications"): Operation(
        "When booker email verification is on: hold a slot for a few minutes and mail the"
        " visitor a code. Public. Nothing is booked until the code is confirmed. Limited per"
        " client address and hour, and in live holds per mentor (429).",
        (*_BOOK, "too_many_verifications", "too_many_holds"),
    ),
    ("post", "/v1/bookings/verifications/{verification_id}"): Operation(
        "Confirm the visitor's address with the mailed code: the held slot becomes a booking"
        " (same side effects as `POST /v1/bookings`). Public, the verification id is the key.",
        (*_BOOK, "verification_code_wrong", "verification_expired"),
    ),
    ("get", "/v1/bookings/manage/{token}"): Operation(
        "A booking as its visitor sees it through the manage link. The manage token in the"
        " path is the only credential. Read-only.",
        _MANAGE,
    ),
    ("get", "/v1/bookings/manage/{token}/invite.ics"): Operation(
        "The booking as an iCalendar file for the visitor's own calendar. Manage token in the"
        " path. Read-only.",
        _MANAGE,
    ),
    ("post", "/v1/bookings/manage/{token}/cancel"): Operation(
        "The visitor cancels their booking through the manage link (manage token in the path)."
        " Frees the slot, mails the mentor, removes the Google event and sends"
        " `booking.cancelled`.",
        (*_MANAGE, "booking_not_live"),
    ),
    ("post", "/v1/bookings/manage/{token}/reschedule"): Operation(
        "The visitor moves their booking to another free slot of the same mentor (manage token"
        " in the path). Mails both sides, moves the Google event and sends"
        " `booking.rescheduled`.",
        (
            *_MANAGE,
            "booking_not_live",
            "slot_taken",
            "outside_availability",
            "mentor_unavailable",
            "naive_datetime",
        ),
    ),
    ("get", "/v1/feedback/{booking_id}"): Operation(
        "Records the visitor's answer to the follow-up email (the signed link in that email is"
        " the credential) and sends `feedback.received`.",
        ("invalid_token", "token_expired", "booking_gone", "not_found"),
    ),
    ("get", "/v1/me"): Operation(
        "The signed-in mentor's own account. Mentor bearer token. Read-only.", ("unauthorized",)
    ),
    ("get", "/v1/me/bookings"): Operation(
        "The mentor's upcoming or past bookings with the visitor's first name and question"
        " (never their email). Mentor bearer token. Read-only.",
        ("unauthorized", "naive_datetime"),
    ),
    ("post", "/v1/me/bookings/{booking_id}/cancel"): Operation(
        "The mentor cancels one of their bookings with a reason the visitor reads. Mentor"
        " bearer token. Mails the visitor, removes the Google event, sends `booking.cancelled`.",
        ("unauthorized", "not_found", "booking_not_live"),
    ),
    ("post", "/v1/me/bookings/{booking_id}/no-show"): Operation(
        "The mentor records that the visitor did not come, once the meeting has started."
        " Mentor bearer token. Sends `booking.no_show`.",
        ("unauthorized", "not_found", "booking_not_live"),
    ),
    ("get", "/v1/me/rules"): Operation(
        "The mentor's weekly availability rules. Mentor bearer token. Read-only.",
        ("unauthorized",),
    ),
    ("put", "/v1/me/rules"): Operation(
        "Replace the mentor's weekly rules (ranges on 5-minute boundaries, in their timezone)."
        " Mentor bearer token. Existing bookings stay.",
        ("unauthorized", *_RANGES),
    ),
    ("get", "/v1/me/overrides"): Operation(
        "The mentor's date overrides (days off or other hours). Mentor bearer token. Read-only.",
        ("unauthorized",),
    ),
    ("put", "/v1/me/overrides/{day}"): Operation(
        "Set the ranges of one date, or an empty list for a day off. Mentor bearer token."
        " Existing bookings stay.",
        ("unauthorized", *_RANGES),
    ),
    ("delete", "/v1/me/overrides/{day}"): Operation(
        "Remove the override of one date so the weekly rules apply again. Mentor bearer token.",
        ("unauthorized", "not_found"),
    ),
    ("get", "/v1/me/policy"): Operation(
        "The mentor's booking policy (notice, horizon, buffers, caps). Mentor bearer token.",
        ("unauthorized",),
    ),
    ("put", "/v1/me/policy"): Operation(
        "Replace the mentor's booking policy. Mentor bearer token. Applies to future bookings.",
        ("unauthorized", "invalid_policy"),
    ),
    ("get", "/v1/me/slots/preview"): Operation(
        "The mentor's free slots over the next 7 days, exactly as visitors see them. Mentor"
        " bearer token. Read-only.",
        ("unauthorized", "invalid_timezone", *_GOOGLE),
    ),
    ("put", "/v1/me/meeting-link"): Operation(
        "Set or remove the mentor's own video call link, given to visitors in their booking"
        " mail. Mentor bearer token.",
        ("unauthorized",),
    ),
    ("get", "/v1/me/google/status"): Operation(
        "Whether the mentor's Google Calendar is connected, and its open warnings. Mentor"
        " bearer token. Read-only.",
        ("unauthorized",),
    ),
    ("get", "/v1/me/google/connect"): Operation(
        "Start connecting the mentor's Google Calendar: answers the Google consent address to"
        " open. Mentor bearer token.",
        ("unauthorized", *_GOOGLE),
    ),
    ("get", "/v1/me/google/calendars"): Operation(
        "The mentor's Google calendars and which ones are read as busy or receive bookings."
        " Mentor bearer token. Read-only.",
        ("unauthorized", "not_found", *_GOOGLE),
    ),
    ("put", "/v1/me/google/calendars"): Operation(
        "Choose the calendars read as busy and the one that receives bookings. Mentor bearer"
        " token.",
        ("unauthorized", "not_found", *_GOOGLE),
    ),
    ("delete", "/v1/me/google"): Operation(
        "Disconnect Google Calendar: the access is revoked at Google and the stored tokens"
        " erased. Mentor bearer token.",
        ("unauthorized", "not_found", "google_unavailable"),
    ),
    ("post", "/v1/me/google/warnings/{warning_id}/resolve"): Operation(
        "Dismiss one calendar warning. Mentor bearer token.", ("unauthorized", "not_found")
    ),
    ("get", "/v1/staff/mentors"): Operation(
        "Every mentor, deactivated ones included. Staff API key. Read-only.", ("unauthorized",)
    ),
    ("post", "/v1/staff/mentors"): Operation(
        "Create a mentor (they can then be invited to sign in). Staff API key. Audited.",
        ("unauthorized", "not_found", "invalid_timezone"),
    ),
    ("get", "/v1/staff/mentors/{mentor_id}"): Operation(
        "One mentor, as the team sees them. Staff API key. Read-only.",
        ("unauthorized", "not_found"),
    ),
    ("patch", "/v1/staff/mentors/{mentor_id}"): Operation(
        "Change some fields of a mentor's profile. Staff API key. Audited.",
        ("unauthorized", "not_found", "invalid_timezone"),
    ),
    ("post", "/v1/staff/mentors/{mentor_id}/activate"): Operation(
        "Offer a deactivated mentor to visitors again. Staff API key. Audited.",
        ("unauthorized", "not_found"),
    ),
    ("post", "/v1/staff/mentors/{mentor_id}/deactivate"): Operation(
        "Stop offering a mentor anywhere; their existing bookings stay. Staff API key. Audited.",
        ("unauthorized", "not_found"),
    ),
    ("post", "/v1/staff/mentors/{mentor_id}/tokens"): Operation(
        "Issue a bearer token for the mentor's own API (`/v1/me`); it is shown only in this"
        " answer. Staff API key. Audited.",
        ("unauthorized", "not_found", "mentor_unavailable"),
    ),
    ("post", "/v1/staff/filieres"): Operation(
        "Create a filière. Staff API key. Audited.", ("unauthorized",)
    ),
    ("patch", "/v1/staff/filieres/{slug}"): Operation(
        "Rename a filière (its slug stays). Staff API key. Audited.",
        ("unauthorized", "not_found"),
    ),
    ("get", "/v1/staff/bookings"): Operation(
        "The booking ledger by start time, filtered by period, mentor, filière or status."
        " Staff API key. Read-only.",
        ("unauthorized", "not_found", "naive_datetime", "invalid_query_range"),
    ),
    ("get", "/v1/staff/bookings.csv"): Operation(
        "The same ledger as a CSV file (UTF-8 with BOM, for spreadsheets). Staff API key.",
        ("unauthorized", "not_found", "naive_datetime", "invalid_query_range"),
    ),
    ("post", "/v1/staff/bookings/{booking_id}/cancel"): Operation(
        "Cancel a booking on behalf of Thotis, with a reason both sides read. Staff API key."
        " Mails both sides, removes the Google event, sends `booking.cancelled`. Audited.",
        ("unauthorized", "not_found", "booking_not_live", "booking_gone"),
    ),
    ("get", "/v1/staff/questions"): Operation(
        "The visitors' questions, newest first, searchable. Staff API key. Read-only.",
        ("unauthorized",),
    ),
    ("get", "/v1/staff/questions/dataset.jsonl"): Operation(
        "The anonymised questions as JSON lines (filière, month, scrubbed question, theme)."
        " Staff API key. Read-only.",
        ("unauthorized",),
    ),
    ("get", "/v1/staff/stats"): Operation(
        "Bookings per filière and per mentor with cancellation and no-show rates over a period."
        " Staff API key. Read-only.",
        ("unauthorized", "not_found", "naive_datetime", "invalid_query_range"),
    ),
    ("get", "/v1/staff/question-themes"): Operation(
        "Themes of the visitors' questions per filière and month. Staff API key. Read-only.",
        ("unauthorized", "not_found"),
    ),
    ("get", "/v1/staff/question-themes/{theme_id}"): Operation(
        "One theme with all its scrubbed questions. Staff API key. Read-only.",
        ("unauthorized", "not_found"),
    ),
    ("post", "/v1/staff/question-themes/{theme_id}/approval"): Operation(
        "Show a theme to visitors on its filière page, or stop showing it. Staff API key. Audited.",
        ("unauthorized", "not_found"),
    ),
    ("get", "/v1/staff/webhooks"): Operation(
        "The webhook endpoints of the Thotis site (secrets are never shown again). Staff API"
        " key. Read-only.",
        ("unauthorized",),
    ),
    ("post", "/v1/staff/webhooks"): Operation(
        "Register a webhook endpoint; its signing secret is made here and shown only in this"
        " answer. Staff API key. Audited.",
        ("unauthorized",),
    ),
    ("get", "/v1/staff/webhooks/{endpoint_id}"): Operation(
        "One webhook endpoint. Staff API key. Read-only.", ("unauthorized", "not_found")
    ),
    ("patch", "/v1/staff/webhooks/{endpoint_id}"): Operation(
        "Change an endpoint (URL, events, on or off). Staff API key. Audited.",
        ("unauthorized", "not_found"),
    ),
    ("delete", "/v1/staff/webhooks/{endpoint_id}"): Operation(
        "Delete an endpoint and its delivery log; nothing more is sent to it. Staff API key.",
        ("unauthorized", "not_found"),
    ),
    ("get", "/v1/staff/webhooks/{endpoint_id}/deliveries"): Operation(
        "The endpoint's delivery log, newest first. Staff API key. Read-only.",
        ("unauthorized", "not_found"),
    ),
    ("post", "/v1/staff/webhooks/{endpoint_id}/rotate-secret"): Operation(
        "Replace the signing secret (the old one stops at once); the new one is shown only in"
        " this answer. Staff API key. Audited.",
        ("unauthorized", "not_found"),
    ),
    ("post", "/v1/staff/webhooks/{endpoint_id}/test"): Operation(
        "Queue a signed `webhook.test` message to the endpoint through the outbox. Staff API key.",
        ("unauthorized", "not_found"),
    ),
}


def codes_of(method: str, path: str) -> tuple[str, ...]:
    """The problem codes one operation can answer: its own, then the HTTP layer's."""
    if path in PROBE_CODES:
        return PROBE_CODES[path]
    own = OPERATIONS[(method, path)].codes if (method, path) in OPERATIONS else ()
    # A path parameter that does not parse (a bad UUID, date) is a route not found.
    found = ("not_found",) if "{" in path else ()
    return tuple(dict.fromkeys((*own, *found, *HTTP_CODES)))


def status_of(code: str) -> str:
    """The status a code answers with, as the document keys responses ("4xx" reads as 400)."""
    status = ADVICE[code].status
    return "400" if status == "4xx" else status
