"""The transactional outbox: everything that must happen after a booking.

Rows are written in the booking's own transaction (so they exist iff the booking does) and
delivered later by handlers registered by kind. Payloads hold ids only, never personal data:
the handler loads what it needs (``scheduler.booking.load_booking_view``). The one exception,
a sign-in link asked for on the public form (``SCRUBBED_KINDS``), carries its address sealed
with the token keys, and the payload is emptied once the row is delivered or failed.

Delivery: one row per transaction. A worker claims a row with ``SELECT … FOR UPDATE SKIP
LOCKED`` and calls its handler *inside the claiming transaction*, then records the outcome and
commits. We chose this over a lease (``locked_until``) because the row lock lives exactly as
long as the worker's connection:

* a worker that dies mid-delivery (crash, SIGKILL, lost connection) has its transaction rolled
  back by PostgreSQL, so the row is pending again at once and another worker delivers it;
* two workers can never hold the same row, however long a delivery takes (a lease can expire
  under a slow delivery and let a second worker in).

The price is one connection held per delivery in flight (bounded by the worker's concurrency)
and at-least-once delivery: a crash after the handler succeeded but before the commit makes the
row run again, so handlers are idempotent (client-chosen Google event ids, Message-IDs).
``claimed_by`` records which worker delivered; ``locked_until`` is the delivery deadline.

A handler can leave statements to commit *with* the row's outcome
(``OutboxMessage.with_outcome``): the record that a mail was accepted
(``scheduler.messaging.delivery``) is committed in the same transaction that marks its row
delivered, so the record and the row never disagree, and the only work a crash can make run
again is the one in flight at that instant. One claim per row, not several rows claimed
together: their outcomes would then commit together, and a crash would send again every mail
of the batch already accepted, not only the one in flight.

Outcome of a delivery:
  success                 -> delivered
  PermanentDeliveryError  -> failed at once, error kept
  ReconnectRequired       -> pending, retried after ``RECONNECT_WAIT`` without using an attempt
  any other exception     -> pending with exponential back-off and jitter, failed after
                             ``max_attempts`` with the last error kept
"""

from __future__ import annotations

import asyncio
import logging
import random
import traceback
from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any
from uuid import UUID

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    DateTime,
    Index,
    Integer,
    Text,
    delete,
    func,
    select,
    text,
    update,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column
from sqlalchemy.sql import Executable

from scheduler.platform.clock import Clock, system_clock
from scheduler.platform.db import Database
from scheduler.platform.models import Base, one_of, server_now

log = logging.getLogger("thotis.outbox")

MAIL_BOOKING_CONFIRMED = "mail.booking_confirmed"
MAIL_BOOKING_CANCELLED = "mail.booking_cancelled"
MAIL_BOOKING_RESCHEDULED = "mail.booking_rescheduled"
MAIL_REMINDER_24H = "mail.reminder_24h"
MAIL_REMINDER_1H = "mail.reminder_1h"
MAIL_FOLLOWUP = "mail.followup"
CALENDAR_UPSERT_EVENT = "calendar.upsert_event"
CALENDAR_CANCEL_EVENT = "calendar.cancel_event"
# A sign-in link asked for on the public form (scheduler.identity.link_requests): its payload
# is the sealed address, not an id, so it is emptied once the row is done with.
MAIL_SIGN_IN_LINK = "mail.sign_in_link"
# The code that proves a visitor reads their address (scheduler.booking.verification): the
# payload holds the code sealed, emptied once the row is done with.
MAIL_VERIFICATION_CODE = "mail.verification_code"
# Webhooks to the Thotis site: one event row per change, written in the change's transaction;
# its handler fans it out into one delivery row per subscribed endpoint
# (``scheduler.messaging.webhook_delivery``).
WEBHOOK_EVENT = "webhook.event"
WEBHOOK_DELIVER = "webhook.deliver"
MAIL_WEBHOOK_DISABLED = "mail.webhook_disabled"

KINDS = (
    MAIL_BOOKING_CONFIRMED,
    MAIL_BOOKING_CANCELLED,
    MAIL_BOOKING_RESCHEDULED,
    MAIL_REMINDER_24H,
    MAIL_REMINDER_1H,
    MAIL_FOLLOWUP,
    CALENDAR_UPSERT_EVENT,
    CALENDAR_CANCEL_EVENT,
    MAIL_SIGN_IN_LINK,
    MAIL_VERIFICATION_CODE,
    WEBHOOK_EVENT,
    WEBHOOK_DELIVER,
    MAIL_WEBHOOK_DISABLED,
)
# Rows whose payload holds personal data (sealed): emptied once delivered or failed for good.
SCRUBBED_KINDS = frozenset({MAIL_SIGN_IN_LINK, MAIL_VERIFICATION_CODE})
# Delayed rows that lose their point when the booking is cancelled or moved.
TIMED_KINDS = (MAIL_REMINDER_24H, MAIL_REMINDER_1H, MAIL_FOLLOWUP)
FOLLOWUP_DELAY = timedelta(hours=1)
BACKOFF_BASE = timedelta(seconds=10)
BACKOFF_CAP = timedelta(hours=2)
RECONNECT_WAIT = timedelta(hours=1)
DELIVERY_TIMEOUT = timedelta(minutes=2)
_MAX_ERROR = 4000


@dataclass(frozen=True, slots=True)
class OutboxMessage:
    id: int
    kind: str
    payload: Mapping[str, Any]
    attempts: int  # previous attempts (0 on the first delivery)
    # Statements the handler adds while it runs, executed in the claiming transaction just
    # before the outcome's update, whatever the outcome (a mail accepted before the handler
    # failed stays recorded): they commit with the row or not at all.
    with_outcome: list[Executable] = field(default_factory=list, compare=False)


Handler = Callable[[OutboxMessage], Awaitable[None]]


# --- writing (inside the caller's transaction) -----------------------------------------------


def message(kind: str, available_at: datetime, **payload: Any) -> dict[str, Any]:
    """An outbox row's values; ``payload`` values must be JSON (ids as strings). Every row
    names its ``available_at`` (rows are inserted together and must share their keys)."""
    return {"kind": kind, "payload": payload, "available_at": available_at}


def after_booking(
    booking_id: UUID,
    start: datetime,
    end: datetime,
    now: datetime,
    *,
    rescheduled_from: UUID | None = None,
) -> list[dict[str, Any]]:
    """The rows a new booking (or the new booking of a reschedule) needs."""
    ids = {"booking_id": str(booking_id)}
    if rescheduled_from is None:
        rows = [message(MAIL_BOOKING_CONFIRMED, now, **ids)]
    else:
        rows = [
            message(MAIL_BOOKING_RESCHEDULED, now, previous_booking_id=str(rescheduled_from), **ids)
        ]
    rows.append(message(CALENDAR_UPSERT_EVENT, now, **ids))
    for kind, at in (
        (MAIL_REMINDER_24H, start - timedelta(hours=24)),
        (MAIL_REMINDER_1H, start - timedelta(hours=1)),
    ):
        if at > now:
            rows.append(message(kind, at, **ids))
    rows.append(message(MAIL_FOLLOWUP, end + FOLLOWUP_DELAY, **ids))
    return rows


def after_cancel(booking_id: UUID, now: datetime) -> list[dict[str, Any]]:
    ids = {"booking_id": str(booking_id)}
    return [message(MAIL_BOOKING_CANCELLED, now, **ids), message(CALENDAR_CANCEL_EVENT, now, **ids)]


def webhook_event(event: str, booking_id: UUID, now: datetime, **ids: str) -> dict[str, Any]:
    """The row that tells the Thotis site's endpoints about ``event`` (``booking.created``,
    ``booking.cancelled``, …): ids and the instant only, the data is read when it is sent."""
    return message(
        WEBHOOK_EVENT,
        now,
        event=event,
        booking_id=str(booking_id),
        occurred_at=now.isoformat(),
        **ids,
    )


async def enqueue(session: AsyncSession, rows: Iterable[dict[str, Any]]) -> None:
    rows = list(rows)
    if rows:
        await session.execute(OutboxRow.__table__.insert(), rows)


async def drop_timed(session: AsyncSession, booking_id: UUID) -> None:
    """Forget the pending reminders and follow-up of a booking that is no longer live."""
    await session.execute(
        delete(OutboxRow).where(
            OutboxRow.status == "pending",
            OutboxRow.kind.in_(TIMED_KINDS),
            OutboxRow.payload["booking_id"].astext == str(booking_id),
        )
    )


# --- delivering --------------------------------------------------------------------------------


def backoff(attempts: int, rng: random.Random | None = None) -> timedelta:
    """Delay before the next try after ``attempts`` failures: exponential, capped, with jitter
    (uniform in [50 %, 100 %] of the step) so that many failures do not retry in lockstep."""
    # Doubled step by step up to the cap, not BACKOFF_BASE * 2 ** (attempts - 1): from the
    # 44th attempt (OUTBOX_MAX_ATTEMPTS is a setting) that product overflows timedelta, and the
    # OverflowError rolled back the failure's update: the row stayed pending with the same
    # count of attempts and was tried again at every poll, forever.
    step = BACKOFF_BASE
    for _ in range(attempts - 1):
        if step >= BACKOFF_CAP:
            break
        step *= 2
    step = min(step, BACKOFF_CAP)
    return step * (0.5 + 0.5 * (rng or random).random())


async def deliver_one(
    db: Database,
    handlers: Mapping[str, Handler],
    *,
    worker_id: str,
    max_attempts: int,
    now: Clock = system_clock,
    delivery_timeout: timedelta = DELIVERY_TIMEOUT,
) -> bool:
    """Claim and deliver one due row whose kind has a handler. False when there is none.

    Rows of kinds without a handler are left for a worker that has one.
    """
    async with db.sessions() as session, session.begin():
        claimed = (
            await session.execute(
                select(OutboxRow.id, OutboxRow.kind, OutboxRow.payload, OutboxRow.attempts)
                .where(
                    OutboxRow.status == "pending",
                    OutboxRow.available_at <= now(),
                    OutboxRow.kind.in_(list(handlers)),
                )
                .order_by(OutboxRow.available_at, OutboxRow.id)
                .limit(1)
                .with_for_update(skip_locked=True)
            )
        ).first()
        if claimed is None:
            return False
        msg = OutboxMessage(claimed.id, claimed.kind, claimed.payload, claimed.attempts)
        started = now()
        values: dict[str, Any] = {
            "claimed_by": worker_id,
            "locked_until": started + delivery_timeout,
        }
        try:
            await asyncio.wait_for(
                handlers[msg.kind](msg), timeout=delivery_timeout.total_seconds()
            )
        except asyncio.CancelledError:
            raise
        except PermanentDeliveryError as error:
            values |= {
                "status": "failed",
                "attempts": msg.attempts + 1,
                "last_error": _error(error),
            }
            log.warning("outbox %s %s failed for good: %s", msg.id, msg.kind, error)
        except ReconnectRequired as error:
            values |= {"available_at": now() + RECONNECT_WAIT, "last_error": _error(error)}
            log.info("outbox %s %s waits for a reconnection", msg.id, msg.kind)
        except Exception as error:
            attempts = msg.attempts + 1
            values |= {"attempts": attempts, "last_error": _error(error)}
            if attempts >= max_attempts:
                values["status"] = "failed"
                log.error("outbox %s %s failed after %d attempts", msg.id, msg.kind, attempts)
            else:
                values["available_at"] = now() + backoff(attempts)
                log.info("outbox %s %s attempt %d failed: %r", msg.id, msg.kind, attempts, error)
        else:
            values |= {
                "status": "delivered",
                "attempts": msg.attempts + 1,
                "delivered_at": func.now(),
                "last_error": None,
            }
        if msg.kind in SCRUBBED_KINDS and values.get("status") in ("delivered", "failed"):
            values["payload"] = {}
        for statement in msg.with_outcome:
            await session.execute(statement)
        await session.execute(update(OutboxRow).where(OutboxRow.id == msg.id).values(**values))
    return True


async def drain(
    db: Database,
    handlers: Mapping[str, Handler],
    *,
    worker_id: str,
    max_attempts: int,
    concurrency: int = 4,
    limit: int | None = None,
    now: Clock = system_clock,
) -> int:
    """Deliver due rows with ``concurrency`` loops until none is due (or ``limit`` rows were
    handled). Returns how many rows were handled (delivered, failed or rescheduled)."""
    handled = 0

    async def loop() -> None:
        nonlocal handled
        while limit is None or handled < limit:
            if not await deliver_one(
                db, handlers, worker_id=worker_id, max_attempts=max_attempts, now=now
            ):
                return
            handled += 1

    await asyncio.gather(*(loop() for _ in range(max(1, concurrency))))
    return handled


def _error(error: BaseException) -> str:
    text = "".join(traceback.format_exception_only(type(error), error)).strip()
    return text[:_MAX_ERROR]


class OutboxStatus(StrEnum):
    PENDING = "pending"
    DELIVERED = "delivered"
    FAILED = "failed"


class OutboxRow(Base):
    __tablename__ = "outbox"
    __table_args__ = (
        CheckConstraint(one_of("status", OutboxStatus), name="status"),
        Index(
            "ix_outbox_pending_available",
            "available_at",
            postgresql_where=text("status = 'pending'"),
        ),
    )

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=True)
    kind: Mapped[str] = mapped_column(Text)
    payload: Mapped[dict[str, Any]] = mapped_column(JSONB)
    status: Mapped[str] = mapped_column(Text, server_default="pending")
    attempts: Mapped[int] = mapped_column(Integer, server_default="0")
    available_at: Mapped[datetime] = server_now()
    locked_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    claimed_by: Mapped[str | None] = mapped_column(Text)
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = server_now()
    delivered_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class PermanentDeliveryError(Exception):
    """The outside world refused for good (SMTP 5xx, Google 4xx other than rate limits):
    record it on the outbox row and do not retry. Any other exception is retried."""


class ReconnectRequired(Exception):
    """The mentor's Google authorisation is revoked or expired: the connection needs the
    mentor's action; the work waits instead of failing."""
