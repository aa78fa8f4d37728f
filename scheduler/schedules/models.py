"""The tables of a mentor's availability: weekly rules, date overrides, policy, and external busy time."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Index,
    SmallInteger,
    Text,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from scheduler.platform import Base, server_now, sql_literal


# The statuses a booking goes through. Defined here, below the booking domain, because what
# occupies a mentor's time is an input of the schedules' slots.
class BookingStatus(StrEnum):
    CONFIRMED = "confirmed"
    CANCELLED = "cancelled"
    RESCHEDULED = "rescheduled"
    NO_SHOW = "no_show"


# The one live status: it occupies the mentor's time. The engine's input (the loader reads the
# bookings table) and the exclusion constraint's predicate are built from it.
LIVE_STATUS = BookingStatus.CONFIRMED
IS_LIVE = f"status = {sql_literal(LIVE_STATUS)}"


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
