"""A mentor's own meeting link (issue 20: every booked call has a place to happen)

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-04
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Null: the engine's own venue (Google Meet when connected, else a Jitsi room). The join
    # links and the Jitsi room names are derived from the secret key, so nothing else is stored.
    op.add_column("mentors", sa.Column("meeting_url", sa.Text(), nullable=True))


def downgrade() -> None:
    op.drop_column("mentors", "meeting_url")
