"""Booker email verification (issue 18): a visitor proves they read the address they book
with before the booking exists, so nobody can fill a mentor's week with made-up addresses.

    start_verification   validate the request as booking would, hold the slot (under the
                         mentor's row lock, re-validated like a booking), queue a mail with a
                         6-digit code; the code is kept only as an HMAC
    confirm_verification the code, at most ``MAX_ATTEMPTS`` tries within ``HOLD_FOR``; right:
                         the hold is released and the booking made in one transaction
    email_proof /        a signed, expiring proof that an address was verified (30 days), which
    proof_valid          the booking routes accept instead of a new code (the widget keeps it)
    check_live_cap       at most N live upcoming bookings per visitor address
    (holds_per_mentor)   at most N live holds per mentor (``VERIFICATION_HOLDS_PER_MENTOR``):
                         made-up addresses cannot hold a mentor's whole week; the HTTP door also
                         counts verifications per client address and hour (``api.limits``)

Booking routes call ``require_verified`` (cap + proof) before booking: a step of its own, so
every way of booking (one mentor's slot, the first free mentor of a filière) applies the same
rule. A held slot is busy for everyone else (``scheduler.schedules.loading`` reads live holds
as busy time), and holds are created and consumed under the mentor's lock like bookings, so a
held slot is never booked twice; a hold ends by itself at ``expires_at``.
"""

from __future__ import annotations

import hashlib
import hmac
import math
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID, uuid4

from sqlalchemy import delete, func, or_, select, update
from sqlalchemy.dialects.postgresql import Range
from sqlalchemy.ext.asyncio import AsyncSession

from availability import SLOT_LENGTH, supported_instant
from availability.intervals import as_utc
from scheduler.booking.book import (
    _ensure_available,
    _fresh_busy,
    _lock_mentor,
    _revalidate,
    book,
)
from scheduler.booking.models import BookingHold
from scheduler.booking.ports import BusyCheck
from scheduler.booking.records import BookResult
from scheduler.booking.visitors import Visitor, checked
from scheduler.catalog import Mentor
from scheduler.platform import (
    Clock,
    Database,
    EmailBlocked,
    EmailVerificationRequired,
    PeriodicJob,
    Sealer,
    TooManyHolds,
    TooManyLiveBookings,
    ValidationFailed,
    VerificationCodeWrong,
    VerificationExpired,
    driver_connection,
    fetch_committed,
    outbox,
    unit_of_work,
)
from scheduler.schedules import IS_LIVE

__all__ = [
    "CODE_DIGITS",
    "HOLD_FOR",
    "MAX_ATTEMPTS",
    "REMEMBER_FOR",
    "CodeMail",
    "Pending",
    "check_live_cap",
    "code_mail",
    "confirm_verification",
    "email_proof",
    "holds_purge_job",
    "proof_valid",
    "purge_expired_holds",
    "require_verified",
    "start_verification",
]

CODE_DIGITS = 6
# Long enough to open a mailbox and type six digits; short enough that a slot held by someone
# who walked away is soon offered again.
HOLD_FOR = timedelta(minutes=10)
# A wrong guess in 10**6 per try: five tries leave a guesser one chance in 200,000.
MAX_ATTEMPTS = 5
REMEMBER_FOR = timedelta(days=30)


@dataclass(frozen=True, slots=True)
class Pending:
    """A started verification: its id (the widget sends the code to it) and when it ends."""

    hold_id: UUID
    expires_at: datetime


@dataclass(frozen=True, slots=True)
class CodeMail:
    """What the worker mails: the address, the language, the code, how long it lasts."""

    email: str
    language: str
    code: str
    expires_at: datetime


def _email_hash(email: str) -> bytes:
    return hashlib.sha256(email.strip().lower().encode()).digest()


def _code_hash(secret_key: str, hold_id: UUID, code: str) -> bytes:
    """An HMAC under the deployment's secret: a copy of the table does not give the codes
    away (a plain hash of six digits is undone in a million tries)."""
    return hmac.new(secret_key.encode(), f"{hold_id}:{code}".encode(), hashlib.sha256).digest()


def _proof_mac(secret_key: str, email: str, until: int) -> str:
    message = f"verified-email:{email.strip().lower()}:{until}".encode()
    return hmac.new(secret_key.encode(), message, hashlib.sha256).hexdigest()


def email_proof(secret_key: str, email: str, now: datetime) -> str:
    """A proof that ``email`` was verified, good for ``REMEMBER_FOR``: ``<until>.<hmac>`` (no
    address inside; it is only good together with the address it was made for)."""
    until = int((as_utc(now, "now") + REMEMBER_FOR).timestamp())
    return f"{until}.{_proof_mac(secret_key, email, until)}"


def proof_valid(secret_key: str, email: str, proof: str | None, now: datetime) -> bool:
    if not proof or len(proof) > 100:
        return False
    until, _, mac = proof.partition(".")
    if not until.isdigit() or int(until) <= now.timestamp():
        return False
    return hmac.compare_digest(mac, _proof_mac(secret_key, email, int(until)))


# The address's live upcoming bookings: a statement that commits
# by itself (no BEGIN and COMMIT round trips before the booking's own transaction).
_LIVE_COUNT = f"""
    SELECT count(*) AS live FROM bookings
     WHERE visitor_email = %(email)s AND {IS_LIVE} AND start_at > %(now)s
"""


async def check_live_cap(session: AsyncSession, email: str, now: datetime, cap: int) -> None:
    """TooManyLiveBookings when the address holds ``cap`` live upcoming bookings (0: no cap)."""
    if cap <= 0:
        return
    rows = await fetch_committed(session, _LIVE_COUNT, {"email": email.strip().lower(), "now": now})
    if rows[0].live >= cap:
        raise TooManyLiveBookings(f"this address already has {cap} upcoming bookings")


async def require_verified(
    session: AsyncSession,
    *,
    email: str,
    proof: str | None,
    now: datetime,
    secret_key: str,
    verification: bool,
    live_cap: int,
) -> None:
    """The step every booking route takes before booking: the cap on live bookings, then (when
    verification is on) a valid proof for the address, else EmailVerificationRequired."""
    await check_live_cap(session, email, now, live_cap)
    if verification and not proof_valid(secret_key, email, proof, now):
        raise EmailVerificationRequired(
            "confirm the address first: POST /v1/bookings/verifications sends a code"
        )


def _request_of(
    visitor: Visitor, mentor_id: UUID, slot_start: datetime, filiere: str | None
) -> dict[str, object]:
    return {
        "mentor_id": str(mentor_id),
        "slot_start": slot_start.isoformat(),
        "first_name": visitor.first_name,
        "email": visitor.email,
        "question": visitor.question,
        "timezone": visitor.timezone,
        "language": visitor.language,
        "filiere": filiere,
        "consent_basis": visitor.consent_basis,
    }


async def _ensure_hold_room(
    session: AsyncSession, mentor_id: UUID, now: datetime, cap: int
) -> None:
    """TooManyHolds when the mentor has ``cap`` live holds; Retry-After is when the first of
    them ends. Called under the mentor's row lock, after the visitor's own earlier hold went."""
    if cap <= 0:
        return
    live, first_end = (
        await session.execute(
            select(func.count(), func.min(BookingHold.expires_at)).where(
                BookingHold.mentor_id == mentor_id, BookingHold.expires_at > now
            )
        )
    ).one()
    if live >= cap:
        raise TooManyHolds(
            f"this mentor already has {cap} slots held for unconfirmed codes",
            retry_after_seconds=math.ceil((first_end - now).total_seconds()),
        )


async def start_verification(
    session: AsyncSession,
    *,
    mentor_id: UUID,
    slot_start: datetime,
    visitor: Visitor,
    now: datetime,
    secret_key: str,
    sealer: Sealer,
    filiere: str | None = None,
    busy_check: BusyCheck | None = None,
    holds_per_mentor: int = 0,
) -> Pending:
    """Hold the slot for ``HOLD_FOR`` and queue the code's mail, in one transaction. Refuses
    what booking would refuse (the same checks, under the same lock); a visitor's earlier hold
    (same address) is released, so one address holds one slot at a time. TooManyHolds when the
    mentor already has ``holds_per_mentor`` live holds (0: no cap): counted under the mentor's
    row lock, so the cap holds across processes, and nothing is stored when it refuses."""
    slot_start = supported_instant(slot_start, "slot_start")
    now = as_utc(now, "now")
    visitor = checked(visitor)
    fresh = await _fresh_busy(session, busy_check, mentor_id, slot_start)
    code = f"{secrets.randbelow(10**CODE_DIGITS):0{CODE_DIGITS}d}"
    hold_id = uuid4()
    expires_at = now + HOLD_FOR
    async with unit_of_work(session):
        connection = await driver_connection(session)
        mentor = await _lock_mentor(connection, mentor_id, visitor.email, filiere)
        _ensure_available(mentor)
        if mentor.blocked:
            raise EmailBlocked("this email address cannot book")
        if filiere is not None and mentor.filiere_id is None:
            raise ValidationFailed(f"the mentor is not in the filière {filiere!r}")
        email_hash = _email_hash(visitor.email)
        await session.execute(
            delete(BookingHold).where(
                or_(
                    BookingHold.email_hash == email_hash,
                    (BookingHold.mentor_id == mentor_id) & (BookingHold.expires_at <= now),
                )
            )
        )
        state = await _revalidate(session, connection, mentor, slot_start, now, fresh)
        await _ensure_hold_room(session, mentor_id, now, holds_per_mentor)
        before = timedelta(minutes=state.settings.buffer_before_minutes)
        after = timedelta(minutes=state.settings.buffer_after_minutes)
        session.add(
            BookingHold(
                id=hold_id,
                mentor_id=mentor_id,
                start_at=slot_start,
                occupied=Range(slot_start - before, slot_start + SLOT_LENGTH + after, bounds="[)"),
                expires_at=expires_at,
                email_hash=email_hash,
                code_hash=_code_hash(secret_key, hold_id, code),
                request=_request_of(visitor, mentor_id, slot_start, filiere),
            )
        )
        await session.flush()
        await outbox.enqueue(
            session,
            [
                outbox.message(
                    outbox.MAIL_VERIFICATION_CODE,
                    now,
                    hold_id=str(hold_id),
                    sealed_code=sealer.encrypt(code),
                )
            ],
        )
    return Pending(hold_id, expires_at)


async def confirm_verification(
    session: AsyncSession,
    *,
    hold_id: UUID,
    code: str,
    now: datetime,
    secret_key: str,
    live_cap: int = 0,
) -> BookResult:
    """The booking of a held slot, once its code is right: the hold is released and the booking
    made in one transaction (under the mentor's lock, re-validated as ever). VerificationExpired
    (unknown, expired, or the tries are spent: the hold is released), VerificationCodeWrong."""
    now = as_utc(now, "now")
    found = (
        await session.execute(
            select(BookingHold.mentor_id, BookingHold.request).where(BookingHold.id == hold_id)
        )
    ).first()
    if found is None:
        await session.commit()
        raise VerificationExpired("no such verification (expired, used or unknown)")
    request: dict[str, Any] = dict(found.request)
    await check_live_cap(session, str(request["email"]), now, live_cap)
    async with unit_of_work(session):
        # The mentor first, then the hold: the order start_verification takes them in.
        await session.execute(
            select(Mentor.id).where(Mentor.id == found.mentor_id).with_for_update()
        )
        hold = (
            await session.execute(
                select(BookingHold).where(BookingHold.id == hold_id).with_for_update()
            )
        ).scalar_one_or_none()
        attempts = MAX_ATTEMPTS
        if hold is not None and hold.expires_at > now:
            if hmac.compare_digest(hold.code_hash, _code_hash(secret_key, hold_id, code.strip())):
                await session.delete(hold)
                await session.flush()  # before book() reads busy time on the raw connection
                # book() joins this transaction (no busy_check: nothing may commit before its
                # lock), so the hold's release and the booking commit together or not at all.
                return await book(
                    session,
                    mentor_id=UUID(str(request["mentor_id"])),
                    slot_start=datetime.fromisoformat(str(request["slot_start"])),
                    visitor=Visitor(
                        first_name=str(request["first_name"]),
                        email=str(request["email"]),
                        question=request.get("question"),
                        timezone=str(request["timezone"]),
                        language=request["language"],
                        consent_basis=request.get("consent_basis"),
                    ),
                    now=now,
                    filiere=request.get("filiere"),
                )
            attempts = hold.attempts + 1
        if hold is not None and attempts >= MAX_ATTEMPTS:
            await session.delete(hold)
        elif hold is not None:
            await session.execute(
                update(BookingHold).where(BookingHold.id == hold_id).values(attempts=attempts)
            )
    if attempts >= MAX_ATTEMPTS:
        raise VerificationExpired("this code has expired or was mistyped too often")
    raise VerificationCodeWrong(f"wrong code; {MAX_ATTEMPTS - attempts} tries left")


async def code_mail(
    session: AsyncSession, payload: dict[str, object], *, sealer: Sealer, now: datetime
) -> CodeMail | None:
    """The worker's half: the mail of a code whose hold still waits, else None."""
    hold = (
        await session.execute(
            select(BookingHold.request, BookingHold.expires_at).where(
                BookingHold.id == UUID(str(payload["hold_id"])), BookingHold.expires_at > now
            )
        )
    ).first()
    if hold is None:
        return None
    return CodeMail(
        email=str(hold.request["email"]),
        language=str(hold.request.get("language") or "fr"),
        code=sealer.decrypt(str(payload["sealed_code"])),
        expires_at=hold.expires_at,
    )


async def purge_expired_holds(session: AsyncSession, now: datetime) -> int:
    """Forget the holds that ended (their personal data with them); how many went."""
    async with unit_of_work(session):
        result = await session.execute(delete(BookingHold).where(BookingHold.expires_at <= now))
    return int(getattr(result, "rowcount", 0) or 0)


def holds_purge_job(db: Database, clock: Clock) -> PeriodicJob:
    """The worker's purge of ended holds, every few minutes (a visitor's name and question
    should not outlive the hold by long)."""

    async def run() -> None:
        async with db.sessions() as session:
            await purge_expired_holds(session, clock())

    return PeriodicJob("booking-hold-purge", run, HOLD_FOR / 2)
