"""The mail that tells staff a webhook endpoint was switched off after failing too often."""

from __future__ import annotations

from email.message import EmailMessage
from email.utils import parseaddr
from urllib.parse import urlsplit

from scheduler.messaging import Endpoint


def endpoint_disabled(
    endpoint: Endpoint, to: tuple[str, ...], mail_from: str, public_url: str, outbox_id: int
) -> EmailMessage:
    """French first, then English; the host only (a URL's query may hold the receiver's key).
    The Message-ID follows the outbox row, so a retry is recognised as the same mail."""
    host = urlsplit(endpoint.url).netloc
    page = f"{public_url.rstrip('/')}/staff/webhooks/{endpoint.id}"
    reason = endpoint.disabled_reason or ""
    message = EmailMessage()
    message["From"] = mail_from
    message["To"] = ", ".join(to)
    message["Subject"] = f"Webhook désactivé / Webhook switched off: {host}"
    domain = parseaddr(mail_from)[1].rpartition("@")[2] or "thotis.fr"
    message["Message-ID"] = f"<webhook-disabled-{outbox_id}@{domain}>"
    message.set_content(
        f"Le webhook vers {host} a été désactivé ({reason}).\n"
        "Vérifiez que le site Thotis répond, puis réactivez-le depuis la console :\n"
        f"{page}\n\n"
        f"The webhook to {host} was switched off ({reason}).\n"
        "Check that the Thotis site answers, then switch it back on from the console:\n"
        f"{page}\n"
    )
    return message
