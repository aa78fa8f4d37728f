"""The dev outbox page lists what the file mailer wrote, and exists only without SMTP."""

from __future__ import annotations

from email.message import EmailMessage
from pathlib import Path

from litestar.testing import AsyncTestClient

from api.app import create_app
from api.wiring import build_parts
from integrations.mail import FileMailer
from scheduler.platform import Database
from testkit.settings import settings_of


def _letter(subject: str) -> EmailMessage:
    message = EmailMessage()
    message["Subject"] = subject
    message["From"] = "Thotis <rendez-vous@thotis.fr>"
    message["To"] = "camille@example.fr"
    message["Message-ID"] = "<devmail-test@thotis.fr>"
    message.set_content("Bonjour en texte seul")
    message.add_alternative("<p>Bonjour <script>alert(1)</script></p>", subtype="html")
    return message


async def test_written_mail_is_listed_and_shown_in_a_sandbox(
    database_url: str, tmp_path: Path
) -> None:
    settings = settings_of(database_url=database_url, mail_dir=tmp_path, embedded_worker=False)
    await FileMailer(tmp_path).send(_letter("Votre rendez-vous est confirmé"))
    app = create_app(settings, build_parts(settings, Database.from_url(database_url)))
    async with AsyncTestClient(app=app) as client:
        listing = await client.get("/dev/mail")
        assert listing.status_code == 200
        assert "Votre rendez-vous est confirmé" in listing.text
        name = next(p.name for p in tmp_path.iterdir() if p.suffix == ".eml")
        shown = await client.get(f"/dev/mail/{name}")
        assert shown.status_code == 200
        assert 'sandbox=""' in shown.text and "<script>" not in shown.text


async def test_the_page_refuses_names_outside_the_folder(database_url: str, tmp_path: Path) -> None:
    # A real message one folder up: only the name check keeps the page from showing it.
    (tmp_path / "secrets.eml").write_bytes(b"Subject: Mot de passe\r\n\r\nsecret\r\n")
    settings = settings_of(
        database_url=database_url, mail_dir=tmp_path / "mail", embedded_worker=False
    )
    app = create_app(settings, build_parts(settings, Database.from_url(database_url)))
    async with AsyncTestClient(app=app) as client:
        answer = await client.get("/dev/mail/..%2Fsecrets.eml")
        assert answer.status_code == 404
        assert answer.json()["code"] == "not_found"
        assert "Mot de passe" not in answer.text


async def test_there_is_no_dev_page_when_smtp_is_configured(
    database_url: str, tmp_path: Path
) -> None:
    settings = settings_of(
        database_url=database_url, mail_dir=tmp_path, smtp_host="127.0.0.1", embedded_worker=False
    )
    app = create_app(settings, build_parts(settings, Database.from_url(database_url)))
    async with AsyncTestClient(app=app) as client:
        assert (await client.get("/dev/mail")).status_code == 404


async def test_there_is_no_dev_page_on_a_public_address_even_without_smtp(
    database_url: str, tmp_path: Path
) -> None:
    settings = settings_of(
        database_url=database_url,
        mail_dir=tmp_path,
        public_url="https://rdv.thotis.fr",
        embedded_worker=False,
    )
    app = create_app(settings, build_parts(settings, Database.from_url(database_url)))
    async with AsyncTestClient(app=app) as client:
        assert (await client.get("/dev/mail")).status_code == 404


async def test_a_message_shows_its_text_part_and_its_attachments(
    database_url: str, tmp_path: Path
) -> None:
    settings = settings_of(database_url=database_url, mail_dir=tmp_path, embedded_worker=False)
    letter = _letter("Invitation")
    letter.add_attachment(
        b"BEGIN:VCALENDAR", maintype="application", subtype="ics", filename="invite.ics"
    )
    await FileMailer(tmp_path).send(letter)
    app = create_app(settings, build_parts(settings, Database.from_url(database_url)))
    async with AsyncTestClient(app=app) as client:
        name = next(p.name for p in tmp_path.iterdir() if p.suffix == ".eml")
        shown = (await client.get(f"/dev/mail/{name}")).text
        assert "Bonjour en texte seul" in shown
        assert "invite.ics" in shown and "application/ics" in shown
