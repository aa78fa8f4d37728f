"""The mail transport's Protocol (implemented by integrations.mail)."""

from __future__ import annotations

from email.message import EmailMessage
from typing import Protocol


class Mailer(Protocol):
    async def send(self, message: EmailMessage) -> None:
        """Deliver one message, or raise (PermanentDeliveryError when retrying cannot help)."""
        ...
