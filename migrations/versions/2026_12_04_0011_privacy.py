"""Privacy duties (issue 16): what the retention purge keeps without a link to anyone
(questions per filière and month, feedback counted per mentor and month), idempotency keys that
outlive their booking's data as tombstones, visitors' reports and privacy requests, and the
basis of a booking's consent (the visitor's own, or a parent's under 15)

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-04
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TZ = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "retained_questions",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("filiere_id", sa.Uuid(), nullable=True),
        sa.Column("month", sa.Date(), nullable=False),
        sa.Column("language", sa.Text(), nullable=False),
        sa.Column("question", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["filiere_id"],
            ["filieres.id"],
            name="fk_retained_questions_filiere_id_filieres",
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_retained_questions"),
    )
    op.create_table(
        "feedback_tallies",
        sa.Column("mentor_id", sa.Uuid(), nullable=False),
        sa.Column("month", sa.Date(), nullable=False),
        sa.Column("helpful", sa.Integer(), server_default="0", nullable=False),
        sa.Column("not_helpful", sa.Integer(), server_default="0", nullable=False),
        sa.ForeignKeyConstraint(
            ["mentor_id"],
            ["mentors.id"],
            name="fk_feedback_tallies_mentor_id_mentors",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("mentor_id", "month", name="pk_feedback_tallies"),
    )
    op.create_table(
        "privacy_requests",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("token_hash", sa.LargeBinary(), nullable=False),
        sa.Column("email", sa.Text(), nullable=False),
        sa.Column("kind", sa.Text(), nullable=False),
        sa.Column("language", sa.Text(), server_default="fr", nullable=False),
        sa.Column("created_at", TZ, server_default=sa.text("now()"), nullable=False),
        sa.Column("expires_at", TZ, nullable=False),
        sa.CheckConstraint("kind IN ('export', 'erase')", name="ck_privacy_requests_kind"),
        sa.PrimaryKeyConstraint("id", name="pk_privacy_requests"),
        sa.UniqueConstraint("token_hash", name="uq_privacy_requests_token_hash"),
    )
    op.alter_column("idempotency_keys", "request_hash", nullable=True)
    op.alter_column("idempotency_keys", "booking_id", nullable=True)
    op.add_column("bookings", sa.Column("consent_basis", sa.Text(), nullable=True))
    op.create_check_constraint(
        "ck_bookings_consent_basis",
        "bookings",
        "consent_basis IS NULL OR consent_basis IN ('own', 'parental')",
    )
    op.add_column(
        "booking_reports",
        sa.Column("reporter", sa.Text(), server_default="mentor", nullable=False),
    )
    op.create_check_constraint(
        "ck_booking_reports_reporter", "booking_reports", "reporter IN ('mentor', 'visitor')"
    )
    op.drop_constraint("ck_booking_reports_resolution", "booking_reports", type_="check")
    op.create_check_constraint(
        "ck_booking_reports_resolution",
        "booking_reports",
        "resolution IS NULL OR resolution IN ('blocked', 'dismissed', 'handled')",
    )


def downgrade() -> None:
    op.drop_constraint("ck_booking_reports_resolution", "booking_reports", type_="check")
    op.execute("UPDATE booking_reports SET resolution = 'dismissed' WHERE resolution = 'handled'")
    op.create_check_constraint(
        "ck_booking_reports_resolution",
        "booking_reports",
        "resolution IS NULL OR resolution IN ('blocked', 'dismissed')",
    )
    op.drop_constraint("ck_booking_reports_reporter", "booking_reports", type_="check")
    op.drop_column("booking_reports", "reporter")
    op.drop_constraint("ck_bookings_consent_basis", "bookings", type_="check")
    op.drop_column("bookings", "consent_basis")
    op.execute("DELETE FROM idempotency_keys WHERE booking_id IS NULL OR request_hash IS NULL")
    op.alter_column("idempotency_keys", "booking_id", nullable=False)
    op.alter_column("idempotency_keys", "request_hash", nullable=False)
    op.drop_table("privacy_requests")
    op.drop_table("feedback_tallies")
    op.drop_table("retained_questions")
