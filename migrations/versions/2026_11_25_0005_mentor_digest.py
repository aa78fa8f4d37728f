"""Mentors' daily digest: the local day of the last digest and the instant it covered up to

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-25
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # The local date is the claim workers race on (one digest per mentor per day); the
    # instant is where the next digest's "booked since" list starts.
    op.add_column("mentor_preferences", sa.Column("digest_sent_on", sa.Date(), nullable=True))
    op.add_column(
        "mentor_preferences", sa.Column("digest_sent_at", sa.DateTime(timezone=True), nullable=True)
    )


def downgrade() -> None:
    op.drop_column("mentor_preferences", "digest_sent_at")
    op.drop_column("mentor_preferences", "digest_sent_on")
