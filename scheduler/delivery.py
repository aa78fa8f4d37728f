"""What the outbox handlers for mail share: once-only delivery of each message across retries,
and the visitor's feedback after the call.

A booking's confirmation goes to two people; if the second send fails, the outbox retries the
row, and the first person must not get the message twice. Each message has a deterministic
Message-ID (kind, recipient, booking, sequence): a sent one is recorded and skipped on retry.
"""

from __future__ import annotations

import hashlib
import hmac
from datetime import datetime
from uuid import UUID

from sqlalchemy import BigInteger, Boolean, DateTime, ForeignKey, Text, func, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from scheduler.errors import InvalidToken, NotFound
from scheduler.models import Base, BookingRow


class SentMessage(Base):
    __tablename__ = "sent_messages"

    message_id: Mapped[str] = mapped_column(Text, primary_key=True)
    outbox_id: Mapped[int | None] = mapped_column(BigInteger)
    sent_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class Feedback(Base):
    __tablename__ = "feedback"

    booking_id: Mapped[UUID] = mapped_column(
        ForeignKey("bookings.id", ondelete="CASCADE"), primary_key=True
    )
    helpful: Mapped[bool] = mapped_column(Boolean)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


async def already_sent(session: AsyncSession, message_id: str) -> bool:
    found = await session.execute(
        select(SentMessage.message_id).where(SentMessage.message_id == message_id)
    )
    return found.first() is not None


async def mark_sent(session: AsyncSession, message_id: str, outbox_id: int | None) -> None:
    await session.execute(
        pg_insert(SentMessage)
        .values(message_id=message_id, outbox_id=outbox_id)
        .on_conflict_do_nothing()
    )
    await session.commit()


def feedback_token(secret_key: str, booking_id: UUID) -> str:
    """A signature, not a stored secret: the follow-up link only proves it came from us."""
    mac = hmac.new(secret_key.encode(), f"feedback:{booking_id}".encode(), hashlib.sha256)
    return mac.hexdigest()[:32]


async def record_feedback(
    session: AsyncSession, secret_key: str, booking_id: UUID, token: str, helpful: bool
) -> None:
    """Store (or change) the visitor's answer to "did the exchange help?"."""
    # Bytes, not str: compare_digest refuses non-ASCII text, and a link may carry anything.
    if not hmac.compare_digest(feedback_token(secret_key, booking_id).encode(), token.encode()):
        raise InvalidToken("this feedback link is not valid")
    exists = await session.execute(select(BookingRow.id).where(BookingRow.id == booking_id))
    if exists.first() is None:
        raise NotFound("no such booking")
    statement = pg_insert(Feedback).values(booking_id=booking_id, helpful=helpful)
    await session.execute(
        statement.on_conflict_do_update(
            index_elements=[Feedback.booking_id], set_={"helpful": helpful, "at": func.now()}
        )
    )
    await session.commit()
