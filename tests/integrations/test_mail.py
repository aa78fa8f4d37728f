"""Delivery through a real SMTP server (aiosmtpd on 127.0.0.1) and the dev outbox folder."""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime, timedelta
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from pathlib import Path

import pytest

from integrations.mail import (
    FileMailer,
    SmtpMailer,
    TransientDeliveryError,
    list_messages,
    mailer_from_settings,
    read_message,
)
from integrations.messages import Brand, compose_one
from scheduler.platform import PermanentDeliveryError, SmtpSettings
from testkit.booking_views import NOW, make_view
from testkit.settings import settings_of
from testkit.smtp_sink import (
    SmtpServer,
    free_port,
    password_authenticator,
    self_signed_tls,
)

BRAND = Brand()


def _confirmation() -> EmailMessage:
    return compose_one("booked", "visitor", make_view(), BRAND, now=NOW)


def _attachment(message: EmailMessage) -> bytes:
    (part,) = [p for p in message.iter_attachments() if p.get_filename() == "invite.ics"]
    payload = part.get_payload(decode=True)
    assert isinstance(payload, bytes)
    return payload


async def test_accepted_message_arrives_intact(smtp: SmtpServer) -> None:
    message = _confirmation()
    await SmtpMailer(smtp.settings().smtp).send(message)

    (received,) = smtp.received
    assert received.mail_from == "rendez-vous@thotis.fr"
    assert received.rcpt_tos == ("camille@lycee.example",)
    arrived = received.message()
    for header in ("Subject", "From", "To", "Date", "Message-ID", "Content-Language"):
        assert str(arrived[header]) == str(message[header]), header
    assert arrived["List-Unsubscribe"] is None
    assert _attachment(arrived) == _attachment(message)
    assert b"\r\n" in _attachment(arrived)
    html = arrived.get_body(("html",))
    assert html is not None and "Gérer ma réservation" in html.get_content()


async def test_several_messages_each_arrive_once(smtp: SmtpServer) -> None:
    mailer = SmtpMailer(smtp.settings().smtp)
    view = make_view()
    messages = [
        compose_one("booked", "visitor", view, BRAND, now=NOW),
        compose_one("booked", "mentor", view, BRAND, now=NOW),
    ]
    await asyncio.gather(*(mailer.send(m) for m in messages))
    ids = sorted(str(r.message()["Message-ID"]) for r in smtp.received)
    assert ids == sorted(str(m["Message-ID"]) for m in messages)


@pytest.mark.parametrize("stage", ["RCPT", "DATA", "MAIL"])
async def test_5xx_is_permanent_and_hides_the_address(smtp: SmtpServer, stage: str) -> None:
    smtp.fail_next("550 5.1.1 <camille@lycee.example>: mailbox unavailable", at=stage)  # type: ignore[arg-type]
    with pytest.raises(PermanentDeliveryError) as raised:
        await SmtpMailer(smtp.settings().smtp).send(_confirmation())
    assert "550" in str(raised.value)
    assert "camille@lycee.example" not in str(raised.value)
    assert smtp.received == []


@pytest.mark.parametrize("stage", ["RCPT", "DATA"])
async def test_4xx_is_transient(smtp: SmtpServer, stage: str) -> None:
    smtp.fail_next("451 4.3.0 Try again later", at=stage)  # type: ignore[arg-type]
    mailer = SmtpMailer(smtp.settings().smtp)
    with pytest.raises(TransientDeliveryError) as raised:
        await mailer.send(_confirmation())
    assert raised.value.code == 451
    assert not isinstance(raised.value, PermanentDeliveryError)
    # The outbox retries: the next attempt goes through, once.
    await mailer.send(_confirmation())
    assert len(smtp.received) == 1


async def test_server_down_is_transient_then_delivers_once_when_up() -> None:
    server = SmtpServer()
    server.port = free_port()
    mailer = SmtpMailer(server.settings().smtp)
    message = _confirmation()
    with pytest.raises(TransientDeliveryError):
        await mailer.send(message)
    server.start()
    try:
        await mailer.send(message)
        assert [str(r.message()["Message-ID"]) for r in server.received] == [
            str(message["Message-ID"])
        ]
    finally:
        server.stop()


async def test_silent_server_times_out_as_transient() -> None:
    async def never_greet(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.read()  # hold the connection open without a 220 greeting
        writer.close()

    server = await asyncio.start_server(never_greet, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    try:
        settings = settings_of(smtp_host="127.0.0.1", smtp_port=port, smtp_starttls=False)
        with pytest.raises(TransientDeliveryError):
            await SmtpMailer(settings.smtp, timeout=0.3).send(_confirmation())
    finally:
        server.close()
        await server.wait_closed()


async def test_starttls_and_auth_against_a_real_tls_server() -> None:
    tls = self_signed_tls()
    server = SmtpServer(
        tls_context=tls.server,
        require_starttls=True,
        authenticator=password_authenticator("thotis", "s3cret"),
        auth_required=True,
    ).start()
    try:
        good = server.settings(smtp_starttls=True, smtp_username="thotis", smtp_password="s3cret")
        await SmtpMailer(good.smtp, tls_context=tls.client).send(_confirmation())
        assert len(server.received) == 1

        # Bad credentials are a configuration problem: retried, not recorded as refused.
        bad = server.settings(smtp_starttls=True, smtp_username="thotis", smtp_password="nope")
        with pytest.raises(TransientDeliveryError):
            await SmtpMailer(bad.smtp, tls_context=tls.client).send(_confirmation())
        # A client that does not trust the certificate never sends anything.
        with pytest.raises(TransientDeliveryError):
            await SmtpMailer(good.smtp).send(_confirmation())
        # Plain text is refused by a server that requires STARTTLS.
        plain = server.settings(smtp_username="thotis", smtp_password="s3cret")
        with pytest.raises((TransientDeliveryError, PermanentDeliveryError)):
            await SmtpMailer(plain.smtp).send(_confirmation())
        assert len(server.received) == 1
    finally:
        server.stop()


async def test_file_mailer_writes_parseable_eml(tmp_path: Path) -> None:
    ticks = iter(datetime(2026, 2, 20, 9, 0, tzinfo=UTC) + timedelta(seconds=s) for s in range(10))
    mailer = FileMailer(tmp_path / "mail", clock=lambda: next(ticks))
    view = make_view()
    first = compose_one("booked", "visitor", view, BRAND, now=NOW)
    second = compose_one("booked", "mentor", view, BRAND, now=NOW)
    await mailer.send(first)
    await mailer.send(second)

    files = sorted(p.name for p in (tmp_path / "mail").iterdir())
    assert len(files) == 2 and all(name.endswith(".eml") for name in files)
    assert files[0].startswith("20260220T090000.000000Z-booked.visitor.")
    assert not [p for p in (tmp_path / "mail").iterdir() if p.name.startswith(".")]

    with (tmp_path / "mail" / files[0]).open("rb") as handle:
        parsed = BytesParser(policy=policy.default).parse(handle)
    assert parsed["Subject"] == first["Subject"]
    assert _attachment(parsed) == _attachment(first)  # type: ignore[arg-type]

    listed = list_messages(tmp_path / "mail")
    assert [m.file_name for m in listed] == list(reversed(files))  # newest first
    newest = listed[0]
    assert newest.subject == second["Subject"]
    assert "lea.mentor@univ.example" in newest.to
    assert newest.date == NOW
    assert newest.kind == "booked"
    assert read_message(tmp_path / "mail", newest.file_name)["Message-ID"] == second["Message-ID"]


def test_dev_outbox_refuses_paths_and_tolerates_absence(tmp_path: Path) -> None:
    assert list_messages(tmp_path / "missing") == []
    (tmp_path / "secret.eml").write_bytes(b"Subject: x\r\n\r\nx")
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / ".half-written.tmp").write_bytes(b"Subject: partial")
    for name in ("../secret.eml", "/etc/passwd", ".half-written.tmp", "x/../../secret.eml"):
        with pytest.raises(FileNotFoundError):
            read_message(inbox, name)
    assert list_messages(inbox) == []


def test_mailer_from_settings(tmp_path: Path) -> None:
    assert isinstance(mailer_from_settings(SmtpSettings(mail_dir=tmp_path)), FileMailer)
    smtp = mailer_from_settings(SmtpSettings(host="127.0.0.1", mail_dir=tmp_path))
    assert isinstance(smtp, SmtpMailer)
    with pytest.raises(ValueError):
        SmtpMailer(SmtpSettings())


async def test_logs_carry_no_personal_data(
    smtp: SmtpServer, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="integrations")
    view = make_view(visitor_question="Ma question très personnelle")
    message = compose_one("booked", "mentor", view, BRAND, now=NOW)
    await SmtpMailer(smtp.settings().smtp).send(message)
    smtp.fail_next("550 5.1.1 <lea.mentor@univ.example> unknown", at="RCPT")
    with pytest.raises(PermanentDeliveryError):
        await SmtpMailer(smtp.settings().smtp).send(message)
    await FileMailer(tmp_path).send(message)

    ours = [r for r in caplog.records if r.name.startswith("integrations")]
    assert len(ours) >= 3
    logged = " ".join(f"{r.getMessage()} {r.__dict__}" for r in ours)
    for personal in ("lea.mentor@univ.example", "camille@lycee.example", "Camille", "question"):
        assert personal not in logged


def test_public_surfaces() -> None:
    import integrations.ics as ics
    import integrations.mail as mail
    import integrations.messages as messages

    assert set(ics.__all__) == {
        "ALARM_BEFORE",
        "DEFAULT_ORGANIZER",
        "PRODID",
        "Audience",
        "Method",
        "invite",
        "one_line",
        "uid",
    }
    assert set(mail.__all__) == {
        "FileMailer",
        "SmtpMailer",
        "StoredMessage",
        "TransientDeliveryError",
        "list_messages",
        "mailer_from_settings",
        "read_message",
    }
    assert set(messages.__all__) == {
        "INVITE_METHOD",
        "KINDS",
        "LOGO_PATH",
        "BOOK_AGAIN_PATH",
        "book_again_url",
        "RECIPIENTS",
        "Brand",
        "Kind",
        "Recipient",
        "compose",
        "compose_one",
        "feedback_links",
        "message_id",
    }
    for module in (ics, mail, messages):
        for name in module.__all__:
            assert hasattr(module, name), f"{module.__name__}.{name}"
