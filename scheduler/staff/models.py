"""The staff domain's tables: reports of bookings."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    DateTime,
    ForeignKey,
    Index,
    Text,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from scheduler.platform import Base, server_now


class BookingReport(Base):
    """A mentor tells the team about a booking (abuse, a prank, …); staff resolve it."""

    __tablename__ = "booking_reports"
    __table_args__ = (
        CheckConstraint(
            "resolution IS NULL OR resolution IN ('blocked', 'dismissed')", name="resolution"
        ),
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
    created_at: Mapped[datetime] = server_now()
    resolved_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    resolved_by: Mapped[str | None] = mapped_column(Text)
    resolution: Mapped[str | None] = mapped_column(Text)
