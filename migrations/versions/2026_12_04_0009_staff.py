"""The staff console without Google: one-time sign-in links for staff addresses, and an expiry
on staff API keys and mentor tokens

Revision ID: 0009
Revises: 0006
Create Date: 2026-12-04
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TZ = sa.DateTime(timezone=True)


def upgrade() -> None:
    # Nullable: keys and tokens made before this revision keep working until revoked (an
    # expiry invented now would cut off a partner's integration without warning).
    op.add_column("staff_api_keys", sa.Column("expires_at", TZ, nullable=True))
    op.add_column("mentor_tokens", sa.Column("expires_at", TZ, nullable=True))
    op.create_table(
        "staff_sign_in_links",
        sa.Column("token_hash", sa.LargeBinary(), nullable=False),
        sa.Column("staff_email", sa.Text(), nullable=False),
        sa.Column("expires_at", TZ, nullable=False),
        sa.Column("used_at", TZ, nullable=True),
        sa.Column("created_at", TZ, server_default=sa.text("now()"), nullable=False),
        sa.PrimaryKeyConstraint("token_hash", name="pk_staff_sign_in_links"),
    )
    op.create_index(
        "ix_staff_sign_in_links_email_created",
        "staff_sign_in_links",
        ["staff_email", "created_at"],
    )


def downgrade() -> None:
    op.drop_index("ix_staff_sign_in_links_email_created", table_name="staff_sign_in_links")
    op.drop_table("staff_sign_in_links")
    op.drop_column("mentor_tokens", "expires_at")
    op.drop_column("staff_api_keys", "expires_at")
