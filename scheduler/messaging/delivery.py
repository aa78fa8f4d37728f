"""Once-only delivery of each message across retries: the sent-message record."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, DateTime, Text, func, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from scheduler.platform import Base, unit_of_work


class SentMessage(Base):
    __tablename__ = "sent_messages"

    message_id: Mapped[str] = mapped_column(Text, primary_key=True)
    outbox_id: Mapped[int | None] = mapped_column(BigInteger)
    sent_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


async def already_sent(session: AsyncSession, message_id: str) -> bool:
    found = await session.execute(
        select(SentMessage.message_id).where(SentMessage.message_id == message_id)
    )
    return found.first() is not None


async def mark_sent(session: AsyncSession, message_id: str, outbox_id: int | None) -> None:
    async with unit_of_work(session):
        await session.execute(
            pg_insert(SentMessage)
            .values(message_id=message_id, outbox_id=outbox_id)
            .on_conflict_do_nothing()
        )
