"""Themes of the visitors' questions per filière and month, and the ones approved for visitors
(issue 17)

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-04
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "question_themes",
        sa.Column("id", sa.BigInteger(), autoincrement=True, nullable=False),
        sa.Column("filiere_id", sa.Uuid(), nullable=False),
        sa.Column("period", sa.Date(), nullable=False),
        sa.Column("key", sa.Text(), nullable=False),
        sa.Column("label", sa.Text(), nullable=False),
        sa.Column("representative", sa.Text(), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.Column("previous_count", sa.Integer(), nullable=False),
        sa.Column("questions", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column(
            "computed_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint(
            "extract(day from period) = 1", name=op.f("ck_question_themes_period_is_a_month")
        ),
        sa.ForeignKeyConstraint(
            ["filiere_id"],
            ["filieres.id"],
            name=op.f("fk_question_themes_filiere_id_filieres"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_question_themes")),
        sa.UniqueConstraint(
            "filiere_id", "period", "key", name=op.f("uq_question_themes_filiere_id_period_key")
        ),
    )
    op.create_table(
        "question_theme_approvals",
        sa.Column("filiere_id", sa.Uuid(), nullable=False),
        sa.Column("key", sa.Text(), nullable=False),
        sa.Column("approved_by", sa.Text(), nullable=True),
        sa.Column(
            "approved_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["filiere_id"],
            ["filieres.id"],
            name=op.f("fk_question_theme_approvals_filiere_id_filieres"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("filiere_id", "key", name=op.f("pk_question_theme_approvals")),
    )


def downgrade() -> None:
    op.drop_table("question_theme_approvals")
    op.drop_table("question_themes")
