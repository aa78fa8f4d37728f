"""Google Calendar: connections (sealed tokens), OAuth states, where events live, warnings

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TZ = sa.DateTime(timezone=True)


def _mentor(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["mentor_id"], ["mentors.id"], name=f"fk_{table}_mentor_id_mentors", ondelete="CASCADE"
    )


def upgrade() -> None:
    op.create_table(
        "calendar_connections",
        sa.Column("mentor_id", sa.Uuid(), nullable=False),
        sa.Column("google_email", sa.Text(), nullable=False),
        sa.Column("sealed_tokens", sa.Text(), nullable=False),
        sa.Column("status", sa.Text(), server_default="active", nullable=False),
        sa.Column(
            "busy_calendar_ids",
            postgresql.ARRAY(sa.Text()),
            server_default="{}",
            nullable=False,
        ),
        sa.Column("events_calendar_id", sa.Text(), nullable=True),
        sa.Column("sync_token", sa.Text(), nullable=True),
        sa.Column("sync_requested_at", TZ, nullable=True),
        sa.Column("synced_at", TZ, nullable=True),
        sa.Column("channel_id", sa.Text(), nullable=True),
        sa.Column("channel_resource_id", sa.Text(), nullable=True),
        sa.Column("channel_token", sa.Text(), nullable=True),
        sa.Column("channel_expiration", TZ, nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("connected_at", TZ, server_default=sa.func.now(), nullable=False),
        sa.Column("updated_at", TZ, server_default=sa.func.now(), nullable=False),
        sa.CheckConstraint(
            "status IN ('active', 'reconnect_required')", name="ck_calendar_connections_status"
        ),
        _mentor("calendar_connections"),
        sa.PrimaryKeyConstraint("mentor_id", name="pk_calendar_connections"),
    )
    op.create_index(
        "ix_calendar_connections_channel_id", "calendar_connections", ["channel_id"], unique=True
    )
    op.create_table(
        "oauth_states",
        sa.Column("state", sa.Text(), nullable=False),
        sa.Column("code_verifier", sa.Text(), nullable=False),
        sa.Column("mentor_id", sa.Uuid(), nullable=False),
        sa.Column("purpose", sa.Text(), server_default="connect", nullable=False),
        sa.Column("expires_at", TZ, nullable=False),
        sa.Column("created_at", TZ, server_default=sa.func.now(), nullable=False),
        _mentor("oauth_states"),
        sa.PrimaryKeyConstraint("state", name="pk_oauth_states"),
    )
    op.create_index("ix_oauth_states_mentor_id", "oauth_states", ["mentor_id"])
    op.create_table(
        "calendar_events",
        sa.Column("series_id", sa.Uuid(), nullable=False),
        sa.Column("mentor_id", sa.Uuid(), nullable=False),
        sa.Column("calendar_id", sa.Text(), nullable=False),
        sa.Column("event_id", sa.Text(), nullable=False),
        sa.Column("meet_url", sa.Text(), nullable=True),
        sa.Column("updated_at", TZ, server_default=sa.func.now(), nullable=False),
        _mentor("calendar_events"),
        sa.PrimaryKeyConstraint("series_id", name="pk_calendar_events"),
    )
    op.create_index("ix_calendar_events_mentor_id", "calendar_events", ["mentor_id"])
    op.create_table(
        "calendar_warnings",
        sa.Column("id", sa.BigInteger(), sa.Identity(), nullable=False),
        sa.Column("mentor_id", sa.Uuid(), nullable=False),
        sa.Column("booking_id", sa.Uuid(), nullable=True),
        sa.Column("kind", sa.Text(), nullable=False),
        sa.Column("detail", sa.Text(), nullable=True),
        sa.Column("at", TZ, server_default=sa.func.now(), nullable=False),
        sa.Column("resolved_at", TZ, nullable=True),
        sa.CheckConstraint(
            "kind IN ('event_deleted', 'reconnect_required', 'calendar_missing')",
            name="ck_calendar_warnings_kind",
        ),
        _mentor("calendar_warnings"),
        sa.ForeignKeyConstraint(
            ["booking_id"],
            ["bookings.id"],
            name="fk_calendar_warnings_booking_id_bookings",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_calendar_warnings"),
    )
    op.create_index(
        "ix_calendar_warnings_open",
        "calendar_warnings",
        ["mentor_id"],
        postgresql_where=sa.text("resolved_at IS NULL"),
    )


def downgrade() -> None:
    op.drop_table("calendar_warnings")
    op.drop_table("calendar_events")
    op.drop_table("oauth_states")
    op.drop_table("calendar_connections")
