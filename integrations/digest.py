"""The mentor's daily digest as one ``EmailMessage``: French first, then English.

Wording lives in ``templates/mail/mentor_digest.{txt,html}.j2`` (shared layout, HTML
autoescaped); the subject is here. Nothing here logs: the digest holds visitors' names and
questions.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime
from typing import Any
from uuid import UUID

from integrations.ics import one_line
from integrations.mail_policy import MAIL_POLICY
from integrations.messages import Brand, multiline, templates
from integrations.when import day_text, when_text
from scheduler.messaging import DigestBooking, DigestContent

__all__ = ["compose_digest"]


def _message_id(content: DigestContent, domain: str) -> str:
    return f"<digest.{content.mentor_id}.{content.day.isoformat()}@{domain}>"


def compose_digest(
    content: DigestContent,
    brand: Brand,
    *,
    now: datetime,
    join_link: Callable[[UUID], str] | None = None,
) -> EmailMessage:
    """``join_link``: the mentor's join link of a booking series (the raw Meet link otherwise)."""
    if content.empty:
        raise ValueError("an empty digest is not sent")
    tz = content.mentor_timezone
    # ``now`` is on the digest's local day (the claim checked it).
    day_fr = day_text(now, tz, "fr")
    subject = f"Votre récapitulatif du {day_fr} / Your daily digest"
    context: dict[str, Any] = {
        "lang": "fr",
        "recipient": "mentor",
        "brand": brand,
        "subject": subject,
        "mentor_name": one_line(content.mentor_name),
        "mentor_url": brand.mentor_url,
        "booked": [_item(b, tz, join_link) for b in content.booked_since],
        "upcoming": [_item(b, tz, join_link) for b in content.next_24h],
    }
    environment = templates()
    text = environment.get_template("mentor_digest.txt.j2").render(context)
    html = environment.get_template("mentor_digest.html.j2").render(context)

    message = EmailMessage(policy=MAIL_POLICY)
    message["Subject"] = subject
    message["From"] = brand.mail_from
    local_part, _, domain = content.mentor_email.rpartition("@")
    message["To"] = Address(
        display_name=one_line(content.mentor_name), username=local_part, domain=domain
    )
    message["Date"] = format_datetime(now.astimezone(UTC))
    message["Message-ID"] = _message_id(content, brand.domain)
    message["Auto-Submitted"] = "auto-generated"
    message["X-Thotis-Kind"] = "digest"
    message.set_content(text, subtype="plain", charset="utf-8")
    message.add_alternative(html, subtype="html", charset="utf-8")
    message["Content-Language"] = "fr, en"
    return message


def _item(
    booking: DigestBooking, tz: str, join_link: Callable[[UUID], str] | None
) -> dict[str, Any]:
    link = booking.meet_url
    if join_link is not None and booking.series_id is not None:
        link = join_link(booking.series_id)
    return {
        "when_fr": when_text(booking.start, tz, "fr"),
        "when_en": when_text(booking.start, tz, "en"),
        "visitor_name": one_line(booking.visitor_first_name),
        "filiere": one_line(booking.filiere_name_fr or ""),
        "filiere_en": one_line(booking.filiere_name_en or ""),
        "question": multiline(booking.visitor_question),
        "join_url": link,
        "rescheduled": booking.rescheduled,
    }
