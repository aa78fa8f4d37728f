"""The booking's one write: the booking, its manage token, its outbox rows, its audit entry and
its idempotency key, in one statement on the session's psycopg connection (one round trip on
the hottest path; the token's hash, the outbox rows and the audit values come from their own
modules, only the INSERTs are written here)."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any
from uuid import UUID

from psycopg import AsyncConnection

from scheduler.booking.records import BookingRecord, BookResult
from scheduler.booking.tokens import TOKEN_GRACE
from scheduler.booking.visitors import Visitor
from scheduler.platform import Actor, digest, new_secret, outbox, sql_literal
from scheduler.schedules import LIVE_STATUS, MentorState

_INSERT_BOOKING = f"""
    WITH b AS (
      INSERT INTO bookings (id, series_id, sequence, mentor_id, filiere_id, start_at, end_at,
                            buffer_before_minutes, buffer_after_minutes, status,
                            visitor_first_name, visitor_email, visitor_question,
                            visitor_timezone, language, consent_at, created_at, consent_basis)
      VALUES (%(id)s, %(series_id)s, %(sequence)s, %(mentor_id)s, %(filiere_id)s::uuid,
              %(start_at)s, %(end_at)s, %(buffer_before)s, %(buffer_after)s, {sql_literal(LIVE_STATUS)},
              %(first_name)s, %(email)s, %(question)s::text, %(timezone)s, %(language)s,
              %(consent_at)s, %(now)s, %(consent_basis)s::text)
      RETURNING id
    ), token AS (
      INSERT INTO manage_tokens (token_hash, booking_id, purpose, expires_at)
      SELECT %(token_hash)s, b.id, 'manage', %(token_expires)s FROM b
    ), messages AS (
      INSERT INTO outbox (kind, payload, available_at)
      SELECT m.kind, m.payload, m.available_at
        FROM b, jsonb_to_recordset(%(outbox)s::jsonb)
                AS m(kind text, payload jsonb, available_at timestamptz)
    ), audit AS (
      INSERT INTO audit_log (actor_kind, actor_id, action, entity, entity_id, details)
      SELECT %(actor_kind)s, %(actor_id)s::text, %(action)s, 'booking', b.id::text,
             %(details)s::jsonb
        FROM b
    )
    INSERT INTO idempotency_keys (key, request_hash, booking_id)
    SELECT %(idempotency_key)s::text, %(request_hash)s::text, b.id
      FROM b WHERE %(idempotency_key)s::text IS NOT NULL
"""


async def insert_booking(
    connection: AsyncConnection[Any],
    *,
    booking_id: UUID,
    series_id: UUID,
    sequence: int,
    mentor_id: UUID,
    filiere_id: UUID | None,
    slot_start: datetime,
    state: MentorState,
    visitor: Visitor,
    consent_at: datetime,
    now: datetime,
    actor: Actor,
    action: str,
    audit_details: dict[str, Any],
    idempotency: tuple[str, str] | None = None,
    rescheduled_from: UUID | None = None,
) -> BookResult:
    """One statement: the booking, its manage token, its outbox rows, the audit entry and the
    idempotency key. The exclusion constraint is checked here."""
    slot_end = slot_start + state.policy.slot_length
    token = new_secret()
    messages = outbox.after_booking(
        booking_id, slot_start, slot_end, now, rescheduled_from=rescheduled_from
    )
    if rescheduled_from is None:
        messages.append(outbox.webhook_event("booking.created", booking_id, now))
    else:
        messages.append(
            outbox.webhook_event(
                "booking.rescheduled",
                booking_id,
                now,
                previous_booking_id=str(rescheduled_from),
            )
        )
    buffer_before = state.settings.buffer_before_minutes
    buffer_after = state.settings.buffer_after_minutes
    outbox_rows = [
        {
            "kind": m["kind"],
            "payload": m["payload"],
            "available_at": m["available_at"].isoformat(),
        }
        for m in messages
    ]
    await connection.execute(
        _INSERT_BOOKING,
        {
            "id": booking_id,
            "series_id": series_id,
            "sequence": sequence,
            "mentor_id": mentor_id,
            "filiere_id": filiere_id,
            "start_at": slot_start,
            "end_at": slot_end,
            "buffer_before": buffer_before,
            "buffer_after": buffer_after,
            "first_name": visitor.first_name,
            "email": visitor.email,
            "question": visitor.question,
            "timezone": visitor.timezone,
            "language": visitor.language,
            "consent_at": consent_at,
            "consent_basis": visitor.consent_basis,
            "now": now,
            "token_hash": digest(token),
            "token_expires": slot_end + TOKEN_GRACE,
            "outbox": json.dumps(outbox_rows),
            "actor_kind": actor.kind,
            "actor_id": actor.id,
            "action": action,
            "details": json.dumps(audit_details),
            "idempotency_key": idempotency[0] if idempotency else None,
            "request_hash": idempotency[1] if idempotency else None,
        },
    )
    # Every column is known here (``occupied`` is the database's own), so no RETURNING.
    return BookResult(
        _new_record(
            booking_id,
            series_id,
            sequence,
            mentor_id,
            filiere_id,
            slot_start,
            slot_end,
            buffer_before,
            buffer_after,
            visitor,
            consent_at,
            now,
        ),
        token,
    )


def _new_record(
    booking_id: UUID,
    series_id: UUID,
    sequence: int,
    mentor_id: UUID,
    filiere_id: UUID | None,
    slot_start: datetime,
    slot_end: datetime,
    buffer_before: int,
    buffer_after: int,
    visitor: Visitor,
    consent_at: datetime,
    now: datetime,
) -> BookingRecord:
    return BookingRecord(
        id=booking_id,
        series_id=series_id,
        sequence=sequence,
        mentor_id=mentor_id,
        filiere_id=filiere_id,
        start=slot_start,
        end=slot_end,
        buffer_before_minutes=buffer_before,
        buffer_after_minutes=buffer_after,
        status=LIVE_STATUS,
        visitor_first_name=visitor.first_name,
        visitor_email=visitor.email,
        visitor_question=visitor.question,
        visitor_timezone=visitor.timezone,
        language=visitor.language,
        consent_at=consent_at,
        cancel_reason=None,
        cancelled_by=None,
        cancelled_at=None,
        rescheduled_to=None,
        meet_url=None,
        created_at=now,
        consent_basis=visitor.consent_basis,
    )
