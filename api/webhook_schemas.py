"""Request and response bodies of the staff API's webhook endpoints (``/v1/staff/webhooks``)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal
from uuid import UUID

import msgspec

WebhookEvent = Literal[
    "booking.created",
    "booking.rescheduled",
    "booking.cancelled",
    "booking.no_show",
    "feedback.received",
]
Url = Annotated[
    str,
    msgspec.Meta(
        max_length=2000,
        description="https URL of the Thotis site's receiver (http only to localhost in dev)",
        examples=["https://www.thotis.fr/api/thotis-webhooks"],
    ),
]
Events = Annotated[
    list[WebhookEvent],
    msgspec.Meta(min_length=1, max_length=5, examples=[["booking.created", "booking.cancelled"]]),
]
Description = Annotated[str, msgspec.Meta(max_length=200, examples=["Site Thotis (production)"])]


class WebhookEndpointCreate(msgspec.Struct, forbid_unknown_fields=True):
    url: Url
    events: Events
    description: Description = ""
    enabled: bool = True
    include_visitor_email: Annotated[
        bool, msgspec.Meta(description="Send the visitor's email in booking events")
    ] = False


class WebhookEndpointUpdate(msgspec.Struct, forbid_unknown_fields=True):
    url: Url | None = None
    events: Events | None = None
    description: Description | None = None
    enabled: bool | None = None
    include_visitor_email: bool | None = None


class WebhookEndpointOut(msgspec.Struct):
    id: UUID
    url: str
    description: str
    events: list[str]
    secret: Annotated[
        str | None,
        msgspec.Meta(
            description="Signing secret (whsec_…) for the webhook-signature header; null when "
            "no configured token key opens it (rotate it)"
        ),
    ]
    enabled: bool
    include_visitor_email: bool
    consecutive_failures: int
    disabled_reason: str | None
    created_at: datetime


class WebhookTestOut(msgspec.Struct):
    message_id: Annotated[str, msgspec.Meta(description="The webhook-id the receiver will see")]


class WebhookDeliveryOut(msgspec.Struct):
    id: str
    event_type: str
    status: Literal["pending", "delivered", "failed"]
    attempts: int
    last_status_code: int | None
    last_error: str | None
    last_attempt_at: datetime | None
    created_at: datetime
    delivered_at: datetime | None
