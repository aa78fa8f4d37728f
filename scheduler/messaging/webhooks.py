"""The endpoints of the Thotis site that hear about bookings: what staff may register (the URL
rules that keep a webhook from reaching the service's own network), their secrets, and the
versioned, minimal payload of each event.

URL rules, checked when an endpoint is saved (``check_url``) and again at every send on the
addresses the name resolves to (``integrations.webhooks``):

* ``https://`` only; ``http://`` only to a loopback host on a loopback deployment (development);
* no user name or password in the URL;
* in production no private, loopback, link-local or reserved address unless
  ``WEBHOOK_ALLOW_PRIVATE_ADDRESSES`` says so.

Signing secrets are sealed at rest with the deployment's token keys (``TOKEN_KEYS``, the
``Sealer`` the Google tokens use): a copy of the database does not let anyone sign as Thotis.
Every function that reads or writes an endpoint takes the sealer; ``Endpoint.secret`` is the
opened secret, for the send and for staff to copy.
"""

from __future__ import annotations

import base64
import ipaddress
import secrets
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit
from uuid import UUID

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from scheduler.messaging.webhook_models import WebhookEndpoint, WebhookMessage
from scheduler.platform import (
    Actor,
    NotFound,
    Sealer,
    Settings,
    ValidationFailed,
    record,
    unit_of_work,
)

# The payload's shape; a change that removes or renames a field raises it.
PAYLOAD_VERSION = 1
EVENTS = (
    "booking.created",
    "booking.rescheduled",
    "booking.cancelled",
    "booking.no_show",
    "feedback.received",
)
TEST_EVENT = "webhook.test"
MAX_URL = 2000
MAX_DESCRIPTION = 200
_LOOPBACK_NAMES = frozenset({"localhost", "127.0.0.1", "::1"})


@dataclass(frozen=True, slots=True)
class UrlPolicy:
    """What an endpoint's URL may point at, from the settings."""

    # A loopback deployment (PUBLIC_URL on 127.0.0.1/localhost): http to loopback is allowed.
    development: bool = False
    allow_private: bool = False

    def allows_address(self, address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
        if self.allow_private:
            return True
        if address.is_loopback:
            return self.development
        return address.is_global

    @classmethod
    def from_settings(cls, settings: Settings) -> UrlPolicy:
        return cls(
            development=settings.http.loopback, allow_private=settings.webhooks.allow_private
        )


@dataclass(frozen=True, slots=True)
class Endpoint:
    id: UUID
    url: str
    description: str
    events: tuple[str, ...]
    # None when no configured token key opens it (a key dropped too early): staff see why and
    # rotate it, instead of an error page.
    secret: str | None
    enabled: bool
    include_visitor_email: bool
    consecutive_failures: int
    disabled_reason: str | None
    created_at: datetime


@dataclass(frozen=True, slots=True)
class EndpointChange:
    """What staff set; ``None`` leaves a field as it is."""

    url: str | None = None
    description: str | None = None
    events: Sequence[str] | None = None
    enabled: bool | None = None
    include_visitor_email: bool | None = None


@dataclass(frozen=True, slots=True)
class LoggedMessage:
    id: str
    event_type: str
    status: str
    attempts: int
    last_status_code: int | None
    last_error: str | None
    last_attempt_at: datetime | None
    created_at: datetime
    delivered_at: datetime | None


def new_secret() -> str:
    """A Standard Webhooks secret: ``whsec_`` and 32 random bytes in base64."""
    return "whsec_" + base64.b64encode(secrets.token_bytes(32)).decode()


def check_url(url: str, policy: UrlPolicy) -> str:
    url = url.strip()
    if not url or len(url) > MAX_URL or any(c.isspace() or ord(c) < 32 for c in url):
        raise ValidationFailed("url: an absolute https URL is required")
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    if not host or parts.username is not None or parts.password is not None:
        raise ValidationFailed("url: an absolute https URL without user or password is required")
    loopback = host in _LOOPBACK_NAMES or host.endswith(".localhost")
    if parts.scheme == "http":
        if not (loopback and policy.development):
            raise ValidationFailed("url: https is required (http only to localhost in development)")
    elif parts.scheme != "https":
        raise ValidationFailed("url: https is required")
    try:
        literal = ipaddress.ip_address(host)
    except ValueError:
        literal = None
    if literal is not None and not policy.allows_address(literal):
        raise ValidationFailed("url: this address is private; webhooks go to the public internet")
    if loopback and literal is None and not (policy.development or policy.allow_private):
        raise ValidationFailed("url: this address is private; webhooks go to the public internet")
    return url


def check_events(events: Sequence[str]) -> tuple[str, ...]:
    chosen = tuple(dict.fromkeys(events))
    unknown = [e for e in chosen if e not in EVENTS]
    if unknown or not chosen:
        raise ValidationFailed(f"events: choose among {', '.join(EVENTS)}")
    return chosen


def _description(text: str | None) -> str:
    text = (text or "").strip()
    if len(text) > MAX_DESCRIPTION:
        raise ValidationFailed(f"description: {MAX_DESCRIPTION} characters at most")
    return text


async def list_endpoints(session: AsyncSession, sealer: Sealer) -> list[Endpoint]:
    rows = await session.execute(select(WebhookEndpoint).order_by(WebhookEndpoint.created_at))
    return [_endpoint(row, sealer) for row in rows.scalars()]


async def get_endpoint(session: AsyncSession, endpoint_id: UUID, sealer: Sealer) -> Endpoint:
    row = await session.get(WebhookEndpoint, endpoint_id)
    if row is None:
        raise NotFound("no such webhook endpoint")
    return _endpoint(row, sealer)


async def create_endpoint(
    session: AsyncSession,
    change: EndpointChange,
    policy: UrlPolicy,
    actor: Actor,
    sealer: Sealer,
) -> Endpoint:
    if change.url is None or change.events is None:
        raise ValidationFailed("url and events are required")
    async with unit_of_work(session):
        row = WebhookEndpoint(
            url=check_url(change.url, policy),
            description=_description(change.description),
            events=list(check_events(change.events)),
            secret=sealer.encrypt(new_secret()),
            enabled=True if change.enabled is None else change.enabled,
            include_visitor_email=bool(change.include_visitor_email),
            consecutive_failures=0,
        )
        session.add(row)
        await session.flush()
        await session.refresh(row)
        await record(session, actor, "create", "webhook_endpoint", row.id, _audited(change))
        return _endpoint(row, sealer)


async def update_endpoint(
    session: AsyncSession,
    endpoint_id: UUID,
    change: EndpointChange,
    policy: UrlPolicy,
    actor: Actor,
    sealer: Sealer,
    *,
    rotate_secret: bool = False,
) -> Endpoint:
    async with unit_of_work(session):
        row = await session.get(WebhookEndpoint, endpoint_id, with_for_update=True)
        if row is None:
            raise NotFound("no such webhook endpoint")
        if change.url is not None:
            row.url = check_url(change.url, policy)
        if change.description is not None:
            row.description = _description(change.description)
        if change.events is not None:
            row.events = list(check_events(change.events))
        if change.include_visitor_email is not None:
            row.include_visitor_email = change.include_visitor_email
        if change.enabled is not None:
            row.enabled = change.enabled
            if change.enabled:
                # Switched back on by a person: the count starts again.
                row.consecutive_failures = 0
                row.disabled_reason = None
        if rotate_secret:
            row.secret = sealer.encrypt(new_secret())
        details = _audited(change) | {"url_host": urlsplit(row.url).netloc}
        if rotate_secret:
            details["rotate_secret"] = True
        await record(session, actor, "update", "webhook_endpoint", row.id, details)
        await session.flush()
        await session.refresh(row)
        return _endpoint(row, sealer)


async def delete_endpoint(session: AsyncSession, endpoint_id: UUID, actor: Actor) -> None:
    async with unit_of_work(session):
        gone = await session.execute(
            delete(WebhookEndpoint)
            .where(WebhookEndpoint.id == endpoint_id)
            .returning(WebhookEndpoint.url)
        )
        url = gone.scalar_one_or_none()
        if url is None:
            raise NotFound("no such webhook endpoint")
        details = {"url_host": urlsplit(url).netloc}
        await record(session, actor, "delete", "webhook_endpoint", endpoint_id, details)


async def delivery_log(
    session: AsyncSession, endpoint_id: UUID, limit: int = 50
) -> list[LoggedMessage]:
    rows = await session.execute(
        select(WebhookMessage)
        .where(WebhookMessage.endpoint_id == endpoint_id)
        .order_by(WebhookMessage.created_at.desc(), WebhookMessage.id)
        .limit(limit)
    )
    return [
        LoggedMessage(
            m.id,
            m.event_type,
            m.status,
            m.attempts,
            m.last_status_code,
            m.last_error,
            m.last_attempt_at,
            m.created_at,
            m.delivered_at,
        )
        for m in rows.scalars()
    ]


async def reset_failures(session: AsyncSession, endpoint_id: UUID) -> None:
    await session.execute(
        update(WebhookEndpoint)
        .where(WebhookEndpoint.id == endpoint_id, WebhookEndpoint.consecutive_failures != 0)
        .values(consecutive_failures=0)
    )


def envelope(event_type: str, timestamp: datetime, data: dict[str, Any]) -> dict[str, Any]:
    """The body every endpoint receives: Standard Webhooks' ``type``/``timestamp``/``data``
    and the payload's ``version``."""
    return {
        "type": event_type,
        "timestamp": timestamp.isoformat().replace("+00:00", "Z"),
        "version": PAYLOAD_VERSION,
        "data": data,
    }


def _endpoint(row: WebhookEndpoint, sealer: Sealer) -> Endpoint:
    return Endpoint(
        row.id,
        row.url,
        row.description,
        tuple(row.events),
        _opened(row.secret, sealer),
        row.enabled,
        row.include_visitor_email,
        row.consecutive_failures,
        row.disabled_reason,
        row.created_at,
    )


def _opened(sealed: str, sealer: Sealer) -> str | None:
    try:
        return sealer.decrypt(sealed)
    except ValueError:  # the Sealer's "no key opens it"
        return None


def _audited(change: EndpointChange) -> dict[str, Any]:
    """What the audit trail keeps of a change: which fields, not the URL's query (it may hold
    a key of the receiver's)."""
    values = replace(change, url=None if change.url is None else urlsplit(change.url).netloc)
    return {
        k: (list(v) if isinstance(v, (list, tuple)) else v)
        for k, v in (
            ("url_host", values.url),
            ("events", values.events),
            ("enabled", values.enabled),
            ("include_visitor_email", values.include_visitor_email),
        )
        if v is not None
    }
