"""The retention purge finds the bookings still holding personal data by an index (issue 21)

bench/scale.py: with two years of past bookings, ``end_at < cutoff AND
personal_data_purged_at IS NULL`` read the whole table every day (the end_at index matches
every old booking, nearly all of them purged already). A partial index holds only the
unpurged ones: a few months of bookings.

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-04
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0018"
down_revision: str | None = "0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index(
        "ix_bookings_unpurged_end_at",
        "bookings",
        ["end_at"],
        postgresql_where=sa.text("personal_data_purged_at IS NULL"),
    )


def downgrade() -> None:
    op.drop_index("ix_bookings_unpurged_end_at", table_name="bookings")
