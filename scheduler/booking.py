"""The booking lifecycle: book, cancel, reschedule, no-show — each one transaction.

Double booking is prevented twice over:

1. ``book`` locks the mentor's row (``SELECT … FOR UPDATE``), so the bookings of one mentor are
   made one after another; it then loads the mentor's live bookings and re-runs the engine
   (``availability.is_bookable``) for that exact slot. This is what makes the day/week caps
   hold under concurrency, which no constraint could express.
2. The exclusion constraint ``bookings_no_overlap`` rejects any overlap of live bookings that
   would get past (1); ``scheduler.integrity`` turns it into ``SlotTaken``.

Google busy time is read from the cache; a ``BusyCheck`` (see ``scheduler.ports``) may supply
fresh busy time for the one mentor being booked — it is called before any lock is taken, so no
lock is held while waiting on the network.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Literal
from uuid import UUID, uuid4

from psycopg import AsyncConnection
from sqlalchemy import (
    LargeBinary,
    Row,
    Text,
    Uuid,
    bindparam,
    insert,
    select,
    update,
)
from sqlalchemy.ext.asyncio import AsyncSession

from availability import SLOT_LENGTH, Interval, is_bookable, zone
from availability.intervals import as_utc
from scheduler import outbox
from scheduler.audit import audit_values, record
from scheduler.catalog import normalize_email
from scheduler.credentials import digest, new_secret
from scheduler.driver import compiled, driver_connection, fetch_all
from scheduler.errors import (
    BookingNotLive,
    EmailBlocked,
    IdempotencyConflict,
    InvalidToken,
    MentorUnavailable,
    NotFound,
    OutsideAvailability,
    SlotTaken,
    TokenExpired,
    ValidationFailed,
)
from scheduler.integrity import (
    IDEMPOTENCY_KEY_CONSTRAINT,
    INTEGRITY_ERRORS,
    constraint_name,
    translate_integrity_error,
)
from scheduler.loading import MentorState, load_mentor_states, load_states, mentor_policy_query
from scheduler.models import (
    LIVE_STATUS,
    AuditEntry,
    BookingRow,
    EmailBlock,
    Filiere,
    IdempotencyKey,
    ManageToken,
    Mentor,
    MentorFiliere,
    PolicyRow,
)
from scheduler.ports import BusyCheck
from scheduler.records import Actor, BookingRecord, BookResult
from scheduler.views import BookingView

Language = Literal["fr", "en"]
MANAGE_PURPOSE = "manage"
# A manage link keeps working a day after the meeting (to see what happened), no longer.
TOKEN_GRACE = timedelta(days=1)
MAX_QUESTION = 1000
MAX_REASON = 500


def manage_url(public_url: str, booking_id: UUID, token: str) -> str:
    """The visitor's link to see, cancel or move a booking (the token alone names it)."""
    return f"{public_url.rstrip('/')}/manage/{token}"


async def booking_id_for_token(session: AsyncSession, token: str) -> UUID:
    """The booking a manage token belongs to (InvalidToken when it belongs to none); the
    callers then check it with the booking id as for any other caller."""
    if not isinstance(token, str) or not token:
        raise InvalidToken("a manage token is required")
    found = (
        await session.execute(
            select(ManageToken.booking_id).where(ManageToken.token_hash == digest(token))
        )
    ).scalar()
    if found is None:
        raise InvalidToken("this link is not valid")
    return found


@dataclass(frozen=True, slots=True)
class Visitor:
    """What the visitor types in the booking form."""

    first_name: str
    email: str
    question: str | None = None
    timezone: str = "Europe/Paris"
    language: Language = "fr"


def _validated(visitor: Visitor) -> Visitor:
    if not isinstance(visitor.first_name, str) or not 1 <= len(visitor.first_name.strip()) <= 60:
        raise ValidationFailed("first_name must have 1 to 60 characters")
    question = visitor.question.strip() if isinstance(visitor.question, str) else None
    if question is not None and len(question) > MAX_QUESTION:
        raise ValidationFailed(f"the question must have at most {MAX_QUESTION} characters")
    if visitor.language not in ("fr", "en"):
        raise ValidationFailed("language must be 'fr' or 'en'")
    zone(visitor.timezone)  # InvalidTimezone propagates
    return Visitor(
        first_name=visitor.first_name.strip(),
        email=normalize_email(visitor.email),
        question=question or None,
        timezone=visitor.timezone,
        language=visitor.language,
    )


def _request_hash(
    mentor_id: UUID, slot_start: datetime, visitor: Visitor, filiere: str | None
) -> str:
    body = {
        "mentor_id": str(mentor_id),
        "slot_start": slot_start.isoformat(),
        "first_name": visitor.first_name,
        "email": visitor.email,
        "question": visitor.question,
        "timezone": visitor.timezone,
        "language": visitor.language,
        "filiere": filiere,
    }
    return hashlib.sha256(json.dumps(body, sort_keys=True).encode()).hexdigest()


_BOOKING_COLUMNS = (
    BookingRow.id,
    BookingRow.series_id,
    BookingRow.sequence,
    BookingRow.mentor_id,
    BookingRow.filiere_id,
    BookingRow.start_at,
    BookingRow.end_at,
    BookingRow.buffer_before_minutes,
    BookingRow.buffer_after_minutes,
    BookingRow.status,
    BookingRow.visitor_first_name,
    BookingRow.visitor_email,
    BookingRow.visitor_question,
    BookingRow.visitor_timezone,
    BookingRow.language,
    BookingRow.consent_at,
    BookingRow.cancel_reason,
    BookingRow.cancelled_by,
    BookingRow.cancelled_at,
    BookingRow.rescheduled_to,
    BookingRow.meet_url,
    BookingRow.created_at,
)


def _record(row: Row[Any]) -> BookingRecord:
    return BookingRecord(
        id=row.id,
        series_id=row.series_id,
        sequence=row.sequence,
        mentor_id=row.mentor_id,
        filiere_id=row.filiere_id,
        start=row.start_at,
        end=row.end_at,
        buffer_before_minutes=row.buffer_before_minutes,
        buffer_after_minutes=row.buffer_after_minutes,
        status=row.status,
        visitor_first_name=row.visitor_first_name,
        visitor_email=row.visitor_email,
        visitor_question=row.visitor_question,
        visitor_timezone=row.visitor_timezone,
        language=row.language,
        consent_at=row.consent_at,
        cancel_reason=row.cancel_reason,
        cancelled_by=row.cancelled_by,
        cancelled_at=row.cancelled_at,
        rescheduled_to=row.rescheduled_to,
        meet_url=row.meet_url,
        created_at=row.created_at,
    )


# --- reading ---------------------------------------------------------------------------------


async def get_booking(session: AsyncSession, booking_id: UUID) -> BookingRecord:
    row = (
        await session.execute(select(*_BOOKING_COLUMNS).where(BookingRow.id == booking_id))
    ).first()
    if row is None:
        raise NotFound("no such booking")
    return _record(row)


async def get_booking_by_token(
    session: AsyncSession, booking_id: UUID, token: str, now: datetime
) -> BookingRecord:
    """The booking a visitor's manage link shows (InvalidToken / TokenExpired otherwise)."""
    await _check_token(session, booking_id, token, now)
    return await get_booking(session, booking_id)


async def list_mentor_bookings(
    session: AsyncSession,
    mentor_id: UUID,
    start: datetime,
    end: datetime,
    statuses: Sequence[str] = (LIVE_STATUS,),
    *,
    limit: int | None = None,
    newest_first: bool = False,
    ends_after: datetime | None = None,
    ends_by: datetime | None = None,
) -> list[BookingRecord]:
    """The mentor's bookings starting in ``[start, end)``, by start (``newest_first``: latest
    first). ``limit`` caps the rows read: a page showing the first N of 1000 bookings must not
    load the other 990. ``ends_after`` / ``ends_by`` (``end > t`` / ``end <= t``) keep a
    meeting in progress out of (or in) a list in the database, so the cap counts only rows
    the page shows."""
    query = select(*_BOOKING_COLUMNS).where(
        BookingRow.mentor_id == mentor_id,
        BookingRow.start_at >= as_utc(start, "start"),
        BookingRow.start_at < as_utc(end, "end"),
        BookingRow.status.in_(list(statuses)),
    )
    if ends_after is not None:
        query = query.where(BookingRow.end_at > as_utc(ends_after, "ends_after"))
    if ends_by is not None:
        query = query.where(BookingRow.end_at <= as_utc(ends_by, "ends_by"))
    order = BookingRow.start_at.desc() if newest_first else BookingRow.start_at
    query = query.order_by(order, BookingRow.id)
    if limit is not None:
        if limit < 0:
            raise ValidationFailed("limit must not be negative")
        query = query.limit(limit)
    rows = await session.execute(query)
    return [_record(row) for row in rows]


# --- booking ---------------------------------------------------------------------------------


async def book(
    session: AsyncSession,
    *,
    mentor_id: UUID,
    slot_start: datetime,
    visitor: Visitor,
    now: datetime,
    idempotency_key: str | None = None,
    filiere: str | None = None,
    busy_check: BusyCheck | None = None,
) -> BookResult:
    """Book the slot starting at ``slot_start`` with a mentor, in one transaction.

    ``filiere``: slug of the page the visitor came from (one of the mentor's). With an
    ``idempotency_key``, a retry with the same body returns the same booking (and a fresh manage
    token) and a different body raises IdempotencyConflict.

    Raises ValidationFailed / AvailabilityError (bad input), NotFound, MentorUnavailable,
    EmailBlocked, OutsideAvailability (not offered), SlotTaken (taken by someone else, or the
    day/week cap is reached), IdempotencyConflict.
    """
    slot_start = as_utc(slot_start, "slot_start")
    now = as_utc(now, "now")
    visitor = _validated(visitor)
    if idempotency_key is not None and not 1 <= len(idempotency_key) <= 200:
        raise ValidationFailed("an Idempotency-Key has 1 to 200 characters")
    request_hash = _request_hash(mentor_id, slot_start, visitor, filiere)
    try:
        fresh = await _fresh_busy(session, busy_check, mentor_id, slot_start)
        # Round trip 1: lock the mentor (bookings of one mentor are made one after another).
        connection = await driver_connection(session)
        found = await fetch_all(
            connection,
            _LOCK_MENTOR,
            {
                "id": mentor_id,
                "email_hash": hashlib.sha256(visitor.email.encode()).digest(),
                "slug": filiere,
            },
        )
        mentor = found[0] if found else None
        if mentor is None:
            raise NotFound("no such mentor")
        if idempotency_key is not None:
            # After the lock: a retry that waited behind its first attempt finds it here.
            replay = await _replay(session, idempotency_key, request_hash, now)
            if replay is not None:
                await session.commit()
                return replay
        if not mentor.active or mentor.paused:
            raise MentorUnavailable("this mentor is not taking bookings")
        if mentor.blocked:
            raise EmailBlocked("this email address cannot book")
        if filiere is not None and mentor.filiere_id is None:
            raise ValidationFailed(f"the mentor is not in the filière {filiere!r}")
        # Round trip 2 (a fresh snapshot, taken after the lock): rules, bookings, busy.
        states = await load_states(
            session, [mentor], now, slot_start, slot_start + SLOT_LENGTH, connection=connection
        )
        state = _with_fresh_busy(states[mentor_id], fresh)
        _ensure_bookable(state, slot_start, now)
        # Round trip 3: the booking, its token, outbox rows, audit and idempotency key.
        booking_id = uuid4()
        result = await _insert_booking(
            connection,
            booking_id=booking_id,
            series_id=booking_id,
            sequence=0,
            mentor_id=mentor_id,
            filiere_id=mentor.filiere_id,
            slot_start=slot_start,
            state=state,
            visitor=visitor,
            consent_at=now,
            now=now,
            actor=Actor("visitor"),
            action="book",
            audit_details={"mentor_id": str(mentor_id), "start": slot_start.isoformat()},
            idempotency=(idempotency_key, request_hash) if idempotency_key else None,
        )
        await session.commit()
        return result
    except INTEGRITY_ERRORS as error:
        await session.rollback()
        if idempotency_key is not None and constraint_name(error) == IDEMPOTENCY_KEY_CONSTRAINT:
            # The same key committed concurrently for another mentor's booking.
            replay = await _replay(session, idempotency_key, request_hash, now)
            if replay is not None:
                await session.commit()
                return replay
        raise translate_integrity_error(error) from error
    except BaseException:
        await session.rollback()
        raise


def _lock_mentor_query() -> str:
    """The mentor's loader columns (``loading.mentor_policy_query``), locked, with whether the
    visitor's email is blocked and the id of the filière booked from (when the mentor is in it):
    round trip 1 of a booking."""
    blocked = (
        select(EmailBlock.email_hash)
        .where(EmailBlock.email_hash == bindparam("email_hash", type_=LargeBinary))
        .exists()
        .label("blocked")
    )
    filiere = (
        select(Filiere.id)
        .join(MentorFiliere, MentorFiliere.filiere_id == Filiere.id)
        .where(Filiere.slug == bindparam("slug", type_=Text), MentorFiliere.mentor_id == Mentor.id)
        .scalar_subquery()
        .label("filiere_id")
    )
    return compiled(
        mentor_policy_query()
        .add_columns(blocked, filiere)
        .where(Mentor.id == bindparam("id", type_=Uuid))
        .with_for_update(of=Mentor)
    )


_LOCK_MENTOR = _lock_mentor_query()


def _with_fresh_busy(
    state: MentorState, fresh: tuple[Interval, list[Interval]] | None
) -> MentorState:
    if fresh is None:
        return state
    span, busy = fresh
    # Fresh busy time replaces the cache where it was fetched, and only there.
    return state.with_busy([b for b in state.busy if not b.overlaps(span)] + busy)


async def _replay(
    session: AsyncSession, key: str, request_hash: str, now: datetime
) -> BookResult | None:
    found = (
        await session.execute(
            select(IdempotencyKey.request_hash, IdempotencyKey.booking_id).where(
                IdempotencyKey.key == key
            )
        )
    ).first()
    if found is None:
        return None
    if found.request_hash != request_hash:
        raise IdempotencyConflict("this Idempotency-Key was used for a different request")
    booking = await get_booking(session, found.booking_id)
    # The first answer carried the only copy of the raw token; a retry gets a new one.
    token = await _issue_token(session, booking.id, booking.end)
    return BookResult(booking, token, replayed=True)


async def _fresh_busy(
    session: AsyncSession, busy_check: BusyCheck | None, mentor_id: UUID, slot_start: datetime
) -> tuple[Interval, list[Interval]] | None:
    """Fresh busy time over the slot's occupied range (with today's buffers), fetched before
    any lock; the read transaction is closed first so nothing waits on the network."""
    if busy_check is None:
        return None
    buffers = (
        await session.execute(
            select(PolicyRow.buffer_before_minutes, PolicyRow.buffer_after_minutes).where(
                PolicyRow.mentor_id == mentor_id
            )
        )
    ).first()
    await session.commit()
    before, after = (
        (buffers.buffer_before_minutes, buffers.buffer_after_minutes) if buffers else (0, 0)
    )
    span = Interval(
        slot_start - timedelta(minutes=before), slot_start + SLOT_LENGTH + timedelta(minutes=after)
    )
    busy = await busy_check.fresh_busy(mentor_id, span.start, span.end)
    return None if busy is None else (span, list(busy))


async def _lock_mentor(session: AsyncSession, mentor_id: UUID) -> Row[Any]:
    mentor = (
        await session.execute(
            select(Mentor.id, Mentor.active, Mentor.paused)
            .where(Mentor.id == mentor_id)
            .with_for_update()
        )
    ).first()
    if mentor is None:
        raise NotFound("no such mentor")
    if not mentor.active or mentor.paused:
        raise MentorUnavailable("this mentor is not taking bookings")
    return mentor


async def _state_for_slot(
    session: AsyncSession,
    mentor_id: UUID,
    slot_start: datetime,
    now: datetime,
    fresh: tuple[Interval, list[Interval]] | None,
    exclude_booking: UUID | None = None,
) -> MentorState:
    states = await load_mentor_states(
        session,
        [mentor_id],
        now,
        slot_start,
        slot_start + SLOT_LENGTH,
        exclude_booking=exclude_booking,
    )
    return _with_fresh_busy(states[mentor_id], fresh)


def _ensure_bookable(state: MentorState, slot_start: datetime, now: datetime) -> None:
    args = (state.schedule, state.policy, state.busy)
    if is_bookable(*args, state.bookings, now, slot_start):
        return
    if state.bookings and is_bookable(*args, (), now, slot_start):
        # Offered but for other live bookings: taken (overlap through buffers, or a full day or
        # week).
        raise SlotTaken("this slot has just been taken")
    raise OutsideAvailability("this time is not offered by the mentor")


async def _issue_token(session: AsyncSession, booking_id: UUID, end: datetime) -> str:
    raw = new_secret()
    await session.execute(
        insert(ManageToken).values(
            token_hash=digest(raw),
            booking_id=booking_id,
            purpose=MANAGE_PURPOSE,
            expires_at=end + TOKEN_GRACE,
        )
    )
    return raw


_INSERT_BOOKING = """
    WITH b AS (
      INSERT INTO bookings (id, series_id, sequence, mentor_id, filiere_id, start_at, end_at,
                            buffer_before_minutes, buffer_after_minutes, status,
                            visitor_first_name, visitor_email, visitor_question,
                            visitor_timezone, language, consent_at, created_at)
      VALUES (%(id)s, %(series_id)s, %(sequence)s, %(mentor_id)s, %(filiere_id)s::uuid,
              %(start_at)s, %(end_at)s, %(buffer_before)s, %(buffer_after)s, 'confirmed',
              %(first_name)s, %(email)s, %(question)s::text, %(timezone)s, %(language)s,
              %(consent_at)s, %(now)s)
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


async def _insert_booking(
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
    buffer_before = state.settings.buffer_before_minutes
    buffer_after = state.settings.buffer_after_minutes
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
            "now": now,
            "token_hash": digest(token),
            "token_expires": slot_end + TOKEN_GRACE,
            "outbox": json.dumps(
                [
                    {
                        "kind": m["kind"],
                        "payload": m["payload"],
                        "available_at": m["available_at"].isoformat(),
                    }
                    for m in messages
                ]
            ),
            "actor_kind": actor.kind,
            "actor_id": actor.id,
            "action": action,
            "details": json.dumps(audit_details),
            "idempotency_key": idempotency[0] if idempotency else None,
            "request_hash": idempotency[1] if idempotency else None,
        },
    )
    # Every column is known here (``occupied`` is the database's own), so no RETURNING.
    record = BookingRecord(
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
    )
    return BookResult(record, token)


async def _finish(
    session: AsyncSession,
    statements: Sequence[Any],
    outbox_rows: list[dict[str, Any]],
    audit: dict[str, Any],
) -> None:
    for statement in statements:
        await session.execute(statement)
    await outbox.enqueue(session, outbox_rows)
    await session.execute(insert(AuditEntry).values(**audit))


# --- manage tokens ---------------------------------------------------------------------------


async def _check_token(session: AsyncSession, booking_id: UUID, token: str, now: datetime) -> None:
    if not isinstance(token, str) or not token:
        raise InvalidToken("a manage token is required")
    found = (
        await session.execute(
            select(ManageToken.booking_id, ManageToken.purpose, ManageToken.expires_at).where(
                ManageToken.token_hash == digest(token)
            )
        )
    ).first()
    # One message for "unknown" and "another booking's": a token reveals nothing of others.
    if found is None or found.booking_id != booking_id or found.purpose != MANAGE_PURPOSE:
        raise InvalidToken("this link is not valid for this booking")
    if found.expires_at <= now:
        raise TokenExpired("this link has expired")


async def _use_tokens(session: AsyncSession, booking_id: UUID, now: datetime) -> None:
    await session.execute(
        update(ManageToken)
        .where(ManageToken.booking_id == booking_id, ManageToken.used_at.is_(None))
        .values(used_at=now)
    )


# --- cancel ----------------------------------------------------------------------------------

CancelledBy = Literal["visitor", "mentor", "staff"]


async def cancel_by_token(
    session: AsyncSession, booking_id: UUID, token: str, now: datetime, reason: str | None = None
) -> BookingRecord:
    """The visitor cancels through the manage link."""

    async def check() -> None:
        await _check_token(session, booking_id, token, now)

    return await _cancel(session, booking_id, now, reason, "visitor", Actor("visitor"), check)


async def cancel_by_mentor(
    session: AsyncSession,
    booking_id: UUID,
    mentor_id: UUID,
    now: datetime,
    reason: str | None = None,
) -> BookingRecord:
    return await _cancel(
        session, booking_id, now, reason, "mentor", Actor.mentor(mentor_id), None, mentor_id
    )


async def cancel_by_staff(
    session: AsyncSession,
    booking_id: UUID,
    now: datetime,
    reason: str | None = None,
    actor: Actor | None = None,
) -> BookingRecord:
    return await _cancel(session, booking_id, now, reason, "staff", actor or Actor.staff(), None)


def _reason(reason: str | None) -> str | None:
    if reason is None:
        return None
    if not isinstance(reason, str) or len(reason.strip()) > MAX_REASON:
        raise ValidationFailed(f"the reason must have at most {MAX_REASON} characters")
    return reason.strip() or None


async def _lock_booking(
    session: AsyncSession, booking_id: UUID, now: datetime, mentor_id: UUID | None
) -> Row[Any]:
    row = (
        await session.execute(
            select(*_BOOKING_COLUMNS).where(BookingRow.id == booking_id).with_for_update()
        )
    ).first()
    if row is None or (mentor_id is not None and row.mentor_id != mentor_id):
        raise NotFound("no such booking")
    if row.status != LIVE_STATUS:
        raise BookingNotLive(f"this booking is {row.status}")
    if row.start_at <= now:
        raise BookingNotLive("this booking has already started")
    return row


async def _cancel(
    session: AsyncSession,
    booking_id: UUID,
    now: datetime,
    reason: str | None,
    by: CancelledBy,
    actor: Actor,
    check: Any,
    mentor_id: UUID | None = None,
) -> BookingRecord:
    now = as_utc(now, "now")
    reason = _reason(reason)
    try:
        if check is not None:
            await check()
        await _lock_booking(session, booking_id, now, mentor_id)
        row = (
            await session.execute(
                update(BookingRow)
                .where(BookingRow.id == booking_id)
                # A cancellation is a change the attendees' calendars must see: the CANCEL invite
                # needs a SEQUENCE above the last REQUEST's (RFC 5546 2.1.4).
                .values(
                    status="cancelled",
                    cancelled_by=by,
                    cancel_reason=reason,
                    cancelled_at=now,
                    sequence=BookingRow.sequence + 1,
                )
                .returning(*_BOOKING_COLUMNS)
            )
        ).one()
        await _use_tokens(session, booking_id, now)
        await outbox.drop_timed(session, booking_id)
        await _finish(
            session,
            [],
            outbox.after_cancel(booking_id, now),
            audit_values(actor, "cancel", "booking", booking_id, {"by": by}),
        )
        await session.commit()
        return _record(row)
    except INTEGRITY_ERRORS as error:
        await session.rollback()
        raise translate_integrity_error(error) from error
    except BaseException:
        await session.rollback()
        raise


# --- reschedule ------------------------------------------------------------------------------


async def reschedule_by_token(
    session: AsyncSession,
    booking_id: UUID,
    token: str,
    new_start: datetime,
    now: datetime,
    busy_check: BusyCheck | None = None,
) -> BookResult:
    """The visitor moves the booking through the manage link: the old booking becomes
    ``rescheduled`` and a new one (same series, sequence + 1, new manage token) exists — both or
    neither."""

    async def check() -> None:
        await _check_token(session, booking_id, token, now)

    return await _reschedule(
        session, booking_id, new_start, now, Actor("visitor"), check, None, busy_check
    )


async def reschedule_by_mentor(
    session: AsyncSession,
    booking_id: UUID,
    mentor_id: UUID,
    new_start: datetime,
    now: datetime,
    busy_check: BusyCheck | None = None,
) -> BookResult:
    return await _reschedule(
        session, booking_id, new_start, now, Actor.mentor(mentor_id), None, mentor_id, busy_check
    )


async def _reschedule(
    session: AsyncSession,
    booking_id: UUID,
    new_start: datetime,
    now: datetime,
    actor: Actor,
    check: Any,
    mentor_id: UUID | None,
    busy_check: BusyCheck | None,
) -> BookResult:
    new_start = as_utc(new_start, "new_start")
    now = as_utc(now, "now")
    try:
        if check is not None:
            await check()
        current = await get_booking(session, booking_id)
        if mentor_id is not None and current.mentor_id != mentor_id:
            raise NotFound("no such booking")
        if new_start == current.start:
            raise ValidationFailed("the booking is already at this time")
        fresh = await _fresh_busy(session, busy_check, current.mentor_id, new_start)
        await _lock_mentor(session, current.mentor_id)
        old = await _lock_booking(session, booking_id, now, mentor_id)
        state = await _state_for_slot(
            session, old.mentor_id, new_start, now, fresh, exclude_booking=old.id
        )
        _ensure_bookable(state, new_start, now)
        await session.execute(
            update(BookingRow).where(BookingRow.id == old.id).values(status="rescheduled")
        )
        new_id = uuid4()
        result = await _insert_booking(
            await driver_connection(session),
            booking_id=new_id,
            series_id=old.series_id,
            sequence=old.sequence + 1,
            mentor_id=old.mentor_id,
            filiere_id=old.filiere_id,
            slot_start=new_start,
            state=state,
            visitor=Visitor(
                old.visitor_first_name,
                old.visitor_email,
                old.visitor_question,
                old.visitor_timezone,
                old.language,
            ),
            consent_at=old.consent_at,
            now=now,
            actor=actor,
            action="reschedule",
            audit_details={"from": str(old.id), "start": new_start.isoformat()},
            rescheduled_from=old.id,
        )
        await session.execute(
            update(BookingRow).where(BookingRow.id == old.id).values(rescheduled_to=new_id)
        )
        await _use_tokens(session, old.id, now)
        await outbox.drop_timed(session, old.id)
        await session.commit()
        return result
    except INTEGRITY_ERRORS as error:
        await session.rollback()
        raise translate_integrity_error(error) from error
    except BaseException:
        await session.rollback()
        raise


# --- no-show ---------------------------------------------------------------------------------


async def mark_no_show(
    session: AsyncSession,
    booking_id: UUID,
    now: datetime,
    actor: Actor,
    mentor_id: UUID | None = None,
) -> BookingRecord:
    """The visitor did not come (after the start only). ``mentor_id``: only that mentor's."""
    now = as_utc(now, "now")
    try:
        row = (
            await session.execute(
                select(*_BOOKING_COLUMNS).where(BookingRow.id == booking_id).with_for_update()
            )
        ).first()
        if row is None or (mentor_id is not None and row.mentor_id != mentor_id):
            raise NotFound("no such booking")
        if row.status != LIVE_STATUS:
            raise BookingNotLive(f"this booking is {row.status}")
        if row.start_at > now:
            raise BookingNotLive("a booking can be marked as a no-show once it has started")
        updated = (
            await session.execute(
                update(BookingRow)
                .where(BookingRow.id == booking_id)
                .values(status="no_show")
                .returning(*_BOOKING_COLUMNS)
            )
        ).one()
        await outbox.drop_timed(session, booking_id)
        await record(session, actor, "no_show", "booking", booking_id)
        await session.commit()
        return _record(updated)
    except BaseException:
        await session.rollback()
        raise


# --- the view the outbox handlers need -------------------------------------------------------


async def load_booking_view(
    session: AsyncSession,
    booking_id: UUID,
    public_url: str,
    now: datetime,
    *,
    issue_manage_token: bool = True,
) -> BookingView:
    """Everything an email, an invite or a calendar event needs about a booking.

    The raw manage token is never stored, so a live booking's view carries a *new* manage link:
    its token is written and **committed here** (each message its own link, all expiring a day
    after the meeting). Pass ``issue_manage_token=False`` to get the site's address instead.
    """
    row = (
        await session.execute(
            select(
                *_BOOKING_COLUMNS,
                Mentor.display_name.label("mentor_name"),
                Mentor.email.label("mentor_email"),
                Mentor.timezone.label("mentor_timezone"),
                Mentor.allow_reply_to,
            )
            .join(Mentor, Mentor.id == BookingRow.mentor_id)
            .where(BookingRow.id == booking_id)
        )
    ).first()
    if row is None:
        raise NotFound("no such booking")
    filiere = (
        await session.execute(
            select(Filiere.name_fr, Filiere.name_en)
            .where(
                Filiere.id == row.filiere_id
                if row.filiere_id is not None
                else Filiere.id.in_(
                    select(MentorFiliere.filiere_id).where(MentorFiliere.mentor_id == row.mentor_id)
                )
            )
            .order_by(Filiere.name_fr)
            .limit(1)
        )
    ).first()
    previous_start = (
        await session.execute(
            select(BookingRow.start_at).where(BookingRow.rescheduled_to == booking_id)
        )
    ).scalar()
    url = public_url.rstrip("/")
    if issue_manage_token and row.status == LIVE_STATUS and row.end_at > now:
        url = manage_url(
            public_url, booking_id, await _issue_token(session, booking_id, row.end_at)
        )
        await session.commit()
    return BookingView(
        booking_id=row.id,
        series_id=row.series_id,
        sequence=row.sequence,
        status=row.status,
        start=row.start_at,
        end=row.end_at,
        mentor_id=row.mentor_id,
        mentor_name=row.mentor_name,
        mentor_email=row.mentor_email,
        mentor_timezone=row.mentor_timezone,
        mentor_allows_reply_to=row.allow_reply_to,
        filiere_name_fr=filiere.name_fr if filiere else "",
        filiere_name_en=filiere.name_en if filiere else "",
        visitor_first_name=row.visitor_first_name or "",
        visitor_email=row.visitor_email or "",
        visitor_question=row.visitor_question,
        visitor_timezone=row.visitor_timezone,
        language=row.language,
        manage_url=url,
        meet_url=row.meet_url,
        cancel_reason=row.cancel_reason,
        cancelled_by=row.cancelled_by,
        previous_start=previous_start,
    )


async def set_meeting_details(
    session: AsyncSession, booking_id: UUID, *, meet_url: str | None, calendar_event_id: str | None
) -> None:
    """Written back by the calendar integration once the event (and its Meet link) exists."""
    await session.execute(
        update(BookingRow)
        .where(BookingRow.id == booking_id)
        .values(meet_url=meet_url, calendar_event_id=calendar_event_id)
    )
    await session.commit()


__all__ = [
    "MANAGE_PURPOSE",
    "BookResult",
    "BookingRecord",
    "Visitor",
    "book",
    "cancel_by_mentor",
    "cancel_by_staff",
    "cancel_by_token",
    "get_booking",
    "get_booking_by_token",
    "list_mentor_bookings",
    "load_booking_view",
    "manage_url",
    "mark_no_show",
    "reschedule_by_mentor",
    "reschedule_by_token",
    "set_meeting_details",
]
