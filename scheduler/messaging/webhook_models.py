"""The tables of the webhooks to the Thotis site: the endpoints staff manage and the delivery
log, one row per message (one event for one endpoint) whose id is the ``webhook-id`` header."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    Text,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB
from sqlalchemy.orm import Mapped, mapped_column

from scheduler.platform import Base, one_of, server_now, uuid_pk


class MessageStatus(StrEnum):
    PENDING = "pending"
    # The receiver answered 2xx: never sent again.
    DELIVERED = "delivered"
    # Attempts exhausted, refused for good, or the endpoint was switched off or deleted.
    FAILED = "failed"


class WebhookEndpoint(Base):
    __tablename__ = "webhook_endpoints"

    id: Mapped[uuid.UUID] = uuid_pk()
    url: Mapped[str] = mapped_column(Text)
    description: Mapped[str] = mapped_column(Text, server_default="")
    events: Mapped[list[str]] = mapped_column(ARRAY(Text))
    # The signing key (``whsec_`` + base64), sealed with TOKEN_KEYS (``Sealer``): every send
    # opens it to sign, a copy of the database alone does not give it away.
    secret: Mapped[str] = mapped_column(Text)
    enabled: Mapped[bool] = mapped_column(Boolean, server_default="true")
    # Whether the visitor's email travels in booking events (off unless staff grant it).
    include_visitor_email: Mapped[bool] = mapped_column(Boolean, server_default="false")
    consecutive_failures: Mapped[int] = mapped_column(Integer, server_default="0")
    disabled_reason: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = server_now()


class WebhookMessage(Base):
    __tablename__ = "webhook_messages"
    __table_args__ = (
        CheckConstraint(one_of("status", MessageStatus), name="status"),
        Index("ix_webhook_messages_endpoint_id_created_at", "endpoint_id", "created_at"),
    )

    # ``msg_…``: derived from the event's outbox row and the endpoint, so a fan-out that runs
    # twice (a worker crash) finds the message already there instead of making a second one.
    id: Mapped[str] = mapped_column(Text, primary_key=True)
    endpoint_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("webhook_endpoints.id", ondelete="CASCADE")
    )
    event_type: Mapped[str] = mapped_column(Text)
    # The body as sent, without the visitor's email (added at send time when granted).
    payload: Mapped[dict[str, Any]] = mapped_column(JSONB)
    status: Mapped[str] = mapped_column(Text, server_default=MessageStatus.PENDING.value)
    attempts: Mapped[int] = mapped_column(Integer, server_default="0")
    last_status_code: Mapped[int | None] = mapped_column(Integer)
    last_error: Mapped[str | None] = mapped_column(Text)
    last_attempt_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = server_now()
    delivered_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
