"""The interfaces ``scheduler/`` owns and ``integrations/`` implements.

Integrations are swapped by passing another adapter (a fake Google server, a file mailer),
never by monkeypatching.
"""

from __future__ import annotations

from email.message import EmailMessage
from typing import Protocol


class PermanentDeliveryError(Exception):
    """The outside world refused for good (SMTP 5xx, Google 4xx other than rate limits):
    record it on the outbox row and do not retry. Any other exception is retried."""


class ReconnectRequired(Exception):
    """The mentor's Google authorisation is revoked or expired: the connection needs the
    mentor's action; the work waits instead of failing."""


class Mailer(Protocol):
    async def send(self, message: EmailMessage) -> None:
        """Deliver one message, or raise (PermanentDeliveryError when retrying cannot help)."""
        ...
