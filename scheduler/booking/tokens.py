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
from sqlalchemy.orm import aliased

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
    """The booking a manage token leads to now: the **current** booking of the series the token
    was issued for (a reschedule adds a booking to the series, so the link in the first mail
    shows and acts on the new time, never the old one). InvalidToken when it belongs to none;
    the callers then check it with the booking id as for any other caller."""
    if not isinstance(token, str) or not token:
        raise InvalidToken("a manage token is required")
    issued = aliased(BookingRow)
    current = aliased(BookingRow)
    found = (
        await session.execute(
            select(current.id.label("booking_id"), current.personal_data_purged_at)
            .select_from(ManageToken)
            .join(issued, issued.id == ManageToken.booking_id)
            .join(current, current.series_id == issued.series_id)
            .where(ManageToken.token_hash == digest(token))
            .order_by(current.sequence.desc(), current.created_at.desc())
            .limit(1)
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
    """The token was issued for ``booking_id``'s series (any booking of it) and has not
    expired. It lives until a day after the series' *current* call, so a call moved later keeps
    the first mail's link working until then."""
    if not isinstance(token, str) or not token:
        raise InvalidToken("a manage token is required")
    issued = aliased(BookingRow)
    target = aliased(BookingRow)
    found = (
        await session.execute(
            select(
                ManageToken.purpose,
                ManageToken.expires_at,
                issued.series_id.label("issued_series"),
                target.series_id.label("target_series"),
                target.end_at,
            )
            .select_from(ManageToken)
            .join(issued, issued.id == ManageToken.booking_id)
            .join(target, target.id == booking_id)
            .where(ManageToken.token_hash == digest(token))
        )
    ).first()
    # One message for "unknown" and "another booking's": a token reveals nothing of others.
    if (
        found is None
        or found.issued_series != found.target_series
        or found.purpose != MANAGE_PURPOSE
    ):
        raise InvalidToken("this link is not valid for this booking")
    if max(found.expires_at, found.end_at + TOKEN_GRACE) <= now:
        raise TokenExpired("this link has expired")


async def _use_tokens(session: AsyncSession, booking_id: UUID, now: datetime) -> None:
    await session.execute(
        update(ManageToken)
        .where(ManageToken.booking_id == booking_id, ManageToken.used_at.is_(None))
        .values(used_at=now)
    )
