"""What is sent and to whom: once-only delivery of each message and the mentors' daily digest,
behind ``Mailer``."""

from scheduler.messaging.delivery import SentMessage
from scheduler.messaging.digest import DigestBooking, DigestContent
from scheduler.messaging.ports import Mailer

__all__ = [
    "DigestBooking",
    "DigestContent",
    "Mailer",
    "SentMessage",
]
