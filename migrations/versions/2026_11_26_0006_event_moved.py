"""Events moved by the mentor in Google: the times last written, and the event_moved warning

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-26
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_KINDS_BEFORE = "'event_deleted', 'reconnect_required', 'calendar_missing'"
# Named as in 0003, through the metadata's naming convention (which prefixes it once more).
_CHECK = "ck_calendar_warnings_kind"


def upgrade() -> None:
    # What the engine last wrote to Google: a sync that finds other times knows the mentor
    # moved the event (null for events written before this revision: never reported).
    op.add_column(
        "calendar_events", sa.Column("start_at", sa.DateTime(timezone=True), nullable=True)
    )
    op.add_column("calendar_events", sa.Column("end_at", sa.DateTime(timezone=True), nullable=True))
    op.drop_constraint(_CHECK, "calendar_warnings", type_="check")
    op.create_check_constraint(
        _CHECK,
        "calendar_warnings",
        f"kind IN ({_KINDS_BEFORE}, 'event_moved')",
    )


def downgrade() -> None:
    op.execute("DELETE FROM calendar_warnings WHERE kind = 'event_moved'")
    op.drop_constraint(_CHECK, "calendar_warnings", type_="check")
    op.create_check_constraint(_CHECK, "calendar_warnings", f"kind IN ({_KINDS_BEFORE})")
    op.drop_column("calendar_events", "end_at")
    op.drop_column("calendar_events", "start_at")
