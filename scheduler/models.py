"""The schema as SQLAlchemy 2 typed declarative models.

The migrations in ``migrations/`` are the only way the schema changes; these models mirror
them (a test compares the two). Instants are ``timestamptz``; local time lives only in rules.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

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
    MetaData,
    SmallInteger,
    Text,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB, TSTZRANGE, ExcludeConstraint, Range
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

NAMING = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

BOOKING_STATUSES = ("confirmed", "cancelled", "rescheduled", "no_show")
LIVE_STATUS = "confirmed"
OUTBOX_STATUSES = ("pending", "delivered", "failed")


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


def server_now() -> Any:
    return mapped_column(DateTime(timezone=True), server_default=func.now(), nullable=False)


def uuid_pk() -> Mapped[uuid.UUID]:
    return mapped_column(
        primary_key=True, default=uuid.uuid4, server_default=func.gen_random_uuid()
    )


class Filiere(Base):
    __tablename__ = "filieres"

    id: Mapped[uuid.UUID] = uuid_pk()
    slug: Mapped[str] = mapped_column(Text, unique=True)
    name_fr: Mapped[str] = mapped_column(Text)
    name_en: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = server_now()


class Mentor(Base):
    __tablename__ = "mentors"
    __table_args__ = (
        CheckConstraint("year_of_study BETWEEN 1 AND 12", name="year_of_study"),
        CheckConstraint("email = lower(email)", name="email_lowercase"),
    )

    id: Mapped[uuid.UUID] = uuid_pk()
    display_name: Mapped[str] = mapped_column(Text)
    email: Mapped[str] = mapped_column(Text, unique=True)
    photo_url: Mapped[str | None] = mapped_column(Text)
    university: Mapped[str] = mapped_column(Text)
    year_of_study: Mapped[int] = mapped_column(SmallInteger)
    bio: Mapped[str] = mapped_column(Text, server_default="")
    languages: Mapped[list[str]] = mapped_column(ARRAY(Text), server_default="{fr}")
    timezone: Mapped[str] = mapped_column(Text, server_default="Europe/Paris")
    active: Mapped[bool] = mapped_column(Boolean, server_default=text("true"))
    paused: Mapped[bool] = mapped_column(Boolean, server_default=text("false"))
    allow_reply_to: Mapped[bool] = mapped_column(Boolean, server_default=text("false"))
    created_at: Mapped[datetime] = server_now()
    updated_at: Mapped[datetime] = server_now()


class MentorFiliere(Base):
    __tablename__ = "mentor_filieres"

    mentor_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("mentors.id", ondelete="CASCADE"), primary_key=True
    )
    filiere_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("filieres.id", ondelete="CASCADE"), primary_key=True, index=True
    )


class AvailabilityRule(Base):
    __tablename__ = "availability_rules"
    __table_args__ = (
        CheckConstraint("weekday BETWEEN 0 AND 6", name="weekday"),
        CheckConstraint(
            "start_minute >= 0 AND end_minute <= 1440 AND start_minute < end_minute", name="range"
        ),
    )

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=True)
    mentor_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("mentors.id", ondelete="CASCADE"), index=True
    )
    weekday: Mapped[int] = mapped_column(SmallInteger)
    start_minute: Mapped[int] = mapped_column(SmallInteger)
    end_minute: Mapped[int] = mapped_column(SmallInteger)


class DateOverrideRow(Base):
    """One local date of one mentor; ``ranges`` is a JSON list of ``[start, end]`` minutes,
    empty for a day off."""

    __tablename__ = "date_overrides"

    mentor_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("mentors.id", ondelete="CASCADE"), primary_key=True
    )
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    ranges: Mapped[list[list[int]]] = mapped_column(JSONB, server_default="[]")


class PolicyRow(Base):
    __tablename__ = "policies"
    __table_args__ = (
        CheckConstraint(
            "buffer_before_minutes >= 0 AND buffer_after_minutes >= 0 AND notice_minutes >= 0",
            name="non_negative",
        ),
        CheckConstraint("horizon_days BETWEEN 1 AND 366", name="horizon"),
        CheckConstraint(
            "(day_cap IS NULL OR day_cap >= 0) AND (week_cap IS NULL OR week_cap >= 0)",
            name="caps",
        ),
    )

    mentor_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("mentors.id", ondelete="CASCADE"), primary_key=True
    )
    buffer_before_minutes: Mapped[int] = mapped_column(Integer, server_default="5")
    buffer_after_minutes: Mapped[int] = mapped_column(Integer, server_default="5")
    notice_minutes: Mapped[int] = mapped_column(Integer, server_default="120")
    horizon_days: Mapped[int] = mapped_column(Integer, server_default="30")
    day_cap: Mapped[int | None] = mapped_column(Integer)
    week_cap: Mapped[int | None] = mapped_column(Integer)
    updated_at: Mapped[datetime] = server_now()


class BookingRow(Base):
    __tablename__ = "bookings"
    __table_args__ = (
        CheckConstraint(
            "status IN ('confirmed', 'cancelled', 'rescheduled', 'no_show')", name="status"
        ),
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
            where=text("status = 'confirmed'"),
        ),
        Index(
            "ix_bookings_live_mentor_start",
            "mentor_id",
            "start_at",
            postgresql_where=text("status = 'confirmed'"),
        ),
        Index("ix_bookings_end_at", "end_at"),
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


class OutboxRow(Base):
    __tablename__ = "outbox"
    __table_args__ = (
        CheckConstraint("status IN ('pending', 'delivered', 'failed')", name="status"),
        Index(
            "ix_outbox_pending_available",
            "available_at",
            postgresql_where=text("status = 'pending'"),
        ),
    )

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=True)
    kind: Mapped[str] = mapped_column(Text)
    payload: Mapped[dict[str, Any]] = mapped_column(JSONB)
    status: Mapped[str] = mapped_column(Text, server_default="pending")
    attempts: Mapped[int] = mapped_column(Integer, server_default="0")
    available_at: Mapped[datetime] = server_now()
    locked_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    claimed_by: Mapped[str | None] = mapped_column(Text)
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = server_now()
    delivered_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class AuditEntry(Base):
    __tablename__ = "audit_log"
    __table_args__ = (Index("ix_audit_log_entity", "entity", "entity_id"),)

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=True)
    actor_kind: Mapped[str] = mapped_column(Text)  # visitor, mentor, staff, system
    actor_id: Mapped[str | None] = mapped_column(Text)
    action: Mapped[str] = mapped_column(Text)
    entity: Mapped[str] = mapped_column(Text)
    entity_id: Mapped[str] = mapped_column(Text)
    details: Mapped[dict[str, Any]] = mapped_column(JSONB, server_default="{}")
    at: Mapped[datetime] = server_now()


class ExternalBusy(Base):
    """Cached busy time from a mentor's calendars (Google free/busy), refreshed by the worker."""

    __tablename__ = "external_busy"
    __table_args__ = (
        CheckConstraint("end_at > start_at", name="ordered"),
        Index("ix_external_busy_mentor_start", "mentor_id", "start_at"),
    )

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=True)
    mentor_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("mentors.id", ondelete="CASCADE"))
    start_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    end_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    source: Mapped[str] = mapped_column(Text, server_default="google")
    fetched_at: Mapped[datetime] = server_now()


class BusyFetchState(Base):
    __tablename__ = "busy_fetch_state"

    mentor_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("mentors.id", ondelete="CASCADE"), primary_key=True
    )
    fetched_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    stale: Mapped[bool] = mapped_column(Boolean, server_default=text("true"))


class StaffApiKey(Base):
    __tablename__ = "staff_api_keys"

    id: Mapped[uuid.UUID] = uuid_pk()
    name: Mapped[str] = mapped_column(Text)
    key_hash: Mapped[bytes] = mapped_column(LargeBinary, unique=True)
    created_at: Mapped[datetime] = server_now()
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class MentorToken(Base):
    __tablename__ = "mentor_tokens"

    id: Mapped[uuid.UUID] = uuid_pk()
    mentor_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("mentors.id", ondelete="CASCADE"), index=True
    )
    token_hash: Mapped[bytes] = mapped_column(LargeBinary, unique=True)
    created_at: Mapped[datetime] = server_now()
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class EmailBlock(Base):
    """Visitor emails refused at booking (abuse), kept as SHA-256 of the lowercased address."""

    __tablename__ = "email_blocklist"

    email_hash: Mapped[bytes] = mapped_column(LargeBinary, primary_key=True)
    reason: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = server_now()
