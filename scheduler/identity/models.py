"""The tables of sign-in: browser sessions, sign-in links, Google sign-ins in flight, invitations, staff API keys and mentor tokens."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum

from sqlalchemy import (
    CheckConstraint,
    DateTime,
    ForeignKey,
    Index,
    LargeBinary,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column

from scheduler.platform import Base, one_of, server_now, uuid_pk


class StaffApiKey(Base):
    __tablename__ = "staff_api_keys"

    id: Mapped[uuid.UUID] = uuid_pk()
    name: Mapped[str] = mapped_column(Text)
    key_hash: Mapped[bytes] = mapped_column(LargeBinary, unique=True)
    created_at: Mapped[datetime] = server_now()
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # Null: made before credentials expired (kept working until revoked).
    expires_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class MentorToken(Base):
    __tablename__ = "mentor_tokens"

    id: Mapped[uuid.UUID] = uuid_pk()
    mentor_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("mentors.id", ondelete="CASCADE"), index=True
    )
    token_hash: Mapped[bytes] = mapped_column(LargeBinary, unique=True)
    created_at: Mapped[datetime] = server_now()
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # Null: made before credentials expired (kept working until revoked).
    expires_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class Role(StrEnum):
    """Who a browser session or a sign-in in flight is for."""

    MENTOR = "mentor"
    STAFF = "staff"


class WebSession(Base):
    """A signed-in browser. The cookie holds the raw id; ``id_hash`` is its SHA-256. A mentor
    session names its mentor; a staff session names the staff member's email."""

    __tablename__ = "web_sessions"
    __table_args__ = (
        CheckConstraint(one_of("role", Role), name="role"),
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


class StaffSignInLink(Base):
    """A one-time sign-in link for a member of staff (a console without Google). Apart from
    the mentors' links: a staff member is an address in the settings, not a row to point at."""

    __tablename__ = "staff_sign_in_links"
    __table_args__ = (Index("ix_staff_sign_in_links_email_created", "staff_email", "created_at"),)

    token_hash: Mapped[bytes] = mapped_column(LargeBinary, primary_key=True)
    staff_email: Mapped[str] = mapped_column(Text)
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = server_now()


class SignInState(Base):
    """A Google sign-in in flight: ``state`` (stored hashed), the PKCE verifier and the OpenID
    nonce. Single-use: the callback deletes the row it uses."""

    __tablename__ = "sign_in_states"
    __table_args__ = (CheckConstraint(one_of("role", Role), name="role"),)

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
