"""The booking tables: bookings, manage tokens, idempotency keys, blocked visitor emails and feedback."""

from __future__ import annotations

import uuid
from datetime import datetime
from uuid import UUID

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Computed,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    Text,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB, TSTZRANGE, ExcludeConstraint, Range
from sqlalchemy.orm import Mapped, mapped_column

from scheduler.platform import Base, one_of, server_now, uuid_pk
from scheduler.schedules import IS_LIVE, LIVE_STATUS, BookingStatus


class BookingRow(Base):
    __tablename__ = "bookings"
    __table_args__ = (
        CheckConstraint(one_of("status", BookingStatus), name="status"),
        CheckConstraint("language IN ('fr', 'en')", name="language"),
        CheckConstraint("end_at > start_at", name="ordered"),
        CheckConstraint("buffer_before_minutes >= 0 AND buffer_after_minutes >= 0", name="buffers"),
        CheckConstraint(
            "cancelled_by IS NULL OR cancelled_by IN ('visitor', 'mentor', 'staff')",
            name="cancelled_by",
        ),
        # The last line of defence against double booking: two live bookings of one mentor
        # never overlap, buffers included. Touching ranges ('[)') do not overlap.
        ExcludeConstraint(
            ("mentor_id", "="),
            ("occupied", "&&"),
            name="bookings_no_overlap",
            using="gist",
            where=text(IS_LIVE),
        ),
        Index(
            "ix_bookings_live_mentor_start",
            "mentor_id",
            "start_at",
            postgresql_where=text(IS_LIVE),
        ),
        Index("ix_bookings_end_at", "end_at"),
        # The cap on a visitor's live bookings (BOOKING_LIVE_PER_EMAIL) counts by address.
        Index(
            "ix_bookings_live_visitor_email",
            "visitor_email",
            postgresql_where=text(IS_LIVE),
        ),
    )

    id: Mapped[uuid.UUID] = uuid_pk()
    series_id: Mapped[uuid.UUID] = mapped_column(index=True)
    sequence: Mapped[int] = mapped_column(Integer, server_default="0")
    mentor_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("mentors.id"))
    filiere_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("filieres.id"))
    start_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    end_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    buffer_before_minutes: Mapped[int] = mapped_column(Integer)
    buffer_after_minutes: Mapped[int] = mapped_column(Integer)
    occupied: Mapped[Range[datetime]] = mapped_column(
        TSTZRANGE,
        Computed(
            "booking_occupied(start_at, end_at, buffer_before_minutes, buffer_after_minutes)",
            persisted=True,
        ),
    )
    status: Mapped[str] = mapped_column(Text, server_default=LIVE_STATUS)
    visitor_first_name: Mapped[str | None] = mapped_column(Text)
    visitor_email: Mapped[str | None] = mapped_column(Text)
    visitor_question: Mapped[str | None] = mapped_column(Text)
    visitor_timezone: Mapped[str] = mapped_column(Text)
    language: Mapped[str] = mapped_column(Text, server_default="fr")
    consent_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    cancel_reason: Mapped[str | None] = mapped_column(Text)
    cancelled_by: Mapped[str | None] = mapped_column(Text)
    cancelled_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    rescheduled_to: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("bookings.id"))
    # Written back by the calendar integration once the event exists.
    meet_url: Mapped[str | None] = mapped_column(Text)
    calendar_event_id: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = server_now()
    personal_data_purged_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class ManageToken(Base):
    """A visitor's manage link. Only the SHA-256 of the secret is stored."""

    __tablename__ = "manage_tokens"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=True)
    token_hash: Mapped[bytes] = mapped_column(LargeBinary, unique=True)
    booking_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("bookings.id", ondelete="CASCADE"), index=True
    )
    purpose: Mapped[str] = mapped_column(Text, server_default="manage")
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = server_now()


class IdempotencyKey(Base):
    __tablename__ = "idempotency_keys"

    key: Mapped[str] = mapped_column(Text, primary_key=True)
    request_hash: Mapped[str] = mapped_column(Text)
    booking_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("bookings.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = server_now()


class EmailBlock(Base):
    """Visitor emails refused at booking (abuse), kept as SHA-256 of the lowercased address."""

    __tablename__ = "email_blocklist"

    email_hash: Mapped[bytes] = mapped_column(LargeBinary, primary_key=True)
    reason: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = server_now()


class Feedback(Base):
    __tablename__ = "feedback"

    booking_id: Mapped[UUID] = mapped_column(
        ForeignKey("bookings.id", ondelete="CASCADE"), primary_key=True
    )
    helpful: Mapped[bool] = mapped_column(Boolean)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class BookingHold(Base):
    """A slot held while its visitor types the code mailed to them (booker email verification,
    ``scheduler.booking.verification``). Until ``expires_at`` the slot reads count the held
    range as busy and the booking path refuses it to anyone else; a hold is created and
    consumed under the mentor's row lock, like a booking, so two never overlap. The booking
    request waits here (personal data for minutes: deleted on confirmation, and once expired by
    the next hold of the mentor or the worker's purge); the code only as an HMAC."""

    __tablename__ = "booking_holds"
    __table_args__ = (
        Index("ix_booking_holds_mentor_expires", "mentor_id", "expires_at"),
        CheckConstraint("attempts >= 0", name="attempts"),
    )

    id: Mapped[uuid.UUID] = uuid_pk()
    mentor_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("mentors.id", ondelete="CASCADE"))
    start_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    occupied: Mapped[Range[datetime]] = mapped_column(TSTZRANGE)
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    # SHA-256 of the lowercased address: a new hold for the same address replaces the old one.
    email_hash: Mapped[bytes] = mapped_column(LargeBinary, index=True)
    code_hash: Mapped[bytes] = mapped_column(LargeBinary)
    attempts: Mapped[int] = mapped_column(Integer, server_default="0")
    request: Mapped[dict[str, object]] = mapped_column(JSONB)
    created_at: Mapped[datetime] = server_now()
