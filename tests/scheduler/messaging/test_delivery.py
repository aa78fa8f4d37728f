"""The sent-message record: a mail's record commits before the row's next mail leaves, the last
one's with the row's outcome, so a crash sends again only the mail in flight."""

from __future__ import annotations

from collections import Counter

from sqlalchemy import select

from api.wiring import Parts, build_handlers
from integrations.mail import SmtpMailer
from scheduler import booking
from scheduler.messaging import SentMessage
from scheduler.platform import Database, OutboxRow, outbox
from testkit.factories import NOW, TUESDAY_18H, Clock, make_mentor, visitor
from testkit.settings import settings_of
from testkit.smtp_sink import SmtpServer


def _handlers(db: Database, database_url: str, smtp: SmtpServer) -> dict[str, outbox.Handler]:
    settings = settings_of(database_url=database_url, embedded_worker=False)
    parts = Parts(db, SmtpMailer(smtp.settings().smtp, timeout=5), clock=Clock())
    return build_handlers(settings, parts, None)


async def _confirmation(db: Database) -> outbox.OutboxMessage:
    mentor = await make_mentor(db)
    async with db.sessions() as session:
        await booking.book(
            session, mentor_id=mentor.id, slot_start=TUESDAY_18H, visitor=visitor(1), now=NOW
        )
    async with db.sessions() as session:
        row = (
            await session.execute(
                select(OutboxRow).where(OutboxRow.kind == outbox.MAIL_BOOKING_CONFIRMED)
            )
        ).scalar_one()
        return outbox.OutboxMessage(row.id, row.kind, row.payload, row.attempts)


async def _recorded(db: Database) -> set[str]:
    async with db.sessions() as session:
        return set(await session.scalars(select(SentMessage.message_id)))


async def test_a_crash_before_the_rows_commit_sends_again_only_the_last_mail(
    db: Database, database_url: str, smtp: SmtpServer
) -> None:
    handlers = _handlers(db, database_url, smtp)
    message = await _confirmation(db)
    # The handler runs as in a delivery whose transaction then dies: its outcome (and the
    # statements left with it) never commit.
    await handlers[message.kind](message)
    first = [str(item.message()["Message-ID"]) for item in smtp.received]
    assert len(first) == 2 and len(message.with_outcome) == 1
    assert await _recorded(db) == {first[0]}

    await outbox.drain(db, handlers, worker_id="w", max_attempts=3, now=Clock(), concurrency=1)

    copies = Counter(str(item.message()["Message-ID"]) for item in smtp.received)
    assert copies == {first[0]: 1, first[1]: 2}
    assert await _recorded(db) == set(first)


async def test_the_last_mails_record_commits_with_its_row_delivered(
    db: Database, database_url: str, smtp: SmtpServer
) -> None:
    message = await _confirmation(db)
    handlers = {message.kind: _handlers(db, database_url, smtp)[message.kind]}
    await outbox.drain(db, handlers, worker_id="w", max_attempts=3, now=Clock())

    async with db.sessions() as session:
        row = await session.get(OutboxRow, message.id)
        records = (await session.scalars(select(SentMessage))).all()
    assert row is not None and row.status == "delivered"
    assert {record.outbox_id for record in records} == {message.id} and len(records) == 2
