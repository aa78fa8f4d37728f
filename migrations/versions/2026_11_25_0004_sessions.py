"""Mentor space and staff console: sessions, sign-in links and states, invitations, mentor
preferences, reported bookings

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-25
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TZ = sa.DateTime(timezone=True)


def _mentor(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["mentor_id"], ["mentors.id"], name=f"fk_{table}_mentor_id_mentors", ondelete="CASCADE"
    )


def _created() -> sa.Column[object]:
    return sa.Column("created_at", TZ, server_default=sa.func.now(), nullable=False)


def upgrade() -> None:
    op.create_table(
        "web_sessions",
        sa.Column("id_hash", sa.LargeBinary(), nullable=False),
        sa.Column("role", sa.Text(), nullable=False),
        sa.Column("mentor_id", sa.Uuid(), nullable=True),
        sa.Column("staff_email", sa.Text(), nullable=True),
        sa.Column("csrf_token", sa.Text(), nullable=False),
        _created(),
        sa.Column("expires_at", TZ, nullable=False),
        sa.CheckConstraint("role IN ('mentor', 'staff')", name="ck_web_sessions_role"),
        sa.CheckConstraint(
            "(role = 'mentor' AND mentor_id IS NOT NULL) OR "
            "(role = 'staff' AND staff_email IS NOT NULL)",
            name="ck_web_sessions_identity",
        ),
        _mentor("web_sessions"),
        sa.PrimaryKeyConstraint("id_hash", name="pk_web_sessions"),
    )
    op.create_index("ix_web_sessions_mentor_id", "web_sessions", ["mentor_id"])
    op.create_index("ix_web_sessions_staff_email", "web_sessions", ["staff_email"])
    op.create_index("ix_web_sessions_expires_at", "web_sessions", ["expires_at"])

    op.create_table(
        "sign_in_links",
        sa.Column("token_hash", sa.LargeBinary(), nullable=False),
        sa.Column("mentor_id", sa.Uuid(), nullable=False),
        sa.Column("expires_at", TZ, nullable=False),
        sa.Column("used_at", TZ, nullable=True),
        _created(),
        _mentor("sign_in_links"),
        sa.PrimaryKeyConstraint("token_hash", name="pk_sign_in_links"),
    )
    op.create_index("ix_sign_in_links_mentor_id", "sign_in_links", ["mentor_id"])

    op.create_table(
        "sign_in_states",
        sa.Column("state_hash", sa.LargeBinary(), nullable=False),
        sa.Column("role", sa.Text(), nullable=False),
        sa.Column("code_verifier", sa.Text(), nullable=False),
        sa.Column("nonce", sa.Text(), nullable=False),
        sa.Column("expires_at", TZ, nullable=False),
        _created(),
        sa.CheckConstraint("role IN ('mentor', 'staff')", name="ck_sign_in_states_role"),
        sa.PrimaryKeyConstraint("state_hash", name="pk_sign_in_states"),
    )

    op.create_table(
        "mentor_invitations",
        sa.Column("mentor_id", sa.Uuid(), nullable=False),
        sa.Column("invited_by", sa.Text(), nullable=False),
        sa.Column("invited_at", TZ, server_default=sa.func.now(), nullable=False),
        sa.Column("accepted_at", TZ, nullable=True),
        _mentor("mentor_invitations"),
        sa.PrimaryKeyConstraint("mentor_id", name="pk_mentor_invitations"),
    )

    op.create_table(
        "mentor_preferences",
        sa.Column("mentor_id", sa.Uuid(), nullable=False),
        sa.Column("notify", sa.Text(), server_default="each", nullable=False),
        sa.Column("onboarded_at", TZ, nullable=True),
        sa.Column("last_sign_in_at", TZ, nullable=True),
        sa.Column("updated_at", TZ, server_default=sa.func.now(), nullable=False),
        sa.CheckConstraint("notify IN ('each', 'digest')", name="ck_mentor_preferences_notify"),
        _mentor("mentor_preferences"),
        sa.PrimaryKeyConstraint("mentor_id", name="pk_mentor_preferences"),
    )

    op.create_table(
        "booking_reports",
        sa.Column("id", sa.BigInteger(), sa.Identity(), nullable=False),
        sa.Column("booking_id", sa.Uuid(), nullable=False),
        sa.Column("mentor_id", sa.Uuid(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        _created(),
        sa.Column("resolved_at", TZ, nullable=True),
        sa.Column("resolved_by", sa.Text(), nullable=True),
        sa.Column("resolution", sa.Text(), nullable=True),
        sa.CheckConstraint(
            "resolution IS NULL OR resolution IN ('blocked', 'dismissed')",
            name="ck_booking_reports_resolution",
        ),
        sa.ForeignKeyConstraint(
            ["booking_id"],
            ["bookings.id"],
            name="fk_booking_reports_booking_id_bookings",
            ondelete="CASCADE",
        ),
        _mentor("booking_reports"),
        sa.PrimaryKeyConstraint("id", name="pk_booking_reports"),
    )
    op.create_index("ix_booking_reports_booking_id", "booking_reports", ["booking_id"])
    op.create_index(
        "ix_booking_reports_open",
        "booking_reports",
        ["created_at"],
        postgresql_where=sa.text("resolved_at IS NULL"),
    )


def downgrade() -> None:
    op.drop_table("booking_reports")
    op.drop_table("mentor_preferences")
    op.drop_table("mentor_invitations")
    op.drop_table("sign_in_states")
    op.drop_table("sign_in_links")
    op.drop_table("web_sessions")
