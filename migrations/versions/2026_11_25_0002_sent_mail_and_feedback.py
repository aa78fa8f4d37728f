"""sent_messages (each email delivered once across retries) and feedback (after the call)

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TZ = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "sent_messages",
        sa.Column("message_id", sa.Text(), primary_key=True),
        sa.Column("outbox_id", sa.BigInteger(), nullable=True),
        sa.Column("sent_at", TZ, server_default=sa.func.now(), nullable=False),
    )
    op.create_table(
        "feedback",
        sa.Column(
            "booking_id",
            sa.Uuid(),
            sa.ForeignKey("bookings.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("helpful", sa.Boolean(), nullable=False),
        sa.Column("at", TZ, server_default=sa.func.now(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("feedback")
    op.drop_table("sent_messages")
