"""The catalog's tables: filières, mentors, their filières and their notification preferences."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Integer,
    LargeBinary,
    SmallInteger,
    Text,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Mapped, mapped_column

from scheduler.platform import Base, one_of, server_now, uuid_pk


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
    # The mentor's own meeting link (migration 0007), https only (scheduler/catalog/links.py):
    # when set, every booking's join links lead there instead of Meet or Jitsi.
    meeting_url: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = server_now()
    updated_at: Mapped[datetime] = server_now()


class MentorPhoto(Base):
    """A profile photo the mentor uploaded (migration 0017), kept in PostgreSQL so that the
    database's backups hold it too: already decoded, cropped to a square, re-encoded and
    stripped of its metadata (``scheduler.catalog.photos``). ``version`` names this content in
    its URL, so the URL can be cached for ever."""

    __tablename__ = "mentor_photos"

    mentor_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("mentors.id", ondelete="CASCADE"), primary_key=True
    )
    content: Mapped[bytes] = mapped_column(LargeBinary)
    media_type: Mapped[str] = mapped_column(Text)
    version: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[datetime] = server_now()


class MentorFiliere(Base):
    __tablename__ = "mentor_filieres"

    mentor_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("mentors.id", ondelete="CASCADE"), primary_key=True
    )
    filiere_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("filieres.id", ondelete="CASCADE"), primary_key=True, index=True
    )


class NotifyMode(StrEnum):
    """How a mentor hears of new bookings: one mail each, or the daily digest."""

    EACH = "each"
    DIGEST = "digest"


class MentorPreferences(Base):
    """What the mentor space keeps per mentor: how they want to hear of bookings, when they
    finished onboarding, when they last signed in."""

    __tablename__ = "mentor_preferences"
    __table_args__ = (CheckConstraint(one_of("notify", NotifyMode), name="notify"),)

    mentor_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("mentors.id", ondelete="CASCADE"), primary_key=True
    )
    notify: Mapped[str] = mapped_column(Text, server_default="each")
    onboarded_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    last_sign_in_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = server_now()
    # The daily digest (migration 0005): the mentor's local date of the last one, which
    # workers claim so a day gets one digest, and the instant it covered bookings up to.
    digest_sent_on: Mapped[date | None] = mapped_column(Date)
    digest_sent_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


# One row per mentor, created with the mentor (database defaults): the schedules domain
# validates and changes it.
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
