"""The booking limits at the HTTP door (issue 15), kept in PostgreSQL so that they hold across
processes and replicas (``scheduler.platform.rate_limits``).

Keyed so that one client cannot lock out a whole school behind one NAT address: a high ceiling
per client address, a low one per visitor email (under its SHA-256), and one per mentor and slot
(per booking for a reschedule). A refusal is a 429 ``rate_limited`` with ``Retry-After``, raised
before the booking service runs, so nothing but the counters is stored.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

from litestar import Request
from litestar.exceptions import TooManyRequestsException
from sqlalchemy.ext.asyncio import AsyncSession

from api.deps import client_address
from scheduler.platform import (
    Limit,
    Settings,
    TooManyVerifications,
    booking_limits,
    rate_limits,
)


async def _enforce(session: AsyncSession, checks: list[tuple[str, Limit]], now: datetime) -> None:
    wait = await rate_limits.exceeded(session, checks, now)
    if wait is not None:
        raise TooManyRequestsException(
            detail="rate limit exceeded", headers={"Retry-After": str(wait)}
        )


async def check_booking(
    request: Request[Any, Any, Any],
    session: AsyncSession,
    settings: Settings,
    now: datetime,
    *,
    email: str,
    mentor_id: UUID,
    slot_start: datetime,
) -> None:
    """Count a booking request; 429 when its address, email or slot is over its limit."""
    limits = booking_limits(settings.http)
    await _enforce(
        session,
        [
            (f"address:{client_address(request)}", limits.per_address),
            (rate_limits.email_key(email), limits.per_email),
            (f"slot:{mentor_id}:{slot_start.isoformat()}", limits.per_slot),
        ],
        now,
    )


async def check_reschedule(
    request: Request[Any, Any, Any],
    session: AsyncSession,
    settings: Settings,
    now: datetime,
    *,
    booking_id: UUID,
) -> None:
    """Count a reschedule request; 429 when its address or booking is over its limit."""
    limits = booking_limits(settings.http)
    await _enforce(
        session,
        [
            (f"address:{client_address(request)}", limits.per_address),
            (f"booking:{booking_id}", limits.per_slot),
        ],
        now,
    )


async def check_first_available(
    request: Request[Any, Any, Any],
    session: AsyncSession,
    settings: Settings,
    now: datetime,
    *,
    email: str,
    filiere: str,
    slot_start: datetime,
) -> None:
    """Count a first-available booking request: its address and email as any booking, and the
    filière's time as one slot (each request may lock every free mentor of it in turn)."""
    limits = booking_limits(settings.http)
    await _enforce(
        session,
        [
            (f"address:{client_address(request)}", limits.per_address),
            (rate_limits.email_key(email), limits.per_email),
            (f"filiere-slot:{filiere}:{slot_start.isoformat()}", limits.per_slot),
        ],
        now,
    )


async def check_verification(
    request: Request[Any, Any, Any],
    session: AsyncSession,
    settings: Settings,
    now: datetime,
    *,
    verification_id: UUID,
) -> None:
    """Count a code typed in; 429 when its address or verification is over its limit (the
    verification itself ends after a few wrong codes)."""
    limits = booking_limits(settings.http)
    await _enforce(
        session,
        [
            (f"address:{client_address(request)}", limits.per_address),
            (f"verification:{verification_id}", limits.per_slot),
        ],
        now,
    )


async def check_verification_start(
    request: Request[Any, Any, Any], session: AsyncSession, settings: Settings, now: datetime
) -> None:
    """Count a verification started from this client address; 429 ``too_many_verifications``
    over ``VERIFICATION_LIMIT_PER_ADDRESS`` an hour (each one would hold a slot and mail a code,
    so made-up addresses from one client cannot hold slot after slot)."""
    limit = Limit(settings.http.verification_limit_per_address, timedelta(hours=1))
    wait = await rate_limits.exceeded(
        session, [(f"verification-address:{client_address(request)}", limit)], now
    )
    if wait is not None:
        raise TooManyVerifications(
            "too many verifications from this address; try again later",
            retry_after_seconds=wait,
        )
