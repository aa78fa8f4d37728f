"""Booker email verification (issue 18): slots held while the visitor types their code, and
the index the cap on a visitor's live bookings counts with

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-04
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_LIVE = "status = 'confirmed'"


def upgrade() -> None:
    op.create_table(
        "booking_holds",
        sa.Column("id", sa.Uuid(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("mentor_id", sa.Uuid(), nullable=False),
        sa.Column("start_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("occupied", postgresql.TSTZRANGE(), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("email_hash", sa.LargeBinary(), nullable=False),
        sa.Column("code_hash", sa.LargeBinary(), nullable=False),
        sa.Column("attempts", sa.Integer(), server_default="0", nullable=False),
        sa.Column("request", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column(
            "created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.CheckConstraint("attempts >= 0", name="ck_booking_holds_attempts"),
        sa.ForeignKeyConstraint(
            ["mentor_id"],
            ["mentors.id"],
            name="fk_booking_holds_mentor_id_mentors",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_booking_holds"),
    )
    op.create_index("ix_booking_holds_mentor_expires", "booking_holds", ["mentor_id", "expires_at"])
    op.create_index("ix_booking_holds_email_hash", "booking_holds", ["email_hash"])
    op.create_index(
        "ix_bookings_live_visitor_email",
        "bookings",
        ["visitor_email"],
        postgresql_where=sa.text(_LIVE),
    )


def downgrade() -> None:
    op.drop_index("ix_bookings_live_visitor_email", table_name="bookings")
    op.drop_table("booking_holds")
