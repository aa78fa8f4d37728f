"""The emails a booking sends: who gets what, in which language, with which invite.

``compose(kind, view, brand)`` returns one ``EmailMessage`` per recipient of ``kind``
(``RECIPIENTS``). The outbox may call ``compose_one`` per recipient instead so that a failure
to reach one person is retried (or recorded) without re-sending to the other.

Each message is ``multipart/mixed`` holding a ``multipart/alternative`` (text, HTML and, for
invites, the ``text/calendar; method=…`` part calendar clients act on) plus the same invite as
an ``invite.ics`` attachment for clients that only offer attachments. Wording lives in the
Jinja2 templates under ``templates/mail/`` (HTML autoescaped); subjects are here.

Language: the visitor's mails follow ``view.language`` (French unless ``en``); the mentor's are
in French. Register, decided once for every text a visitor reads (these mails, the widget, the
manage, join and book-again pages): the visitors are teenagers, so French says "tu"; mentors
(students, and the mentor space) are addressed with "vous". Times: each person's own timezone. Nothing here logs: the messages are personal data.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, formataddr, parseaddr
from functools import cache
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlencode

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from markupsafe import Markup, escape

from integrations import ics
from integrations.ics import one_line
from integrations.mail_policy import MAIL_POLICY
from integrations.when import clock_text, day_text, short_when_text, when_text
from scheduler.booking import BookingView
from scheduler.platform import Language, Settings

Kind = Literal["booked", "rescheduled", "cancelled", "reminder_24h", "reminder_1h", "follow_up"]
Recipient = Literal["visitor", "mentor"]

KINDS: tuple[Kind, ...] = (
    "booked",
    "rescheduled",
    "cancelled",
    "reminder_24h",
    "reminder_1h",
    "follow_up",
)
RECIPIENTS: Mapping[Kind, tuple[Recipient, ...]] = {
    "booked": ("visitor", "mentor"),
    "rescheduled": ("visitor", "mentor"),
    "cancelled": ("visitor", "mentor"),
    "reminder_24h": ("visitor", "mentor"),
    "reminder_1h": ("visitor", "mentor"),
    "follow_up": ("visitor",),
}
# Kinds that change the meeting carry an invite; reminders and the follow-up do not (the event
# is already in the calendar, and a second REQUEST would only be noise).
INVITE_METHOD: Mapping[Kind, ics.Method] = {
    "booked": "REQUEST",
    "rescheduled": "REQUEST",
    "cancelled": "CANCEL",
}

# Where the service serves the mails' logo (api/widget/routes.py answers it).
LOGO_PATH = "/brand/logo.png"
# The page to book another call: the same mentor, and the other mentors of the filière.
BOOK_AGAIN_PATH = "/book"
TEMPLATE_DIR = Path(__file__).resolve().parent / "templates" / "mail"
_COLOR = re.compile(r"^#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6})$")

__all__ = [
    "BOOK_AGAIN_PATH",
    "INVITE_METHOD",
    "KINDS",
    "LOGO_PATH",
    "RECIPIENTS",
    "Brand",
    "Kind",
    "Recipient",
    "book_again_url",
    "compose",
    "compose_one",
    "feedback_links",
    "message_id",
]


@dataclass(frozen=True, slots=True)
class Brand:
    """What the mails need from settings: identity, colours and the public addresses."""

    mail_from: str = "Thotis <rendez-vous@thotis.fr>"
    public_url: str = "http://127.0.0.1:8000"
    logo_url: str = ""
    primary_color: str = "#1d3a8a"
    accent_color: str = "#f2b705"
    name: str = "Thotis"
    # The mentor space (issue 9); mentors cancel and manage availability there.
    mentor_path: str = "/mentor"

    def __post_init__(self) -> None:
        # Colours go into style attributes: only plain hex colours may get there.
        for field_name in ("primary_color", "accent_color"):
            if not _COLOR.match(getattr(self, field_name)):
                raise ValueError(f"{field_name} must be a #rgb or #rrggbb colour")
        if not parseaddr(self.mail_from)[1]:
            raise ValueError("mail_from needs an address")
        if not self.logo_url:
            # The service serves its logo itself: an absolute address, as mail clients need.
            object.__setattr__(self, "logo_url", f"{self.public_url.rstrip('/')}{LOGO_PATH}")

    @classmethod
    def from_settings(cls, settings: Settings) -> Brand:
        return cls(
            mail_from=settings.smtp.mail_from,
            public_url=settings.http.public_url.rstrip("/"),
            logo_url=settings.brand.logo_url,
            primary_color=settings.brand.primary_color,
            accent_color=settings.brand.accent_color,
        )

    @property
    def mentor_url(self) -> str:
        return f"{self.public_url.rstrip('/')}{self.mentor_path}"

    @property
    def domain(self) -> str:
        return parseaddr(self.mail_from)[1].rpartition("@")[2] or "thotis.fr"


def feedback_links(feedback_url: str) -> tuple[str, str]:
    """``(yes, no)`` links from ``{public_url}/v1/feedback/{token}``."""
    base, sep, query = feedback_url.partition("?")
    prefix = f"{base}?{query}&" if sep and query else f"{base}?"
    return (
        prefix + urlencode({"helpful": "yes"}),
        prefix + urlencode({"helpful": "no"}),
    )


def book_again_url(public_url: str, mentor_id: object, filiere_slug: str | None) -> str:
    """``{PUBLIC_URL}/book/{mentor}[?filiere=slug]``: after a cancellation, the way back."""
    url = f"{public_url.rstrip('/')}{BOOK_AGAIN_PATH}/{mentor_id}"
    return f"{url}?{urlencode({'filiere': filiere_slug})}" if filiere_slug else url


def message_id(view: BookingView, kind: Kind, recipient: Recipient, domain: str) -> str:
    """The same message composed again (an outbox retry) keeps its Message-ID, so a server
    that accepted it before the connection dropped lets mail clients show it once."""
    return f"<{kind}.{recipient}.{view.booking_id}.{view.sequence}@{domain}>"


def compose(
    kind: Kind,
    view: BookingView,
    brand: Brand,
    *,
    recipients: Iterable[Recipient] | None = None,
    now: datetime | None = None,
    feedback_url: str | None = None,
    mentor_invite: bool = True,
) -> list[EmailMessage]:
    """The messages ``kind`` sends for ``view``, one per recipient (``RECIPIENTS[kind]``,
    or the subset given). ``feedback_url`` is required for ``follow_up``. With
    ``mentor_invite=False`` the mentor's mail carries no invite (their Google Calendar already
    holds the event the engine created)."""
    if kind not in RECIPIENTS:
        raise ValueError(f"unknown message kind {kind!r}")
    wanted = RECIPIENTS[kind] if recipients is None else tuple(recipients)
    for recipient in wanted:
        if recipient not in RECIPIENTS[kind]:
            raise ValueError(f"{kind!r} is not sent to the {recipient}")
    return [
        compose_one(
            kind,
            recipient,
            view,
            brand,
            now=now,
            feedback_url=feedback_url,
            mentor_invite=mentor_invite,
        )
        for recipient in wanted
    ]


def compose_one(
    kind: Kind,
    recipient: Recipient,
    view: BookingView,
    brand: Brand,
    *,
    now: datetime | None = None,
    feedback_url: str | None = None,
    mentor_invite: bool = True,
) -> EmailMessage:
    if kind not in RECIPIENTS or recipient not in RECIPIENTS[kind]:
        raise ValueError(f"no {kind!r} message for the {recipient}")
    if kind == "follow_up" and not feedback_url:
        raise ValueError("the follow-up needs a feedback_url")
    now = datetime.now(UTC) if now is None else now.astimezone(UTC)
    language: Language = (
        ("en" if view.language == "en" else "fr") if recipient == "visitor" else "fr"
    )
    context = _context(kind, recipient, view, brand, language, feedback_url, mentor_invite)
    subject = _subject(kind, recipient, view, language)
    context["subject"] = subject
    name = _template_name(kind, recipient)
    text = templates().get_template(f"{name}.txt.j2").render(context)
    html = templates().get_template(f"{name}.html.j2").render(context)

    message = EmailMessage(policy=MAIL_POLICY)
    message["Subject"] = subject
    message["From"] = brand.mail_from
    message["To"] = _to(view, recipient)
    message["Date"] = format_datetime(now)
    message["Message-ID"] = message_id(view, kind, recipient, brand.domain)
    if recipient == "visitor" and view.mentor_allows_reply_to:
        message["Reply-To"] = formataddr((one_line(view.mentor_name), view.mentor_email))
    # Tells vacation responders not to answer (RFC 3834); these mails are transactional.
    message["Auto-Submitted"] = "auto-generated"
    message["X-Thotis-Kind"] = kind
    message.set_content(text, subtype="plain", charset="utf-8")
    message.add_alternative(html, subtype="html", charset="utf-8")

    method = INVITE_METHOD.get(kind)
    if method is not None and (recipient == "visitor" or mentor_invite):
        document = ics.invite(view, method, now, audience=recipient, organizer=brand.mail_from)
        params = {"method": method, "charset": "UTF-8"}
        # Base64 keeps the document's CRLFs and folding byte for byte through any relay.
        message.add_alternative(document, maintype="text", subtype="calendar", params=params)
        message.add_attachment(
            document,
            maintype="application",
            subtype="ics",
            filename="invite.ics" if method == "REQUEST" else "annulation.ics",
        )
    # Last: set_content and add_* move or drop the Content-* headers already present.
    message["Content-Language"] = language
    return message


def _template_name(kind: Kind, recipient: Recipient) -> str:
    stem = "reminder" if kind.startswith("reminder_") else kind
    return f"{recipient}_{stem}"


def _to(view: BookingView, recipient: Recipient) -> Address:
    if recipient == "visitor":
        name, email = view.visitor_first_name, view.visitor_email
    else:
        name, email = view.mentor_name, view.mentor_email
    local_part, _, domain = email.rpartition("@")
    return Address(display_name=one_line(name), username=local_part, domain=domain)


def _subject(kind: Kind, recipient: Recipient, view: BookingView, language: Language) -> str:
    if recipient == "mentor":
        tz_name = view.mentor_timezone
        who = one_line(view.visitor_first_name)
    else:
        tz_name = view.visitor_timezone
        filiere = one_line(view.filiere_name_en if language == "en" else view.filiere_name_fr)
        who = f"{one_line(view.mentor_name)} ({filiere})"
    when = short_when_text(view.start, tz_name, language)
    clock = clock_text(view.start, tz_name)
    if language == "en":
        subjects = {
            "booked": f"Call confirmed with {who} – {when}",
            "rescheduled": f"New time for your call with {who} – {when}",
            "cancelled": f"Call cancelled with {who} – {when}",
            "reminder_24h": f"Reminder: your call with {who} – {when}",
            "reminder_1h": f"In 1 hour: your call with {who} at {clock}",
            "follow_up": f"Did your call with {one_line(view.mentor_name)} help?",
        }
    elif recipient == "mentor":
        subjects = {
            "booked": f"Nouvel échange réservé par {who} – {when}",
            "rescheduled": f"Échange déplacé par {who} – {when}",
            "cancelled": f"Échange annulé avec {who} – {when}",
            "reminder_24h": f"Rappel : échange avec {who} – {when}",
            "reminder_1h": f"Dans 1 heure : échange avec {who} à {clock}",
        }
    else:
        subjects = {
            "booked": f"Échange confirmé avec {who} – {when}",
            "rescheduled": f"Nouvel horaire pour ton échange avec {who} – {when}",
            "cancelled": f"Échange annulé avec {who} – {when}",
            "reminder_24h": f"Rappel : ton échange avec {who} – {when}",
            "reminder_1h": f"Dans 1 heure : ton échange avec {who} à {clock}",
            "follow_up": f"Ton échange avec {one_line(view.mentor_name)} t’a-t-il aidé ?",
        }
    return subjects[kind]


def _context(
    kind: Kind,
    recipient: Recipient,
    view: BookingView,
    brand: Brand,
    language: Language,
    feedback_url: str | None,
    mentor_invite: bool,
) -> dict[str, Any]:
    tz_name = view.visitor_timezone if recipient == "visitor" else view.mentor_timezone
    filiere = one_line(view.filiere_name_en if language == "en" else view.filiere_name_fr)
    yes_url, no_url = feedback_links(feedback_url) if feedback_url else (None, None)
    previous = view.previous_start
    return {
        "lang": language,
        "kind": kind,
        "recipient": recipient,
        "brand": brand,
        "mentor_name": one_line(view.mentor_name),
        "visitor_name": one_line(view.visitor_first_name),
        "filiere": filiere,
        "minutes": int((view.end - view.start).total_seconds() // 60),
        "when": when_text(view.start, tz_name, language),
        "day": day_text(view.start, tz_name, language),
        "previous_when": when_text(previous, tz_name, language) if previous else None,
        # The party's stable join link (it opens the current venue at click time); the raw
        # video link only for a view built without one (a test's, or a deployment's before).
        "join_url": (view.visitor_join_url if recipient == "visitor" else view.mentor_join_url)
        or view.meet_url,
        # The manage link is the visitor's credential: never in a mentor's mail.
        "manage_url": view.manage_url if recipient == "visitor" else None,
        "mentor_url": brand.mentor_url,
        "question": multiline(view.visitor_question),
        "cancel_reason": multiline(view.cancel_reason),
        "cancelled_by": view.cancelled_by,
        "reply_to_mentor": recipient == "visitor" and view.mentor_allows_reply_to,
        "has_invite": kind in INVITE_METHOD and (recipient == "visitor" or mentor_invite),
        "lead": "24h" if kind == "reminder_24h" else "1h",
        "feedback_yes": yes_url,
        "feedback_no": no_url,
        "book_again_url": book_again_url(brand.public_url, view.mentor_id, view.filiere_slug),
    }


def multiline(text: str | None) -> str | None:
    """A visitor's free text with its line breaks kept and control characters removed."""
    if not text:
        return None
    return "\n".join(one_line(line) for line in text.splitlines()).strip() or None


def _nl2br(value: object) -> Markup:
    """Escape first, then turn line breaks into ``<br>``: a visitor's text keeps its lines
    and cannot inject markup."""
    lines = str(value).replace("\r\n", "\n").replace("\r", "\n").split("\n")
    return Markup("<br>\n").join(escape(line) for line in lines)


@cache
def templates() -> Environment:
    environment = Environment(
        loader=FileSystemLoader(TEMPLATE_DIR),
        autoescape=select_autoescape(enabled_extensions=("html.j2",), default=False),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    environment.filters["nl2br"] = _nl2br
    return environment
