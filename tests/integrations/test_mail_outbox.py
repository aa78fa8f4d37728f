"""Issue 7 end to end: bookings -> outbox rows -> the worker's mail handlers (``api.wiring``)
-> ``SmtpMailer`` -> a real aiosmtpd server, on a real PostgreSQL."""

from __future__ import annotations

import asyncio
from collections import Counter
from datetime import timedelta
from email.message import EmailMessage
from email.utils import parseaddr
from uuid import UUID

from icalendar import Calendar
from sqlalchemy import select

from api.wiring import Parts, build_handlers
from integrations.mail import SmtpMailer
from scheduler import booking
from scheduler.platform import Database, OutboxRow, SecretsSettings, Worker, outbox
from testkit.factories import NOW, TUESDAY_18H, Clock, make_mentor, visitor
from testkit.settings import settings_of
from testkit.smtp_sink import SmtpServer, free_port

PUBLIC = "https://rdv.thotis.test"


def _worker(
    db: Database, database_url: str, smtp: SmtpServer, clock: Clock, worker_id: str = "w1"
) -> Worker:
    settings = settings_of(database_url=database_url, public_url=PUBLIC, embedded_worker=False)
    parts = Parts(db, SmtpMailer(smtp.settings().smtp, timeout=5), clock=clock)
    handlers = build_handlers(settings, parts, None)
    return Worker(db, settings, handlers, worker_id=worker_id, clock=clock)


async def _book(db: Database, mentor_id: UUID, n: int = 1, **visitor_fields: object):  # type: ignore[no-untyped-def]
    async with db.sessions() as session:
        return await booking.book(
            session,
            mentor_id=mentor_id,
            slot_start=TUESDAY_18H,
            visitor=visitor(n, **visitor_fields),
            now=NOW,
            filiere="droit",
        )


def _messages(smtp: SmtpServer) -> list[EmailMessage]:
    return [item.message() for item in smtp.received]


def _to(message: EmailMessage) -> str:
    return parseaddr(str(message["To"]))[1]


def _invite(message: EmailMessage) -> tuple[str, str, int]:
    (part,) = [p for p in message.walk() if p.get_content_type() == "text/calendar"]
    calendar = Calendar.from_ical(part.get_payload(decode=True))
    event = calendar.walk("VEVENT")[0]
    assert str(calendar["METHOD"]) == part.get_param("method")
    return str(calendar["METHOD"]), str(event["UID"]), int(event["SEQUENCE"])


async def _rows(db: Database, kind: str) -> list[OutboxRow]:
    async with db.sessions() as session:
        found = await session.execute(select(OutboxRow).where(OutboxRow.kind == kind))
        return list(found.scalars())


async def test_a_booking_sends_exactly_the_expected_messages(
    db: Database, database_url: str, smtp: SmtpServer
) -> None:
    mentor = await make_mentor(db, name="Léa")
    made = await _book(
        db, mentor.id, first_name="Camille", timezone="America/Montreal", language="en"
    )
    await _worker(db, database_url, smtp, Clock()).drain_outbox()

    messages = {_to(m): m for m in _messages(smtp)}
    assert set(messages) == {"lea1@lycee.example.fr", mentor.email}
    assert len(smtp.received) == 2  # reminders and the follow-up wait for their time

    to_visitor = messages["lea1@lycee.example.fr"]
    assert to_visitor["Content-Language"] == "en"
    assert str(to_visitor["Subject"]).startswith("Call confirmed with Léa (Droit)")
    text = to_visitor.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    # Tuesday 18:00 in Paris is noon in Montreal (UTC-5 in January).
    assert "Tuesday 8 January 2030 at 12:00 (Montreal time)" in text
    assert _invite(to_visitor) == ("REQUEST", f"{made.booking.series_id}@thotis.fr", 0)
    # The manage link in the mail is a working credential for this booking.
    token = text.split(f"{PUBLIC}/manage/")[1].split()[0]
    async with db.sessions() as session:
        assert await booking.booking_id_for_token(session, token) == made.booking.id

    to_mentor = messages[mentor.email]
    assert to_mentor["Content-Language"] == "fr"
    assert (
        "mardi 8 janvier 2030 à 18:00 (heure de Paris)"
        in to_mentor.get_body(("plain",)).get_content()
    )  # type: ignore[union-attr]
    assert "Comment se passe la première année ?" in to_mentor.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    assert token not in to_mentor.as_string()
    assert _invite(to_mentor)[0] == "REQUEST"
    for message in messages.values():
        assert message["List-Unsubscribe"] is None


async def _reschedule_then_cancel(
    db: Database, database_url: str, smtp: SmtpServer
) -> tuple[UUID, dict[str, list[EmailMessage]], str]:
    mentor = await make_mentor(db)
    made = await _book(db, mentor.id)
    worker = _worker(db, database_url, smtp, Clock())
    await worker.drain_outbox()
    async with db.sessions() as session:
        moved = await booking.reschedule_by_token(
            session, made.booking.id, made.manage_token, TUESDAY_18H + timedelta(hours=1), NOW
        )
    await worker.drain_outbox()
    async with db.sessions() as session:
        await booking.cancel_by_token(
            session, moved.booking.id, moved.manage_token, NOW, reason="Conseil de classe"
        )
    await worker.drain_outbox()
    by_kind: dict[str, list[EmailMessage]] = {}
    for message in _messages(smtp):
        by_kind.setdefault(str(message["X-Thotis-Kind"]), []).append(message)
    return made.booking.series_id, by_kind, mentor.email


async def test_reschedule_then_cancel_keep_the_uid(
    db: Database, database_url: str, smtp: SmtpServer
) -> None:
    series_id, by_kind, mentor_email = await _reschedule_then_cancel(db, database_url, smtp)
    assert {kind: len(found) for kind, found in by_kind.items()} == {
        "booked": 2,
        "rescheduled": 2,
        "cancelled": 2,
    }
    uid = f"{series_id}@thotis.fr"
    invites = {kind: {_invite(m) for m in found} for kind, found in by_kind.items()}
    assert invites["booked"] == {("REQUEST", uid, 0)}
    assert invites["rescheduled"] == {("REQUEST", uid, 1)}
    ((method, cancel_uid, cancel_sequence),) = invites["cancelled"]
    assert (method, cancel_uid) == ("CANCEL", uid)
    assert cancel_sequence >= 1
    cancelled_for_mentor = next(m for m in by_kind["cancelled"] if _to(m) == mentor_email)
    assert "Conseil de classe" in cancelled_for_mentor.get_body(("plain",)).get_content()  # type: ignore[union-attr]


async def test_cancel_raises_the_sequence(
    db: Database, database_url: str, smtp: SmtpServer
) -> None:
    _, by_kind, _ = await _reschedule_then_cancel(db, database_url, smtp)
    assert {_invite(m)[2] for m in by_kind["cancelled"]} == {2}


async def test_smtp_down_then_up_delivers_each_message_once(
    db: Database, database_url: str
) -> None:
    server = SmtpServer()
    server.port = free_port()
    clock = Clock()
    mentor = await make_mentor(db)
    await _book(db, mentor.id)
    worker = _worker(db, database_url, server, clock)

    await worker.drain_outbox()
    (row,) = await _rows(db, outbox.MAIL_BOOKING_CONFIRMED)
    assert (row.status, row.attempts) == ("pending", 1)

    server.start()
    try:
        # Up again, but the mentor's server-side mailbox answers 451 once: the visitor's copy
        # goes, the row is retried, and the retry must not send the visitor's copy again.
        server.fail_for(mentor.email, "451 4.2.0 mailbox busy")
        clock.now += outbox.BACKOFF_CAP
        await worker.drain_outbox()
        clock.now += outbox.BACKOFF_CAP
        await worker.drain_outbox()
        clock.now += outbox.BACKOFF_CAP
        await worker.drain_outbox()
        received = Counter((_to(m), str(m["Message-ID"])) for m in _messages(server))
        assert sorted(to for to, _ in received) == sorted(["lea1@lycee.example.fr", mentor.email])
        assert set(received.values()) == {1}
        (row,) = await _rows(db, outbox.MAIL_BOOKING_CONFIRMED)
        assert row.status == "delivered"
    finally:
        server.stop()


async def test_a_5xx_is_recorded_as_failed_and_not_retried(
    db: Database, database_url: str, smtp: SmtpServer
) -> None:
    clock = Clock()
    mentor = await make_mentor(db)
    await _book(db, mentor.id)
    smtp.fail_for("lea1@lycee.example.fr", "550 5.1.1 <{address}>: no such user", times=5)
    worker = _worker(db, database_url, smtp, clock)
    await worker.drain_outbox()

    (row,) = await _rows(db, outbox.MAIL_BOOKING_CONFIRMED)
    assert row.status == "failed" and row.attempts == 1
    assert "550" in (row.last_error or "")
    assert "lea1@lycee.example.fr" not in (row.last_error or "")
    clock.now += outbox.BACKOFF_CAP
    await worker.drain_outbox()
    (row,) = await _rows(db, outbox.MAIL_BOOKING_CONFIRMED)
    assert row.attempts == 1
    assert not [m for m in _messages(smtp) if _to(m) == "lea1@lycee.example.fr"]


async def test_reminders_go_once_with_two_workers_and_never_for_a_cancelled_booking(
    db: Database, database_url: str, smtp: SmtpServer
) -> None:
    clock = Clock()
    mentor = await make_mentor(db)
    other = await make_mentor(db)
    kept = await _book(db, mentor.id, 1)
    dropped = await _book(db, other.id, 2)
    async with db.sessions() as session:
        await booking.cancel_by_token(session, dropped.booking.id, dropped.manage_token, NOW)

    workers = [_worker(db, database_url, smtp, clock, worker_id=f"w{i}") for i in (1, 2)]
    await asyncio.gather(*(w.drain_outbox() for w in workers))
    clock.now = TUESDAY_18H - timedelta(minutes=30)  # both reminders are due
    await asyncio.gather(*(w.drain_outbox() for w in workers))
    clock.now = TUESDAY_18H + timedelta(hours=2)  # and the follow-up
    await asyncio.gather(*(w.drain_outbox() for w in workers))

    sent = Counter((str(m["X-Thotis-Kind"]), _to(m)) for m in _messages(smtp))
    assert set(sent.values()) == {1}, sent
    visitor_kept, visitor_dropped = "lea1@lycee.example.fr", "lea2@lycee.example.fr"
    assert set(sent) == {
        ("booked", visitor_kept),
        ("booked", mentor.email),
        ("reminder_24h", visitor_kept),
        ("reminder_24h", mentor.email),
        ("reminder_1h", visitor_kept),
        ("reminder_1h", mentor.email),
        ("follow_up", visitor_kept),
        ("booked", visitor_dropped),
        ("booked", other.email),
        ("cancelled", visitor_dropped),
        ("cancelled", other.email),
    }
    follow_up = next(m for m in _messages(smtp) if m["X-Thotis-Kind"] == "follow_up")
    text = follow_up.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    assert f"{PUBLIC}/v1/feedback/{kept.booking.id}?token=" in text
    assert "&helpful=yes" in text and "&helpful=no" in text


async def test_the_mails_carry_each_partys_join_link_and_the_mentor_never_the_visitors_address(
    db: Database, database_url: str, smtp: SmtpServer
) -> None:
    mentor = await make_mentor(db, name="Léa")
    made = await _book(db, mentor.id, first_name="Camille")
    await _worker(db, database_url, smtp, Clock()).drain_outbox()
    secret = SecretsSettings().secret_key
    series = made.booking.series_id
    links = {
        made.booking.visitor_email: booking.join_url(PUBLIC, secret, series, "visitor"),
        mentor.email: booking.join_url(PUBLIC, secret, series, "mentor"),
    }
    for message in _messages(smtp):
        decoded = b"".join(
            part.get_payload(decode=True) or b""
            for part in message.walk()
            if not part.is_multipart()
        ).decode()
        mine = links[_to(message)]
        assert mine in decoded
        assert all(link not in decoded for link in links.values() if link != mine)
        if _to(message) == mentor.email:
            assert made.booking.visitor_email not in decoded + str(message)
