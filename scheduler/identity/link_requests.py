"""Sign-in link requests that cost the same whoever the address belongs to (issue 18).

The public form used to look the address up, issue a link and queue the mail while the person
waited, so a known mentor took about twice as long as a stranger: the timing told who is a
mentor. Now the request path does the same two things for every address — one statement that
counts the request in PostgreSQL (per address under a keyed hash, and overall), one outbox row —
and the worker does the lookup, the per-owner link limit and the mail (``deliver_link``).

The outbox row is the one place the address is kept: sealed (``Sealer``, the deployment's
Fernet keys), never logged, and emptied once the row is delivered or fails
(``outbox.SCRUBBED_KINDS``).
"""

from __future__ import annotations

import hashlib
import hmac
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from scheduler.catalog import get_mentor
from scheduler.identity import sessions
from scheduler.identity.models import Role
from scheduler.platform import Limit, Sealer, Settings, outbox, rate_limits, unit_of_work

log = logging.getLogger("thotis.identity.links")

__all__ = [
    "LinkRequestLimits",
    "LinkToSend",
    "address_key",
    "deliver_link",
    "link_request_limits",
    "request_link",
]

ADDRESS_WINDOW = timedelta(hours=1)
OVERALL_WINDOW = timedelta(minutes=1)


@dataclass(frozen=True, slots=True)
class LinkRequestLimits:
    """Requests per address and hour, and from everyone per minute (settings.http)."""

    per_address: Limit
    overall: Limit


def link_request_limits(settings: Settings) -> LinkRequestLimits:
    return LinkRequestLimits(
        per_address=Limit(settings.http.sign_in_link_limit_per_address, ADDRESS_WINDOW),
        overall=Limit(settings.http.sign_in_link_limit_overall, OVERALL_WINDOW),
    )


@dataclass(frozen=True, slots=True)
class LinkToSend:
    """What the worker mails: the address, the greeting's name (empty for staff), the token."""

    role: Role
    email: str
    name: str
    raw_token: str


def address_key(secret_key: str, email: str) -> str:
    """The rate-limit key of an address: an HMAC under the deployment's secret, so that the
    counters table cannot be matched against a list of addresses (a plain SHA-256 can)."""
    mac = hmac.new(secret_key.encode(), email.strip().lower().encode(), hashlib.sha256)
    return "sign-in:" + mac.hexdigest()


async def request_link(
    session: AsyncSession,
    *,
    role: Role,
    email: str,
    now: datetime,
    limits: LinkRequestLimits,
    secret_key: str,
    sealer: Sealer,
) -> bool:
    """Count the request and queue the link's work; whether it was queued (False: a limit is
    reached). The same statements run whatever the address: nothing here reads who it is."""
    email = email.strip().lower()
    sealed = sealer.encrypt(email)
    wait = await rate_limits.exceeded(
        session,
        [(address_key(secret_key, email), limits.per_address), ("sign-in:all", limits.overall)],
        now,
    )
    if wait is not None:
        log.info("sign-in link request dropped: a limit is reached")
        return False
    async with unit_of_work(session):
        await outbox.enqueue(
            session,
            [outbox.message(outbox.MAIL_SIGN_IN_LINK, now, role=role.value, sealed_email=sealed)],
        )
    return True


async def deliver_link(
    session: AsyncSession,
    payload: dict[str, object],
    *,
    now: datetime,
    sealer: Sealer,
    settings: Settings,
) -> LinkToSend | None:
    """The worker's half: the link for whoever the sealed address belongs to, or None when it is
    nobody's (not an active mentor; not staff) or its owner had enough links this quarter hour.
    Committed."""
    role = Role(str(payload["role"]))
    email = sealer.decrypt(str(payload["sealed_email"]))
    if role == Role.STAFF:
        if not sessions.staff_allowed(settings, email):
            return None
        if not await sessions.may_send_staff_sign_in_link(session, email, now):
            log.info("staff sign-in link not sent: the per-address limit is reached")
            await session.rollback()
            return None
        raw = await sessions.issue_staff_sign_in_link(session, email, now)
        return LinkToSend(role, email, "", raw)
    mentor_id = await sessions.sign_in_mentor_id(session, email)
    if mentor_id is None:
        return None
    if not await sessions.may_send_sign_in_link(session, mentor_id, now):
        log.info("sign-in link not sent: the per-address limit is reached")
        await session.rollback()
        return None
    mentor = await get_mentor(session, mentor_id)
    raw = await sessions.issue_sign_in_link(session, mentor_id, now)
    return LinkToSend(role, mentor.email, mentor.display_name, raw)
