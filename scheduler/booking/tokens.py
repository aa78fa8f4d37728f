"""Manage tokens: the visitor's link to their booking, stored only as SHA-256."""

from __future__ import annotations

from datetime import datetime, timedelta
from uuid import UUID

from sqlalchemy import (
    insert,
    select,
    update,
)
from sqlalchemy.ext.asyncio import AsyncSession

from scheduler.booking.models import (
    BookingRow,
    ManageToken,
)
from scheduler.platform import (
    BookingGone,
    InvalidToken,
    TokenExpired,
    digest,
    new_secret,
)

MANAGE_PURPOSE = "manage"


# A manage link keeps working a day after the meeting (to see what happened), no longer.
TOKEN_GRACE = timedelta(days=1)


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
            select(ManageToken.booking_id, BookingRow.personal_data_purged_at)
            .join(BookingRow, BookingRow.id == ManageToken.booking_id)
            .where(ManageToken.token_hash == digest(token))
        )
    ).first()
    if found is None:
        raise InvalidToken("this link is not valid")
    if found.personal_data_purged_at is not None:
        raise BookingGone("this booking's data has been erased")
    booking_id: UUID = found.booking_id
    return booking_id


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
