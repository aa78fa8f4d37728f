"""The visitor's feedback after the call, through a signed link."""

from __future__ import annotations

import hashlib
import hmac
from datetime import datetime
from uuid import UUID

from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession

from scheduler.booking.models import BookingRow, Feedback
from scheduler.platform import (
    BookingGone,
    InvalidToken,
    NotFound,
    outbox,
    system_clock,
    unit_of_work,
)


def feedback_token(secret_key: str, booking_id: UUID) -> str:
    """A signature, not a stored secret: the follow-up link only proves it came from us."""
    mac = hmac.new(secret_key.encode(), f"feedback:{booking_id}".encode(), hashlib.sha256)
    return mac.hexdigest()[:32]


async def record_feedback(
    session: AsyncSession,
    secret_key: str,
    booking_id: UUID,
    token: str,
    helpful: bool,
    now: datetime | None = None,
) -> None:
    """Store (or change) the visitor's answer to "did the exchange help?"."""
    # Bytes, not str: compare_digest refuses non-ASCII text, and a link may carry anything.
    if not hmac.compare_digest(feedback_token(secret_key, booking_id).encode(), token.encode()):
        raise InvalidToken("this feedback link is not valid")
    async with unit_of_work(session):
        found = (
            await session.execute(
                select(BookingRow.personal_data_purged_at).where(BookingRow.id == booking_id)
            )
        ).first()
        if found is None:
            raise NotFound("no such booking")
        if found.personal_data_purged_at is not None:
            # Feedback is only counted once its booking is forgotten: no new row names it.
            raise BookingGone("this booking's data has been erased")
        statement = pg_insert(Feedback).values(booking_id=booking_id, helpful=helpful)
        await session.execute(
            statement.on_conflict_do_update(
                index_elements=[Feedback.booking_id], set_={"helpful": helpful, "at": func.now()}
            )
        )
        event = outbox.webhook_event(
            "feedback.received", booking_id, now or system_clock(), helpful=str(helpful).lower()
        )
        await outbox.enqueue(session, [event])
