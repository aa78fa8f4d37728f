"""The staff domain's tables: reports of bookings, visitors' privacy requests, the themes of
visitors' questions and the themes the team approved for visitors."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from scheduler.platform import Base, server_now


class BookingReport(Base):
    """A mentor or the visitor tells the team about a booking (abuse, a prank, …); staff
    resolve it. ``mentor_id`` is the booking's mentor whoever reported."""

    __tablename__ = "booking_reports"
    __table_args__ = (
        CheckConstraint(
            "resolution IS NULL OR resolution IN ('blocked', 'dismissed', 'handled')",
            name="resolution",
        ),
        CheckConstraint("reporter IN ('mentor', 'visitor')", name="reporter"),
        Index(
            "ix_booking_reports_open", "created_at", postgresql_where=text("resolved_at IS NULL")
        ),
    )

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=True)
    booking_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("bookings.id", ondelete="CASCADE"), index=True
    )
    mentor_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("mentors.id", ondelete="CASCADE"))
    reason: Mapped[str] = mapped_column(Text)
    reporter: Mapped[str] = mapped_column(Text, server_default="mentor")
    created_at: Mapped[datetime] = server_now()
    resolved_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    resolved_by: Mapped[str | None] = mapped_column(Text)
    resolution: Mapped[str | None] = mapped_column(Text)


class PrivacyRequest(Base):
    """A visitor asked, from their manage page, for a copy of their data or its erasure; it is
    carried out only when the link mailed to the address is opened (only the link's SHA-256 is
    kept). Done, expired or superseded requests are deleted, the address with them."""

    __tablename__ = "privacy_requests"
    __table_args__ = (CheckConstraint("kind IN ('export', 'erase')", name="kind"),)

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=True)
    token_hash: Mapped[bytes] = mapped_column(LargeBinary, unique=True)
    email: Mapped[str] = mapped_column(Text)
    kind: Mapped[str] = mapped_column(Text)
    language: Mapped[str] = mapped_column(Text, server_default="fr")
    created_at: Mapped[datetime] = server_now()
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class QuestionTheme(Base):
    """One theme of a filière's questions in one month, as the worker last computed it. The
    questions are stored scrubbed (``scheduler.staff.scrub``) and unlinked from their bookings:
    what the pages and the dataset read outlives the purge of personal data."""

    __tablename__ = "question_themes"
    __table_args__ = (
        UniqueConstraint("filiere_id", "period", "key"),
        CheckConstraint("extract(day from period) = 1", name="period_is_a_month"),
    )

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=True)
    filiere_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("filieres.id", ondelete="CASCADE"))
    period: Mapped[date] = mapped_column(Date)  # the first day of the month
    key: Mapped[str] = mapped_column(Text)
    label: Mapped[str] = mapped_column(Text)
    representative: Mapped[str] = mapped_column(Text)
    count: Mapped[int] = mapped_column(Integer)
    previous_count: Mapped[int] = mapped_column(Integer)
    questions: Mapped[list[str]] = mapped_column(JSONB)  # most central first
    computed_at: Mapped[datetime] = server_now()


class ThemeApproval(Base):
    """A theme the team shows visitors: it follows the theme's key, so a recomputation (or the
    next month) that finds the same subject keeps it approved."""

    __tablename__ = "question_theme_approvals"

    filiere_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("filieres.id", ondelete="CASCADE"), primary_key=True
    )
    key: Mapped[str] = mapped_column(Text, primary_key=True)
    approved_by: Mapped[str | None] = mapped_column(Text)
    approved_at: Mapped[datetime] = server_now()
