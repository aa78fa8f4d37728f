"""Attestations of volunteer mentoring (issue 17): the dated figures a university checks through
a link

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-04
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "attestations",
        sa.Column("id", sa.Uuid(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("mentor_id", sa.Uuid(), nullable=False),
        sa.Column("mentor_name", sa.Text(), nullable=False),
        sa.Column("university", sa.Text(), nullable=False),
        sa.Column("issued_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("calls_held", sa.Integer(), nullable=False),
        sa.Column("students_helped", sa.Integer(), nullable=False),
        sa.Column("feedback_received", sa.Integer(), nullable=False),
        sa.Column("feedback_helpful", sa.Integer(), nullable=False),
        sa.Column("minutes_given", sa.Integer(), nullable=False),
        sa.Column("first_call", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_call", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "calls_held >= 0 AND students_helped >= 0 AND feedback_received >= 0"
            " AND feedback_helpful >= 0 AND minutes_given >= 0",
            name=op.f("ck_attestations_figures"),
        ),
        sa.ForeignKeyConstraint(
            ["mentor_id"],
            ["mentors.id"],
            name=op.f("fk_attestations_mentor_id_mentors"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_attestations")),
    )
    op.create_index(op.f("ix_attestations_mentor_id"), "attestations", ["mentor_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_attestations_mentor_id"), table_name="attestations")
    op.drop_table("attestations")
