"""The tables of the calendar connection (Google): who is connected, the OAuth states in
flight, where each booking's event lives, and the warnings the mentor space shows.

Mirrors ``migrations/versions/2026_11_25_0003_google_calendar.py`` and ``…_0006_event_moved.py``
(the migrations test compares the two).
"""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    DateTime,
    ForeignKey,
    Index,
    Text,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Mapped, mapped_column

from scheduler.platform import Base, one_of, server_now


class ConnectionState(StrEnum):
    """A Google connection works, or waits for the mentor to grant access again."""

    ACTIVE = "active"
    RECONNECT_REQUIRED = "reconnect_required"


class WarningKind(StrEnum):
    """What the mentor space tells a mentor about their calendar (in the migration's order)."""

    EVENT_DELETED = "event_deleted"
    RECONNECT_REQUIRED = "reconnect_required"
    CALENDAR_MISSING = "calendar_missing"
    EVENT_MOVED = "event_moved"


class CalendarConnection(Base):
    """One mentor's Google account. ``sealed_tokens`` is ``scheduler.secrets.seal_tokens``:
    the OAuth tokens never sit in the database in clear."""

    __tablename__ = "calendar_connections"
    __table_args__ = (
        CheckConstraint(one_of("status", ConnectionState), name="status"),
        Index("ix_calendar_connections_channel_id", "channel_id", unique=True),
    )

    mentor_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("mentors.id", ondelete="CASCADE"), primary_key=True
    )
    google_email: Mapped[str] = mapped_column(Text)
    sealed_tokens: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(Text, server_default=ConnectionState.ACTIVE)
    busy_calendar_ids: Mapped[list[str]] = mapped_column(ARRAY(Text), server_default="{}")
    events_calendar_id: Mapped[str | None] = mapped_column(Text)
    sync_token: Mapped[str | None] = mapped_column(Text)
    # Set by a push notification (or a reconnect): the worker syncs this calendar soon.
    sync_requested_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    synced_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    channel_id: Mapped[str | None] = mapped_column(Text)
    channel_resource_id: Mapped[str | None] = mapped_column(Text)
    channel_token: Mapped[str | None] = mapped_column(Text)
    channel_expiration: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    last_error: Mapped[str | None] = mapped_column(Text)
    connected_at: Mapped[datetime] = server_now()
    updated_at: Mapped[datetime] = server_now()


class OAuthState(Base):
    """A connect flow in flight: the ``state`` sent to Google and the PKCE verifier kept here.
    Single-use: the callback deletes the row it uses."""

    __tablename__ = "oauth_states"

    state: Mapped[str] = mapped_column(Text, primary_key=True)
    code_verifier: Mapped[str] = mapped_column(Text)
    mentor_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("mentors.id", ondelete="CASCADE"), index=True
    )
    purpose: Mapped[str] = mapped_column(Text, server_default="connect")
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = server_now()


class CalendarEvent(Base):
    """Where a booking series' event was written (the mentor may change their events calendar
    later: updates and cancellation go where the event is)."""

    __tablename__ = "calendar_events"

    series_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    mentor_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("mentors.id", ondelete="CASCADE"), index=True
    )
    calendar_id: Mapped[str] = mapped_column(Text)
    event_id: Mapped[str] = mapped_column(Text)
    meet_url: Mapped[str | None] = mapped_column(Text)
    # The times last written to Google: a sync that sees others knows the mentor moved it.
    start_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    end_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = server_now()


class CalendarWarning(Base):
    """Something the mentor must see in their space: a booking's event deleted or moved in
    Google (the booking still stands, at its own time), or the connection needing a reconnect."""

    __tablename__ = "calendar_warnings"
    __table_args__ = (
        CheckConstraint(one_of("kind", WarningKind), name="kind"),
        Index(
            "ix_calendar_warnings_open",
            "mentor_id",
            postgresql_where=text("resolved_at IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=True)
    mentor_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("mentors.id", ondelete="CASCADE"))
    booking_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("bookings.id", ondelete="CASCADE")
    )
    kind: Mapped[str] = mapped_column(Text)
    detail: Mapped[str | None] = mapped_column(Text)
    at: Mapped[datetime] = server_now()
    resolved_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class BusyFetchState(Base):
    __tablename__ = "busy_fetch_state"

    mentor_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("mentors.id", ondelete="CASCADE"), primary_key=True
    )
    fetched_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    stale: Mapped[bool] = mapped_column(Boolean, server_default=text("true"))
