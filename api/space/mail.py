"""The sign-in link by email (a fallback sign-in, and a staff invitation), French then English.

Sent through the deployment's ``Mailer`` after the response has gone (a background task): the
page answers the same whether or not the address belongs to a mentor, and as fast.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid

from markupsafe import escape

from integrations.ics import one_line
from integrations.mail_policy import MAIL_POLICY
from integrations.messages import Brand
from scheduler.messaging import Mailer

log = logging.getLogger("thotis.space")


def sign_in_message(
    brand: Brand,
    *,
    to_email: str,
    name: str,
    url: str,
    now: datetime,
    invitation: bool,
    valid_for: str,
    valid_for_en: str,
    staff: bool = False,
) -> EmailMessage:
    """The link mail. ``name`` may be empty (a member of staff is an address, not a profile):
    the greeting then has no name."""
    name = one_line(name)
    if staff:
        subject = "Votre lien de connexion à la console Thotis / Your Thotis console sign-in link"
        intro_fr = "Voici le lien pour vous connecter à la console de l'équipe Thotis."
        intro_en = "Here is the link to sign in to the Thotis team console."
    elif invitation:
        subject = "Votre espace mentor Thotis vous attend / Your Thotis mentor space"
        intro_fr = (
            "L'équipe Thotis vous invite à rejoindre les mentors : des lycéens pourront réserver "
            "15 minutes en visio avec vous pour parler de vos études."
        )
        intro_en = (
            "The Thotis team invites you to join the mentors: high-school students will be able "
            "to book 15-minute video calls with you about your studies."
        )
    else:
        subject = "Votre lien de connexion Thotis / Your Thotis sign-in link"
        intro_fr = "Voici le lien pour vous connecter à votre espace mentor."
        intro_en = "Here is the link to sign in to your mentor space."
    hello_fr, hello_en = (f"Bonjour {name}", f"Hello {name}") if name else ("Bonjour", "Hello")
    text = (
        f"{hello_fr},\n\n{intro_fr}\n\n{url}\n\n"
        f"Ce lien ne sert qu'une fois et expire dans {valid_for}. "
        "Si vous n'avez rien demandé, ignorez ce message.\n\n"
        "— English —\n\n"
        f"{hello_en},\n\n{intro_en}\n\n{url}\n\n"
        f"This link works once and expires in {valid_for_en}. "
        "If you did not ask for it, ignore this message.\n\nThotis\n"
    )
    button = (
        f'<p style="margin:20px 0;"><a href="{escape(url)}" style="background:'
        f"{brand.primary_color};color:#fff;padding:12px 20px;border-radius:10px;"
        'text-decoration:none;font-weight:bold;display:inline-block;">{label}</a></p>'
    )
    html = (
        '<!DOCTYPE html><html lang="fr"><head><meta charset="utf-8"><title>'
        f"{escape(subject)}</title></head>"
        '<body style="margin:0;padding:24px;background:#f4f5f9;font-family:Arial,Helvetica,'
        'sans-serif;color:#1f2430;line-height:1.5;">'
        '<div style="max-width:560px;margin:0 auto;background:#fff;border-radius:8px;'
        f'border-top:6px solid {brand.accent_color};padding:24px 32px;">'
        f"<p>{escape(hello_fr)},</p><p>{escape(intro_fr)}</p>"
        + button.format(label="Me connecter")
        + f'<p style="font-size:14px;color:#5b6170;">Ce lien ne sert qu\'une fois et expire dans '
        f"{escape(valid_for)}. Si vous n'avez rien demandé, ignorez ce message.</p>"
        '<hr style="border:0;border-top:1px solid #e6e8ef;margin:24px 0;">'
        f'<div lang="en"><p>{escape(hello_en)},</p><p>{escape(intro_en)}</p>'
        + button.format(label="Sign in")
        + '<p style="font-size:14px;color:#5b6170;">This link works once and expires in '
        f"{escape(valid_for_en)}. If you did not ask for it, ignore this message.</p></div>"
        "</div></body></html>"
    )
    message = EmailMessage(policy=MAIL_POLICY)
    message["Subject"] = subject
    message["From"] = brand.mail_from
    local_part, _, domain = to_email.rpartition("@")
    message["To"] = Address(display_name=name, username=local_part, domain=domain)
    message["Date"] = format_datetime(now)
    message["Message-ID"] = make_msgid(domain=brand.domain)
    message["Auto-Submitted"] = "auto-generated"
    message["X-Thotis-Kind"] = (
        "staff_sign_in_link" if staff else "invitation" if invitation else "sign_in_link"
    )
    message.set_content(text, subtype="plain", charset="utf-8")
    message.add_alternative(html, subtype="html", charset="utf-8")
    message["Content-Language"] = "fr, en"
    return message


# A member of staff waits for the invitation to leave: long enough for a slow SMTP server, short
# enough to tell them it did not go rather than keep them staring at a spinner.
SEND_WAIT_SECONDS = 10.0


async def send_reporting(
    mailer: Mailer, message: EmailMessage, timeout: float = SEND_WAIT_SECONDS
) -> bool:
    """Send within ``timeout``; whether it left. A failure is logged (without the address)."""
    try:
        await asyncio.wait_for(mailer.send(message), timeout)
    except Exception as error:
        log.warning(
            "sign-in mail not sent: %s",
            type(error).__name__,
            extra={"kind": message["X-Thotis-Kind"]},
        )
        return False
    return True
