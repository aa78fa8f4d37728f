"""Delivering the webhooks through the outbox, signed to the Standard Webhooks spec.

Two outbox kinds:

* ``webhook.event``, written by the booking in the transaction of the change, is fanned out by
  ``fan_out`` into one ``webhook_messages`` row and one ``webhook.deliver`` outbox row per
  enabled endpoint that subscribed to the event — in one transaction. The message id is derived
  from the event row and the endpoint, so a fan-out that runs again after a crash inserts
  nothing new (``ON CONFLICT DO NOTHING``) and enqueues nothing twice.
* ``webhook.deliver`` is sent by ``deliver``: POST with ``webhook-id`` (the message id, the same
  on every retry), ``webhook-timestamp`` (this attempt's) and ``webhook-signature``. A 2xx marks
  the message ``delivered`` and it is never sent again; anything else (an answer other than
  2xx, a timeout, a refused address) raises, and the outbox retries with back-off.

What is at-least-once, precisely: the receiver may see one ``webhook-id`` twice only when its
2xx answer reached us and we then failed to commit ``delivered`` (the worker died, or lost the
database, between the receiver's answer and our commit); the outbox row is then delivered again
and the receiver must treat a ``webhook-id`` it already processed as done. Once ``delivered`` is
committed no worker sends that message again, and two workers never send it at the same time:
the outbox row is locked (``FOR UPDATE SKIP LOCKED``) for the whole delivery.

After ``disable_after`` failed attempts in a row (across messages; any 2xx resets the count)
the endpoint is switched off and a ``mail.webhook_disabled`` row tells staff, in the same
transaction. Messages of a switched-off endpoint fail without being sent.

The log is not kept forever: ``log_purge_job`` deletes, every day, the finished messages older
than ``WEBHOOK_LOG_RETENTION_DAYS`` (30), logging their count only.
"""

from __future__ import annotations

import json
import logging
import uuid
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any, Protocol
from uuid import UUID

from sqlalchemy import any_, delete, func, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession
from standardwebhooks import Webhook

from scheduler.booking import get_booking
from scheduler.catalog import Filiere
from scheduler.messaging.webhook_models import MessageStatus, WebhookEndpoint, WebhookMessage
from scheduler.messaging.webhooks import TEST_EVENT, envelope
from scheduler.platform import (
    Clock,
    Database,
    NotFound,
    PeriodicJob,
    Sealer,
    outbox,
    unit_of_work,
)

log = logging.getLogger("thotis.webhooks")

_NAMESPACE = uuid.UUID("6f1c1c39-5d0e-4d5e-9a53-0e4f7b8f4a11")
_MAX_ERROR = 500
USER_AGENT = "Thotis-Webhooks/1"


class WebhookSender(Protocol):
    async def post(self, url: str, body: bytes, headers: Mapping[str, str]) -> int:
        """POST ``body`` and return the answer's status; raise when there is no answer (a
        timeout, a refused connection, an address the policy refuses)."""
        ...


class WebhookFailed(Exception):
    """The receiver did not acknowledge: the outbox retries the message with back-off."""


def message_id(event_row_id: int, endpoint_id: UUID) -> str:
    return "msg_" + uuid.uuid5(_NAMESPACE, f"{event_row_id}:{endpoint_id}").hex


def signed_headers(secret: str, msg_id: str, at: datetime, body: bytes) -> dict[str, str]:
    return {
        "webhook-id": msg_id,
        "webhook-timestamp": str(int(at.timestamp())),
        "webhook-signature": Webhook(secret).sign(msg_id, at, body),
        "content-type": "application/json",
        "user-agent": USER_AGENT,
    }


def body_bytes(payload: Mapping[str, Any]) -> bytes:
    return json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode()


async def fan_out(
    database: Database, event_row_id: int, payload: Mapping[str, Any], now: datetime
) -> int:
    """One message per subscribed, enabled endpoint; returns how many were made now."""
    event = str(payload["event"])
    async with database.transaction() as session:
        endpoint_ids = list(
            (
                await session.execute(
                    select(WebhookEndpoint.id).where(
                        WebhookEndpoint.enabled, any_(WebhookEndpoint.events) == event
                    )
                )
            ).scalars()
        )
        if not endpoint_ids:
            return 0
        occurred = datetime.fromisoformat(str(payload["occurred_at"]))
        body = envelope(event, occurred, await event_data(session, payload))
        made = await session.execute(
            pg_insert(WebhookMessage)
            .values(
                [
                    {
                        "id": message_id(event_row_id, endpoint_id),
                        "endpoint_id": endpoint_id,
                        "event_type": event,
                        "payload": body,
                    }
                    for endpoint_id in endpoint_ids
                ]
            )
            .on_conflict_do_nothing()
            .returning(WebhookMessage.id)
        )
        ids = list(made.scalars())
        await outbox.enqueue(
            session,
            [outbox.message(outbox.WEBHOOK_DELIVER, now, message_id=i) for i in ids],
        )
        return len(ids)


async def event_data(session: AsyncSession, payload: Mapping[str, Any]) -> dict[str, Any]:
    """What an event says: ids, times and statuses; never the visitor's name or question."""
    booking_id = UUID(str(payload["booking_id"]))
    data: dict[str, Any] = {"booking_id": str(booking_id)}
    if payload["event"] == "feedback.received":
        data["helpful"] = payload.get("helpful") == "true"
        return data
    try:
        record = await get_booking(session, booking_id)
    except NotFound:
        return data
    slug = None
    if record.filiere_id is not None:
        slug = (
            await session.execute(select(Filiere.slug).where(Filiere.id == record.filiere_id))
        ).scalar_one_or_none()
    data |= {
        "series_id": str(record.series_id),
        "mentor_id": str(record.mentor_id),
        "filiere": slug,
        "start": _instant(record.start),
        "end": _instant(record.end),
        "language": record.language,
    }
    if "previous_booking_id" in payload:
        data["previous_booking_id"] = str(payload["previous_booking_id"])
    if payload["event"] == "booking.cancelled":
        data["cancelled_by"] = record.cancelled_by
    return data


async def send_test(session: AsyncSession, endpoint_id: UUID, now: datetime) -> str:
    """Queue a ``webhook.test`` message for one endpoint (the console's "send a test")."""
    async with unit_of_work(session):
        if await session.get(WebhookEndpoint, endpoint_id) is None:
            raise NotFound("no such webhook endpoint")
        msg_id = "msg_" + uuid.uuid4().hex
        body = envelope(TEST_EVENT, now, {"endpoint_id": str(endpoint_id)})
        session.add(
            WebhookMessage(id=msg_id, endpoint_id=endpoint_id, event_type=TEST_EVENT, payload=body)
        )
        await session.flush()
        await outbox.enqueue(
            session, [outbox.message(outbox.WEBHOOK_DELIVER, now, message_id=msg_id)]
        )
    return msg_id


async def deliver(
    database: Database,
    sender: WebhookSender,
    msg_id: str,
    *,
    now: datetime,
    signed_at: datetime,
    attempt: int,
    max_attempts: int,
    disable_after: int,
    sealer: Sealer,
) -> None:
    """Send one message (``attempt`` counts from 1); raise ``WebhookFailed`` to be retried.

    ``now`` is the service's clock (the outbox's schedule); ``signed_at`` is the wall clock of
    the send, the ``webhook-timestamp`` receivers hold against their own clock to refuse
    replays, so it is never a test's or a bench's simulated time."""
    async with database.session() as session:
        found = (
            await session.execute(
                select(WebhookMessage, WebhookEndpoint)
                .join(WebhookEndpoint, WebhookEndpoint.id == WebhookMessage.endpoint_id)
                .where(WebhookMessage.id == msg_id)
            )
        ).first()
        if found is None:
            return  # the endpoint was deleted with its log
        msg, endpoint = found[0], found[1]
        if msg.status != MessageStatus.PENDING:
            return  # acknowledged (or given up) already: never sent again
        if not endpoint.enabled:
            async with unit_of_work(session):
                await _finish(
                    session,
                    msg_id,
                    status=MessageStatus.FAILED,
                    error="endpoint disabled",
                    attempted=False,
                )
            return
        payload = dict(msg.payload)
        if endpoint.include_visitor_email and msg.event_type.startswith("booking."):
            payload = await _with_email(session, payload)
        url, secret, endpoint_id = endpoint.url, sealer.decrypt(endpoint.secret), endpoint.id
    body = body_bytes(payload)
    headers = signed_headers(secret, msg_id, signed_at, body)
    status_code: int | None = None
    try:
        status_code = await sender.post(url, body, headers)
    except Exception as error:
        # The type and its first line only: the answer of a receiver is not ours to log whole.
        failure = f"{type(error).__name__}: {str(error)[:200]}"
    else:
        if 200 <= status_code < 300:
            async with database.transaction() as session:
                await _finish(
                    session, msg_id, status=MessageStatus.DELIVERED, code=status_code, ok=True
                )
                await session.execute(
                    update(WebhookEndpoint)
                    .where(WebhookEndpoint.id == endpoint_id)
                    .values(consecutive_failures=0)
                )
            return
        failure = f"HTTP {status_code}"
    last = attempt >= max_attempts
    async with database.transaction() as session:
        await _finish(
            session,
            msg_id,
            status=MessageStatus.FAILED if last else MessageStatus.PENDING,
            code=status_code,
            error=failure,
        )
        await _count_failure(session, endpoint_id, disable_after, now)
    log.info("webhook %s attempt %d failed: %s", msg_id, attempt, failure)
    raise WebhookFailed(failure)


async def _finish(
    session: AsyncSession,
    msg_id: str,
    *,
    status: MessageStatus,
    code: int | None = None,
    error: str | None = None,
    ok: bool = False,
    attempted: bool = True,
) -> None:
    values: dict[str, Any] = {
        "status": status.value,
        "last_status_code": code,
        "last_error": None if error is None else error[:_MAX_ERROR],
    }
    if attempted:
        values |= {"attempts": WebhookMessage.attempts + 1, "last_attempt_at": func.now()}
    if ok:
        values["delivered_at"] = func.now()
    await session.execute(
        update(WebhookMessage)
        .where(WebhookMessage.id == msg_id, WebhookMessage.status == MessageStatus.PENDING.value)
        .values(**values)
    )


async def _count_failure(
    session: AsyncSession, endpoint_id: UUID, disable_after: int, now: datetime
) -> None:
    counted = (
        await session.execute(
            update(WebhookEndpoint)
            .where(WebhookEndpoint.id == endpoint_id)
            .values(consecutive_failures=WebhookEndpoint.consecutive_failures + 1)
            .returning(WebhookEndpoint.consecutive_failures, WebhookEndpoint.enabled)
        )
    ).first()
    if counted is None or not counted.enabled or counted.consecutive_failures < disable_after:
        return
    reason = f"{counted.consecutive_failures} failed attempts in a row"
    await session.execute(
        update(WebhookEndpoint)
        .where(WebhookEndpoint.id == endpoint_id)
        .values(enabled=False, disabled_reason=reason)
    )
    await outbox.enqueue(
        session,
        [outbox.message(outbox.MAIL_WEBHOOK_DISABLED, now, endpoint_id=str(endpoint_id))],
    )
    log.warning("webhook endpoint %s switched off: %s", endpoint_id, reason)


async def _with_email(session: AsyncSession, payload: dict[str, Any]) -> dict[str, Any]:
    data = dict(payload["data"])
    try:
        record = await get_booking(session, UUID(str(data["booking_id"])))
    except (NotFound, KeyError, ValueError):
        return payload
    data["visitor_email"] = record.visitor_email  # None once the retention purge erased it
    return payload | {"data": data}


def _instant(value: datetime) -> str:
    return value.isoformat().replace("+00:00", "Z")


async def purge_log(session: AsyncSession, now: datetime, keep_days: int) -> int:
    """Delete the finished messages (delivered or given up) made more than ``keep_days`` ago;
    how many went. A pending one stays: its delivery still reads it."""
    cutoff = now - timedelta(days=keep_days)
    async with unit_of_work(session):
        result = await session.execute(
            delete(WebhookMessage).where(
                WebhookMessage.created_at < cutoff,
                WebhookMessage.status != MessageStatus.PENDING.value,
            )
        )
    return int(getattr(result, "rowcount", 0) or 0)


def log_purge_job(db: Database, keep_days: int, clock: Clock) -> PeriodicJob:
    """The worker's daily purge of the delivery log (``WEBHOOK_LOG_RETENTION_DAYS``), next to
    the personal-data purge; it logs a count only."""

    async def run() -> None:
        async with db.sessions() as session:
            count = await purge_log(session, clock(), keep_days)
        log.info("webhook log purge", extra={"purge": {"webhook_messages": count}})

    return PeriodicJob("webhook-log-purge", run, timedelta(days=1))
