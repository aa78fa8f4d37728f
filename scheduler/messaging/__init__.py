"""What is sent and to whom: once-only delivery of each message, the mentors' daily digest
(behind ``Mailer``) and the webhooks to the Thotis site (behind ``WebhookSender``)."""

from scheduler.messaging import webhook_delivery, webhook_models, webhooks
from scheduler.messaging.delivery import SentMessage
from scheduler.messaging.digest import DigestBooking, DigestContent
from scheduler.messaging.ports import Mailer
from scheduler.messaging.webhook_delivery import WebhookFailed, WebhookSender
from scheduler.messaging.webhooks import (
    EVENTS,
    Endpoint,
    EndpointChange,
    LoggedMessage,
    UrlPolicy,
)

__all__ = [
    "EVENTS",
    "DigestBooking",
    "DigestContent",
    "Endpoint",
    "EndpointChange",
    "LoggedMessage",
    "Mailer",
    "SentMessage",
    "UrlPolicy",
    "WebhookFailed",
    "WebhookSender",
    "webhook_delivery",
    "webhook_models",
    "webhooks",
]
