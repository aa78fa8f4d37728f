"""The booking tables: bookings, manage tokens, idempotency keys, blocked visitor emails and
feedback; and what the retention purge keeps of them with no link to anyone (questions by
filière and month, feedback counted per mentor and month)."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from uuid import UUID

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Computed,
    Date,
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
        CheckConstraint(
            "consent_basis IS NULL OR consent_basis IN ('own', 'parental')",
            name="consent_basis",
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
        # The retention purge's daily search: only bookings still holding personal data.
        Index(
            "ix_bookings_unpurged_end_at",
            "end_at",
            postgresql_where=text("personal_data_purged_at IS NULL"),
        ),
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
    # Whose agreement the booking rests on: the visitor's own (15 or older), or a parent's
    # (under 15, French law's age of digital consent). NULL for bookings made before it was asked.
    consent_basis: Mapped[str | None] = mapped_column(Text)


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
    """A booking request's key. ``request_hash`` is an HMAC (keyed with ``SECRET_KEY``) of the
    request's body, which holds the visitor's email. When the booking's personal data is erased
    the hash and the booking go (both NULL) and the key stays as a tombstone: a replay of it
    answers ``booking_gone`` instead of booking again."""

    __tablename__ = "idempotency_keys"

    key: Mapped[str] = mapped_column(Text, primary_key=True)
    request_hash: Mapped[str | None] = mapped_column(Text)
    booking_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("bookings.id", ondelete="CASCADE")
    )
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


class RetainedQuestion(Base):
    """A visitor's question once its booking's personal data is erased: the text, the filière
    and the month, with no booking, mentor or visitor behind it (the frequent questions)."""

    __tablename__ = "retained_questions"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=True)
    filiere_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("filieres.id", ondelete="SET NULL")
    )
    month: Mapped[date] = mapped_column(Date)
    language: Mapped[str] = mapped_column(Text)
    question: Mapped[str] = mapped_column(Text)


class FeedbackTally(Base):
    """Answers to "did the exchange help?" once their bookings' personal data is erased:
    counted per mentor and month, no longer one row per visitor."""

    __tablename__ = "feedback_tallies"

    mentor_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("mentors.id", ondelete="CASCADE"), primary_key=True
    )
    month: Mapped[date] = mapped_column(Date, primary_key=True)
    helpful: Mapped[int] = mapped_column(Integer, server_default="0")
    not_helpful: Mapped[int] = mapped_column(Integer, server_default="0")


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
