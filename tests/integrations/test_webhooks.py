"""Issue 19 end to end: a booking's change -> the ``webhook.event`` outbox row -> fan-out ->
``webhook.deliver`` -> ``HttpWebhookSender`` -> a real HTTP receiver on loopback, which checks
the signature with the Standard Webhooks reference library; on a real PostgreSQL."""

from __future__ import annotations

import asyncio
import json
from datetime import timedelta
from typing import Any
from uuid import UUID

import pytest
from sqlalchemy import select
from standardwebhooks import Webhook

from api.wiring import Parts, build_handlers
from integrations.mail import SmtpMailer
from integrations.webhooks import AddressRefused, HttpWebhookSender
from scheduler import booking
from scheduler.calendar import SecretBox
from scheduler.messaging import EndpointChange, UrlPolicy, webhook_delivery, webhooks
from scheduler.messaging.webhook_models import WebhookEndpoint, WebhookMessage
from scheduler.platform import Database, OutboxRow, Settings, Worker, outbox
from testkit.factories import NOW, STAFF, TUESDAY_18H, Clock, make_mentor, visitor
from testkit.settings import changed, settings_of
from testkit.smtp_sink import SmtpServer
from testkit.webhook_receiver import Pause, WebhookReceiver, webhook_receiver

LOCAL = "http://127.0.0.1:8000"


def _settings(database_url: str, **flat: Any) -> Settings:
    return settings_of(database_url=database_url, public_url=LOCAL, embedded_worker=False, **flat)


def _unused_smtp(settings: Settings) -> Settings:
    """An SMTP server nobody listens on: only the webhook kinds run in these workers."""
    return changed(settings, smtp_host="127.0.0.1", smtp_port=9)


def _worker(
    db: Database,
    settings: Settings,
    clock: Clock,
    worker_id: str = "w1",
    smtp: SmtpServer | None = None,
) -> Worker:
    mailer = SmtpMailer((smtp.settings() if smtp else _unused_smtp(settings)).smtp, timeout=5)
    handlers = build_handlers(settings, Parts(db, mailer, clock=clock), None)
    # Only the webhook kinds (and the staff mail): the booking mails have no SMTP here.
    kinds = {outbox.WEBHOOK_EVENT, outbox.WEBHOOK_DELIVER}
    if smtp is not None:
        kinds.add(outbox.MAIL_WEBHOOK_DISABLED)
    mine = {k: h for k, h in handlers.items() if k in kinds}
    # Two workers share this test's one connection pool (a process has its own): each holds a
    # row's connection while it delivers and takes a second one, so fewer at once per worker.
    return Worker(db, settings, mine, worker_id=worker_id, clock=clock, concurrency=4)


async def _endpoint(
    db: Database,
    settings: Settings,
    url: str,
    events: tuple[str, ...] = ("booking.created",),
    **change: Any,
) -> webhooks.Endpoint:
    async with db.sessions() as session:
        return await webhooks.create_endpoint(
            session,
            EndpointChange(url=url, events=events, **change),
            UrlPolicy.from_settings(settings),
            STAFF,
            SecretBox(settings.secrets),
        )


async def _book(
    db: Database, mentor_id: UUID, n: int = 1, slot: int | None = None
) -> booking.BookResult:
    async with db.sessions() as session:
        return await booking.book(
            session,
            mentor_id=mentor_id,
            slot_start=TUESDAY_18H + timedelta(minutes=15 * (n - 1 if slot is None else slot)),
            visitor=visitor(n),
            now=NOW,
            filiere="droit",
        )


async def _messages(db: Database) -> list[WebhookMessage]:
    async with db.sessions() as session:
        found = await session.execute(select(WebhookMessage).order_by(WebhookMessage.created_at))
        return list(found.scalars())


def _verified(receiver: WebhookReceiver, secret: str, index: int = 0) -> dict[str, Any]:
    got = receiver.received[index]
    verified: dict[str, Any] = Webhook(secret).verify(got.body, got.headers)
    return verified


async def test_a_booking_reaches_a_subscribed_endpoint_signed_to_the_standard(
    db: Database, database_url: str
) -> None:
    settings = _settings(database_url)
    mentor = await make_mentor(db)
    with webhook_receiver() as receiver, webhook_receiver() as other:
        endpoint = await _endpoint(db, settings, receiver.url)
        await _endpoint(db, settings, other.url, ("booking.cancelled",))
        made = await _book(db, mentor.id)
        await _worker(db, settings, Clock()).drain_outbox()

        assert len(receiver.received) == 1 and other.received == []
        body = _verified(receiver, endpoint.secret)
    assert body["type"] == "booking.created" and body["version"] == 1
    data = body["data"]
    assert data["booking_id"] == str(made.booking.id)
    assert data["mentor_id"] == str(mentor.id) and data["filiere"] == "droit"
    assert data["start"] == "2030-01-08T17:00:00Z"
    # Minimal: no name, question or email unless the endpoint is granted the email.
    assert "visitor_email" not in data
    assert "lea1" not in json.dumps(body) and "Comment" not in json.dumps(body)
    (message,) = await _messages(db)
    assert message.status == "delivered" and message.id == receiver.ids()[0]


async def test_a_wrong_secret_fails_the_reference_verification(
    db: Database, database_url: str
) -> None:
    settings = _settings(database_url)
    mentor = await make_mentor(db)
    with webhook_receiver() as receiver:
        await _endpoint(db, settings, receiver.url)
        await _book(db, mentor.id)
        await _worker(db, settings, Clock()).drain_outbox()
        with pytest.raises(Exception, match="signature"):
            _verified(receiver, webhooks.new_secret())


async def test_an_endpoint_granted_the_email_receives_it(db: Database, database_url: str) -> None:
    settings = _settings(database_url)
    mentor = await make_mentor(db)
    with webhook_receiver() as receiver:
        endpoint = await _endpoint(db, settings, receiver.url, include_visitor_email=True)
        await _book(db, mentor.id)
        await _worker(db, settings, Clock()).drain_outbox()
        assert _verified(receiver, endpoint.secret)["data"]["visitor_email"] == (
            "lea1@lycee.example.fr"
        )


async def test_every_change_is_an_event(db: Database, database_url: str) -> None:
    settings = _settings(database_url)
    mentor = await make_mentor(db)
    clock = Clock()
    with webhook_receiver() as receiver:
        endpoint = await _endpoint(db, settings, receiver.url, webhooks.EVENTS)
        made = await _book(db, mentor.id)
        async with db.sessions() as session:
            moved = await booking.reschedule_by_token(
                session, made.booking.id, made.manage_token, TUESDAY_18H + timedelta(hours=1), NOW
            )
        async with db.sessions() as session:
            await booking.cancel_by_token(session, moved.booking.id, moved.manage_token, NOW)
        other = await _book(db, mentor.id, 2)
        after = TUESDAY_18H + timedelta(hours=2)
        async with db.sessions() as session:
            await booking.mark_no_show(session, other.booking.id, after, STAFF)
        async with db.sessions() as session:
            token = booking.feedback_token(settings.secrets.secret_key, other.booking.id)
            await booking.record_feedback(
                session, settings.secrets.secret_key, other.booking.id, token, True, now=after
            )
        clock.now = after
        await _worker(db, settings, clock).drain_outbox()
        bodies = [_verified(receiver, endpoint.secret, i) for i in range(len(receiver.received))]
    by_type = {b["type"]: b["data"] for b in bodies}
    assert sorted(by_type) == sorted(webhooks.EVENTS) and len(bodies) == 6
    assert by_type["booking.rescheduled"]["previous_booking_id"] == str(made.booking.id)
    assert by_type["booking.cancelled"]["cancelled_by"] == "visitor"
    assert by_type["feedback.received"] == {"booking_id": str(other.booking.id), "helpful": True}


async def test_a_500_is_retried_after_back_off_with_the_same_webhook_id(
    db: Database, database_url: str
) -> None:
    settings = _settings(database_url)
    mentor = await make_mentor(db)
    clock = Clock()
    with webhook_receiver([500, 503]) as receiver:
        endpoint = await _endpoint(db, settings, receiver.url)
        await _book(db, mentor.id)
        worker = _worker(db, settings, clock)
        await worker.drain_outbox()
        assert len(receiver.received) == 1
        (message,) = await _messages(db)
        assert (message.status, message.attempts, message.last_status_code) == ("pending", 1, 500)
        await worker.drain_outbox()
        assert len(receiver.received) == 1  # waiting for its back-off
        for _ in range(2):
            clock.now += timedelta(hours=3)
            await worker.drain_outbox()
        assert [r.status for r in receiver.received] == [500, 503, 200]
        assert len(set(receiver.ids())) == 1
        for index in range(3):
            _verified(receiver, endpoint.secret, index)
    (message,) = await _messages(db)
    assert (message.status, message.attempts) == ("delivered", 3)


async def test_a_receiver_that_does_not_answer_in_time_is_retried(
    db: Database, database_url: str
) -> None:
    settings = _settings(database_url, webhook_timeout_seconds=0.3)
    mentor = await make_mentor(db)
    clock = Clock()
    with webhook_receiver([Pause(1.5)]) as receiver:
        await _endpoint(db, settings, receiver.url)
        await _book(db, mentor.id)
        worker = _worker(db, settings, clock)
        await worker.drain_outbox()
        (message,) = await _messages(db)
        assert message.status == "pending" and "Timeout" in (message.last_error or "")
        clock.now += timedelta(hours=3)
        await worker.drain_outbox()
        await asyncio.sleep(1.5)  # the paused answer finishes and is recorded
        assert len(receiver.received) == 2 and len(set(receiver.ids())) == 1
    (message,) = await _messages(db)
    assert message.status == "delivered"


async def test_two_workers_send_each_message_exactly_once(db: Database, database_url: str) -> None:
    settings = _settings(database_url)
    clock = Clock()
    with webhook_receiver() as receiver:
        await _endpoint(db, settings, receiver.url)
        mentors = [await make_mentor(db) for _ in range(4)]
        for n in range(1, 21):
            await _book(db, mentors[n % 4].id, n, slot=(n - 1) // 4)
        first, second = _worker(db, settings, clock, "w1"), _worker(db, settings, clock, "w2")
        await asyncio.gather(first.drain_outbox(), second.drain_outbox())
        await asyncio.gather(first.drain_outbox(), second.drain_outbox())
        ids = receiver.ids()
    assert len(ids) == 20 and len(set(ids)) == 20
    async with db.sessions() as session:
        workers = set(
            (
                await session.execute(
                    select(OutboxRow.claimed_by).where(OutboxRow.kind == outbox.WEBHOOK_DELIVER)
                )
            ).scalars()
        )
    assert workers <= {"w1", "w2"}


async def test_an_acknowledged_message_is_not_sent_again_when_its_row_runs_twice(
    db: Database, database_url: str
) -> None:
    """A worker that dies after the receiver's 2xx and our commit of ``delivered``, but before
    the outbox row's commit, has the row run again: nothing goes out the second time."""
    settings = _settings(database_url)
    mentor = await make_mentor(db)
    with webhook_receiver() as receiver:
        await _endpoint(db, settings, receiver.url)
        await _book(db, mentor.id)
        await _worker(db, settings, Clock()).drain_outbox()
        async with db.sessions() as session:
            row = (
                await session.execute(
                    select(OutboxRow).where(OutboxRow.kind == outbox.WEBHOOK_DELIVER)
                )
            ).scalar_one()
        mailer = SmtpMailer(_unused_smtp(settings).smtp)
        handler = build_handlers(settings, Parts(db, mailer), None)
        await handler[outbox.WEBHOOK_DELIVER](
            outbox.OutboxMessage(row.id, row.kind, row.payload, 0)
        )
        assert len(receiver.received) == 1


async def test_a_fan_out_that_runs_twice_makes_no_second_message(
    db: Database, database_url: str
) -> None:
    settings = _settings(database_url)
    mentor = await make_mentor(db)
    with webhook_receiver() as receiver:
        await _endpoint(db, settings, receiver.url)
        await _book(db, mentor.id)
        async with db.sessions() as session:
            event = (
                await session.execute(
                    select(OutboxRow).where(OutboxRow.kind == outbox.WEBHOOK_EVENT)
                )
            ).scalar_one()
        assert await webhook_delivery.fan_out(db, event.id, event.payload, NOW) == 1
        assert await webhook_delivery.fan_out(db, event.id, event.payload, NOW) == 0
        await _worker(db, settings, Clock()).drain_outbox()
        assert len(receiver.received) == 1


async def test_an_endpoint_failing_in_a_row_is_switched_off_and_staff_are_told(
    db: Database, database_url: str, smtp: SmtpServer
) -> None:
    settings = _settings(database_url, webhook_disable_after=3, staff_emails=("ops@thotis.fr",))
    clock = Clock()
    with webhook_receiver([500] * 10) as receiver:
        endpoint = await _endpoint(db, settings, receiver.url)
        mentor = await make_mentor(db)
        for n in range(1, 4):
            await _book(db, mentor.id, n)
        worker = _worker(db, settings, clock, smtp=smtp)
        await worker.drain_outbox()
        assert len(receiver.received) == 3
        async with db.sessions() as session:
            row = await session.get(WebhookEndpoint, endpoint.id)
            assert row is not None and not row.enabled
            assert row.disabled_reason == "3 failed attempts in a row"
        await _book(db, mentor.id, 4)
        clock.now += timedelta(hours=3)
        await worker.drain_outbox()
        assert len(receiver.received) == 3  # nothing more is sent to a switched-off endpoint
    (mail,) = [item.message() for item in smtp.received]
    assert mail["To"] == "ops@thotis.fr"
    assert "127.0.0.1" in str(mail["Subject"]) and "/staff/webhooks/" in mail.get_content()
    statuses = sorted(m.status for m in await _messages(db))
    assert statuses == ["failed"] * 3  # the fourth booking found no enabled endpoint


async def test_send_a_test_delivers_a_signed_test_event(db: Database, database_url: str) -> None:
    settings = _settings(database_url)
    with webhook_receiver() as receiver:
        endpoint = await _endpoint(db, settings, receiver.url)
        async with db.sessions() as session:
            msg_id = await webhook_delivery.send_test(session, endpoint.id, NOW)
        await _worker(db, settings, Clock()).drain_outbox()
        assert receiver.ids() == [msg_id]
        assert _verified(receiver, endpoint.secret)["type"] == "webhook.test"


@pytest.mark.parametrize(
    ("url", "policy", "allowed"),
    [
        ("https://thotis.fr/hooks", UrlPolicy(), True),
        ("http://thotis.fr/hooks", UrlPolicy(), False),
        ("http://127.0.0.1:9000/hooks", UrlPolicy(), False),
        ("http://127.0.0.1:9000/hooks", UrlPolicy(development=True), True),
        ("http://localhost:9000/hooks", UrlPolicy(development=True), True),
        ("http://thotis.fr/hooks", UrlPolicy(development=True), False),
        ("https://10.0.0.5/hooks", UrlPolicy(), False),
        ("https://169.254.169.254/latest", UrlPolicy(), False),
        ("https://[::1]/hooks", UrlPolicy(), False),
        ("https://10.0.0.5/hooks", UrlPolicy(allow_private=True), True),
        ("https://user:pw@thotis.fr/hooks", UrlPolicy(), False),
        ("ftp://thotis.fr/hooks", UrlPolicy(), False),
        ("https://thotis.fr/a b", UrlPolicy(), False),
    ],
)
def test_endpoint_urls_follow_the_rules(url: str, policy: UrlPolicy, allowed: bool) -> None:
    if allowed:
        assert webhooks.check_url(url, policy) == url
    else:
        with pytest.raises(Exception, match="url:"):
            webhooks.check_url(url, policy)


async def test_the_sender_refuses_a_name_that_resolves_to_a_private_address() -> None:
    sender = HttpWebhookSender(settings_of().webhooks, UrlPolicy())
    with pytest.raises(AddressRefused):
        await sender.post("https://localhost:9/hooks", b"{}", {})
