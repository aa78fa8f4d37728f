"""The daily digest end to end: notification preference -> the worker's mail handlers and its
hourly digest job (``api.wiring``) -> ``SmtpMailer`` -> a real aiosmtpd server, on a real
PostgreSQL."""

from __future__ import annotations

import asyncio
from collections import Counter
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import parseaddr
from uuid import UUID

from sqlalchemy import select
from sqlalchemy import text as sql

from api.wiring import Parts, build_worker
from integrations.mail import SmtpMailer
from scheduler import booking
from scheduler.catalog import MentorPreferences
from scheduler.identity import invitations
from scheduler.messaging import digest as mentor_digest
from scheduler.platform import Database, SecretsSettings, Worker
from testkit.factories import NOW, TUESDAY_18H, Clock, make_mentor, visitor
from testkit.settings import settings_of
from testkit.smtp_sink import SmtpServer

PUBLIC = "https://rdv.thotis.test"
# NOW is 09:00 in Paris on Monday 7 January 2030; the meeting is Tuesday 18:00 Paris.
TUESDAY_0630_PARIS = datetime.fromisoformat("2030-01-08T05:30:00+00:00")
TUESDAY_0730_PARIS = datetime.fromisoformat("2030-01-08T06:30:00+00:00")


def _worker(db: Database, database_url: str, smtp: SmtpServer, clock: Clock) -> Worker:
    settings = settings_of(database_url=database_url, public_url=PUBLIC, embedded_worker=False)
    return build_worker(
        settings, Parts(db, SmtpMailer(smtp.settings().smtp, timeout=5), clock=clock)
    )


async def _run_digest(worker: Worker) -> None:
    (job,) = [job for job in worker.periodic if job.name == "mentor_digest"]
    assert job.every == timedelta(hours=1)
    await job.run()


async def _prefer(db: Database, mentor_id: UUID, notify: str) -> None:
    async with db.sessions() as session:
        # Chosen the evening before: per-booking mails stopped then.
        await invitations.set_notify(session, mentor_id, notify, NOW - timedelta(hours=12))


async def _book(db: Database, mentor_id: UUID, n: int, start: datetime = TUESDAY_18H):  # type: ignore[no-untyped-def]
    async with db.sessions() as session:
        return await booking.book(
            session,
            mentor_id=mentor_id,
            slot_start=start,
            visitor=visitor(n, first_name=f"Élève{n}"),
            now=NOW,
            filiere="droit",
        )


def _sent(smtp: SmtpServer) -> list[tuple[str, str]]:
    """(recipient, kind) of every message received."""
    found = []
    for item in smtp.received:
        message = item.message()
        found.append((parseaddr(str(message["To"]))[1], str(message["X-Thotis-Kind"])))
    return found


def _digests(smtp: SmtpServer) -> list[EmailMessage]:
    return [m for m in (i.message() for i in smtp.received) if str(m["X-Thotis-Kind"]) == "digest"]


def _text(message: EmailMessage) -> str:
    return message.get_body(("plain",)).get_content()  # type: ignore[union-attr]


async def test_digest_mentor_gets_no_booking_mail_but_one_digest(
    db: Database, database_url: str, smtp: SmtpServer
) -> None:
    digest_mentor = await make_mentor(db, name="Léa")
    each_mentor = await make_mentor(db, name="Hugo")
    async with db.sessions() as session:  # the factories name the filière alike in both
        await session.execute(sql("UPDATE filieres SET name_en = 'Law' WHERE slug = 'droit'"))
        await session.commit()
    await _prefer(db, digest_mentor.id, "digest")
    await _prefer(db, each_mentor.id, "each")
    clock = Clock()
    worker = _worker(db, database_url, smtp, clock)
    made = await _book(db, digest_mentor.id, 1)
    await _book(db, each_mentor.id, 2)
    await worker.drain_outbox()

    sent = Counter(_sent(smtp))
    # The visitors are told as before; only the per-booking mentor hears of their booking.
    assert sent == Counter(
        {
            ("lea1@lycee.example.fr", "booked"): 1,
            ("lea2@lycee.example.fr", "booked"): 1,
            (each_mentor.email, "booked"): 1,
        }
    )

    await _run_digest(worker)
    (digest,) = _digests(smtp)
    assert parseaddr(str(digest["To"]))[1] == digest_mentor.email
    text = _text(digest)
    assert text.index("Réservés depuis le dernier récapitulatif") < text.index("Booked since")
    assert "mardi 8 janvier 2030 à 18:00" in text
    french, english = text.split("Booked since")
    assert "Élève1 (Droit)" in french and "Élève1 (Law)" in english
    assert "Comment se passe la première année ?" in text
    assert "Élève2" not in text  # the other mentor's booking
    html = digest.get_body(("html",)).get_content()  # type: ignore[union-attr]
    assert "Élève1" in html

    # Later the same day: nothing more, even after a reschedule (it waits for tomorrow).
    moved_start = TUESDAY_18H + timedelta(hours=1)
    clock.now = NOW + timedelta(hours=1)
    async with db.sessions() as session:
        moved = await booking.reschedule_by_token(
            session, made.booking.id, made.manage_token, moved_start, clock.now
        )
    await worker.drain_outbox()
    clock.now = NOW + timedelta(hours=5)
    await _run_digest(worker)
    assert len(_digests(smtp)) == 1
    assert (digest_mentor.email, "rescheduled") not in _sent(smtp)
    assert ("lea1@lycee.example.fr", "rescheduled") in _sent(smtp)

    # Before 07:00 their time the next day: still nothing; at 07:30 the second digest.
    clock.now = TUESDAY_0630_PARIS
    await _run_digest(worker)
    assert len(_digests(smtp)) == 1
    clock.now = TUESDAY_0730_PARIS
    await _run_digest(worker)
    first, second = _digests(smtp)
    assert first["Message-ID"] != second["Message-ID"]
    text = _text(second)
    assert "nouvel horaire" in text
    # 19:00 Paris is within the next 24 hours of 07:30.
    upcoming = text.split("Vos échanges des prochaines 24 heures")[1].split("----")[0]
    assert "mardi 8 janvier 2030 à 19:00" in upcoming
    # Each coming call with the mentor's own join link (Jitsi here: no Meet link to show).
    series = made.booking.series_id
    assert booking.join_url(PUBLIC, SecretsSettings().secret_key, series, "mentor") in upcoming
    assert booking.join_url(PUBLIC, SecretsSettings().secret_key, series, "visitor") not in text

    # A visitor's cancellation still reaches the digest mentor at once.
    async with db.sessions() as session:
        await booking.cancel_by_token(
            session, moved.booking.id, moved.manage_token, TUESDAY_0730_PARIS
        )
    await worker.drain_outbox()
    assert (digest_mentor.email, "cancelled") in _sent(smtp)


async def test_two_workers_send_the_day_digest_once(
    db: Database, database_url: str, smtp: SmtpServer
) -> None:
    mentors = [await make_mentor(db) for _ in range(3)]
    for n, mentor in enumerate(mentors, start=1):
        await _prefer(db, mentor.id, "digest")
        await _book(db, mentor.id, n)
    clock = Clock()
    first = _worker(db, database_url, smtp, clock)
    await first.drain_outbox()
    other_db = Database.from_url(database_url)
    try:
        second = _worker(other_db, database_url, smtp, clock)
        await asyncio.gather(_run_digest(first), _run_digest(second))
        await asyncio.gather(_run_digest(first), _run_digest(second))
    finally:
        await other_db.dispose()
    recipients = Counter(parseaddr(str(m["To"]))[1] for m in _digests(smtp))
    assert recipients == Counter({m.email: 1 for m in mentors})


async def test_nothing_to_say_sends_nothing(
    db: Database, database_url: str, smtp: SmtpServer
) -> None:
    mentor = await make_mentor(db)
    await _prefer(db, mentor.id, "digest")
    await _run_digest(_worker(db, database_url, smtp, Clock()))
    assert smtp.received == []
    async with db.sessions() as session:
        sent_on = await session.scalar(
            select(MentorPreferences.digest_sent_on).where(MentorPreferences.mentor_id == mentor.id)
        )
    assert sent_on == NOW.date()


async def test_a_refused_digest_is_tried_again_next_run(
    db: Database, database_url: str, smtp: SmtpServer
) -> None:
    mentor = await make_mentor(db)
    await _prefer(db, mentor.id, "digest")
    await _book(db, mentor.id, 1)
    clock = Clock()
    worker = _worker(db, database_url, smtp, clock)
    smtp.fail_for(mentor.email, "451 4.2.0 mailbox busy")
    await _run_digest(worker)
    assert _digests(smtp) == []
    clock.now += timedelta(hours=1)
    await _run_digest(worker)
    assert [parseaddr(str(m["To"]))[1] for m in _digests(smtp)] == [mentor.email]


async def test_a_mentor_back_on_the_digest_is_not_told_again_of_bookings_mailed_one_by_one(
    db: Database, database_url: str, smtp: SmtpServer
) -> None:
    mentor = await make_mentor(db, name="Léa")
    await _prefer(db, mentor.id, "digest")
    clock = Clock(TUESDAY_0730_PARIS - timedelta(days=1))  # Monday 07:30: a first digest
    worker = _worker(db, database_url, smtp, clock)
    await _run_digest(worker)
    async with db.sessions() as session:
        await invitations.set_notify(session, mentor.id, "each", clock.now)
    await _book(db, mentor.id, 1)  # mailed to the mentor on its own
    clock.now = NOW
    await worker.drain_outbox()
    assert (mentor.email, "booked") in _sent(smtp)
    async with db.sessions() as session:
        await invitations.set_notify(session, mentor.id, "digest", NOW + timedelta(hours=1))
        await invitations.set_notify(session, mentor.id, "digest", NOW + timedelta(hours=2))
    clock.now = TUESDAY_0730_PARIS
    await _run_digest(worker)
    tuesday = _text(_digests(smtp)[-1])
    assert "Aucune nouvelle réservation depuis le dernier récapitulatif." in tuesday
    assert "Vos échanges des prochaines 24 heures" in tuesday and "Élève1" in tuesday


async def test_a_digest_being_sent_does_not_hold_up_the_mentors_settings(db: Database) -> None:
    mentor = await make_mentor(db)
    await _prefer(db, mentor.id, "digest")
    await _book(db, mentor.id, 1)
    async with mentor_digest.claim(db, mentor.id, NOW) as content:
        assert content is not None  # the mail would be on its way now
        async with db.sessions() as session:
            await session.execute(sql("SET LOCAL lock_timeout = '1s'"))
            await invitations.set_notify(session, mentor.id, "digest", NOW)
        async with mentor_digest.claim(db, mentor.id, NOW) as second:
            assert second is None  # another worker's claim is still refused
