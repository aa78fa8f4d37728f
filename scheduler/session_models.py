"""The tables of the mentor space and the staff console: browser sessions, sign-in links, Google
sign-ins in flight, invitations, mentors' notification preferences and the bookings mentors
report to the team.

Mirrors ``migrations/versions/2026_11_25_0004_sessions.py`` (and ``0005_mentor_digest``) (the migrations test compares the
two). Secrets (session ids, sign-in links) are stored as their SHA-256 only.
"""

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
    LargeBinary,
    Text,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from scheduler.models import Base, server_now

ROLES = ("mentor", "staff")
NOTIFY_MODES = ("each", "digest")



class WebSession(Base):
    """A signed-in browser. The cookie holds the raw id; ``id_hash`` is its SHA-256. A mentor
    session names its mentor; a staff session names the staff member's email."""

    __tablename__ = "web_sessions"
    __table_args__ = (
        CheckConstraint("role IN ('mentor', 'staff')", name="role"),
        CheckConstraint(
            "(role = 'mentor' AND mentor_id IS NOT NULL) OR "
            "(role = 'staff' AND staff_email IS NOT NULL)",
            name="identity",
        ),
        Index("ix_web_sessions_mentor_id", "mentor_id"),
        Index("ix_web_sessions_staff_email", "staff_email"),
        Index("ix_web_sessions_expires_at", "expires_at"),
    )

    id_hash: Mapped[bytes] = mapped_column(LargeBinary, primary_key=True)
    role: Mapped[str] = mapped_column(Text)
    mentor_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("mentors.id", ondelete="CASCADE")
    )
    staff_email: Mapped[str | None] = mapped_column(Text)
    # The synchronizer token every form of this session carries (CSRF).
    csrf_token: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = server_now()
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class SignInLink(Base):
    """A one-time sign-in link sent by email (fallback sign-in, and staff invitations)."""

    __tablename__ = "sign_in_links"

    token_hash: Mapped[bytes] = mapped_column(LargeBinary, primary_key=True)
    mentor_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("mentors.id", ondelete="CASCADE"), index=True
    )
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = server_now()


class SignInState(Base):
    """A Google sign-in in flight: ``state`` (stored hashed), the PKCE verifier and the OpenID
    nonce. Single-use: the callback deletes the row it uses."""

    __tablename__ = "sign_in_states"
    __table_args__ = (CheckConstraint("role IN ('mentor', 'staff')", name="role"),)

    state_hash: Mapped[bytes] = mapped_column(LargeBinary, primary_key=True)
    role: Mapped[str] = mapped_column(Text)
    code_verifier: Mapped[str] = mapped_column(Text)
    nonce: Mapped[str] = mapped_column(Text)
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = server_now()


class MentorInvitation(Base):
    """Staff invited this mentor (the latest invitation); ``accepted_at``: first sign-in."""

    __tablename__ = "mentor_invitations"

    mentor_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("mentors.id", ondelete="CASCADE"), primary_key=True
    )
    invited_by: Mapped[str] = mapped_column(Text)
    invited_at: Mapped[datetime] = server_now()
    accepted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class MentorPreferences(Base):
    """What the mentor space keeps per mentor: how they want to hear of bookings, when they
    finished onboarding, when they last signed in."""

    __tablename__ = "mentor_preferences"
    __table_args__ = (CheckConstraint("notify IN ('each', 'digest')", name="notify"),)

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
