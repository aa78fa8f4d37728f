"""Profile photos uploaded by mentors, stored in PostgreSQL (issue 20: a photo by upload)

Revision ID: 0017
Revises: 0015
Create Date: 2026-12-04
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0017"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # In the database rather than on a disk: Coolify's PostgreSQL backups then hold the photos,
    # and every web replica serves them without a shared volume. A 256 px JPEG is ~15 kB.
    op.create_table(
        "mentor_photos",
        sa.Column("mentor_id", sa.Uuid(), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.Column("media_type", sa.Text(), nullable=False),
        sa.Column("version", sa.Text(), nullable=False),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["mentor_id"],
            ["mentors.id"],
            name=op.f("fk_mentor_photos_mentor_id_mentors"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("mentor_id", name=op.f("pk_mentor_photos")),
    )


def downgrade() -> None:
    op.drop_table("mentor_photos")
