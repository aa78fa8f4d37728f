"""Mail sent at least once, and again only when a crash caught it in flight: the sent-message
record, keyed by the Message-ID.

The rule (``send_letters``): a row's mails leave one at a time, and each mail's record is
committed before the next one leaves; the last one's is committed with the row's outcome, in
the transaction that marks the row delivered (``OutboxMessage.with_outcome``). So at any
instant a delivery slot has at most one mail accepted by the SMTP server and not yet recorded,
and a crash (the worker or PostgreSQL killed) between that acceptance and its commit is the
only way a mail goes twice: the row is pending again, the retry composes the same Message-ID
(``integrations.messages.message_id``), finds no record for it and sends it again. Every mail
whose record committed is skipped by the retry; a mail whose record did not commit is sent
again, so none is lost.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from email.message import EmailMessage

from sqlalchemy import BigInteger, DateTime, Text, func, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column
from sqlalchemy.sql import Executable

from scheduler.messaging.ports import Mailer
from scheduler.platform import Base, Database, OutboxMessage


class SentMessage(Base):
    __tablename__ = "sent_messages"

    message_id: Mapped[str] = mapped_column(Text, primary_key=True)
    outbox_id: Mapped[int | None] = mapped_column(BigInteger)
    sent_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


async def already_sent(session: AsyncSession, message_ids: Sequence[str]) -> set[str]:
    """Which of ``message_ids`` have a record (one query for all of a row's mails)."""
    if not message_ids:
        return set()
    found = await session.scalars(
        select(SentMessage.message_id).where(SentMessage.message_id.in_(list(message_ids)))
    )
    return set(found)


def record(message_id: str, outbox_id: int | None) -> Executable:
    """The statement that records ``message_id`` as accepted (again: nothing changes)."""
    return (
        pg_insert(SentMessage)
        .values(message_id=message_id, outbox_id=outbox_id)
        .on_conflict_do_nothing()
    )


async def send_letters(
    database: Database,
    mailer: Mailer,
    message: OutboxMessage,
    letters: Sequence[EmailMessage],
) -> list[Exception]:
    """Send the ``letters`` of outbox row ``message`` (those ``already_sent`` left), one at a
    time, by the rule in the module's docstring. Returns the failures: one person's
    refusal must not keep the other from being told, so each letter is tried."""
    failures: list[Exception] = []
    unrecorded: str | None = None
    for letter in letters:
        if unrecorded is not None:
            # One statement in autocommit: one round trip instead of BEGIN, INSERT, COMMIT.
            async with database.engine.connect() as connection:
                await connection.execution_options(isolation_level="AUTOCOMMIT")
                await connection.execute(record(unrecorded, message.id))
            unrecorded = None
        try:
            await mailer.send(letter)
        except Exception as error:
            failures.append(error)
            continue
        unrecorded = str(letter["Message-ID"])
    if unrecorded is not None:
        message.with_outcome.append(record(unrecorded, message.id))
    return failures
