"""initial schema: filières, mentors, availability, bookings, outbox, audit, tokens

Revision ID: 0001
Revises:
Create Date: 2026-11-25
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql as pg

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TZ = sa.DateTime(timezone=True)


def _created(name: str = "created_at") -> sa.Column:  # type: ignore[type-arg]
    return sa.Column(name, TZ, server_default=sa.func.now(), nullable=False)


def _uuid_pk() -> sa.Column:  # type: ignore[type-arg]
    return sa.Column("id", sa.Uuid(), server_default=sa.func.gen_random_uuid(), nullable=False)


def _mentor_fk() -> sa.Column:  # type: ignore[type-arg]
    return sa.Column("mentor_id", sa.Uuid(), nullable=False)


def upgrade() -> None:
    op.execute("CREATE EXTENSION IF NOT EXISTS btree_gist")
    # timestamptz ± interval is only STABLE in PostgreSQL (an interval of days depends on the
    # session's timezone), so a generated column cannot use it directly. An interval of minutes
    # does not depend on the timezone, which makes this function truly immutable.
    op.execute(
        """
        CREATE FUNCTION booking_occupied(
            start_at timestamptz, end_at timestamptz, before_minutes integer, after_minutes integer
        ) RETURNS tstzrange
        LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
        RETURN tstzrange(
            start_at - make_interval(mins => before_minutes),
            end_at + make_interval(mins => after_minutes),
            '[)'
        )
        """
    )

    op.create_table(
        "filieres",
        _uuid_pk(),
        sa.Column("slug", sa.Text(), nullable=False),
        sa.Column("name_fr", sa.Text(), nullable=False),
        sa.Column("name_en", sa.Text(), nullable=False),
        _created(),
        sa.PrimaryKeyConstraint("id", name="pk_filieres"),
        sa.UniqueConstraint("slug", name="uq_filieres_slug"),
    )
    op.create_table(
        "mentors",
        _uuid_pk(),
        sa.Column("display_name", sa.Text(), nullable=False),
        sa.Column("email", sa.Text(), nullable=False),
        sa.Column("photo_url", sa.Text(), nullable=True),
        sa.Column("university", sa.Text(), nullable=False),
        sa.Column("year_of_study", sa.SmallInteger(), nullable=False),
        sa.Column("bio", sa.Text(), server_default="", nullable=False),
        sa.Column("languages", pg.ARRAY(sa.Text()), server_default="{fr}", nullable=False),
        sa.Column("timezone", sa.Text(), server_default="Europe/Paris", nullable=False),
        sa.Column("active", sa.Boolean(), server_default=sa.text("true"), nullable=False),
        sa.Column("paused", sa.Boolean(), server_default=sa.text("false"), nullable=False),
        sa.Column("allow_reply_to", sa.Boolean(), server_default=sa.text("false"), nullable=False),
        _created(),
        _created("updated_at"),
        sa.CheckConstraint("year_of_study BETWEEN 1 AND 12", name="ck_mentors_year_of_study"),
        sa.CheckConstraint("email = lower(email)", name="ck_mentors_email_lowercase"),
        sa.PrimaryKeyConstraint("id", name="pk_mentors"),
        sa.UniqueConstraint("email", name="uq_mentors_email"),
    )
    op.create_table(
        "mentor_filieres",
        _mentor_fk(),
        sa.Column("filiere_id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["mentor_id"],
            ["mentors.id"],
            name="fk_mentor_filieres_mentor_id_mentors",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["filiere_id"],
            ["filieres.id"],
            name="fk_mentor_filieres_filiere_id_filieres",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("mentor_id", "filiere_id", name="pk_mentor_filieres"),
    )
    op.create_index("ix_mentor_filieres_filiere_id", "mentor_filieres", ["filiere_id"])

    op.create_table(
        "availability_rules",
        sa.Column("id", sa.BigInteger(), sa.Identity(), nullable=False),
        _mentor_fk(),
        sa.Column("weekday", sa.SmallInteger(), nullable=False),
        sa.Column("start_minute", sa.SmallInteger(), nullable=False),
        sa.Column("end_minute", sa.SmallInteger(), nullable=False),
        sa.CheckConstraint("weekday BETWEEN 0 AND 6", name="ck_availability_rules_weekday"),
        sa.CheckConstraint(
            "start_minute >= 0 AND end_minute <= 1440 AND start_minute < end_minute",
            name="ck_availability_rules_range",
        ),
        sa.ForeignKeyConstraint(
            ["mentor_id"],
            ["mentors.id"],
            name="fk_availability_rules_mentor_id_mentors",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_availability_rules"),
    )
    op.create_index("ix_availability_rules_mentor_id", "availability_rules", ["mentor_id"])

    op.create_table(
        "date_overrides",
        _mentor_fk(),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("ranges", pg.JSONB(), server_default="[]", nullable=False),
        sa.ForeignKeyConstraint(
            ["mentor_id"],
            ["mentors.id"],
            name="fk_date_overrides_mentor_id_mentors",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("mentor_id", "day", name="pk_date_overrides"),
    )
    op.create_table(
        "policies",
        _mentor_fk(),
        sa.Column("buffer_before_minutes", sa.Integer(), server_default="5", nullable=False),
        sa.Column("buffer_after_minutes", sa.Integer(), server_default="5", nullable=False),
        sa.Column("notice_minutes", sa.Integer(), server_default="120", nullable=False),
        sa.Column("horizon_days", sa.Integer(), server_default="30", nullable=False),
        sa.Column("day_cap", sa.Integer(), nullable=True),
        sa.Column("week_cap", sa.Integer(), nullable=True),
        _created("updated_at"),
        sa.CheckConstraint(
            "buffer_before_minutes >= 0 AND buffer_after_minutes >= 0 AND notice_minutes >= 0",
            name="ck_policies_non_negative",
        ),
        sa.CheckConstraint("horizon_days BETWEEN 1 AND 366", name="ck_policies_horizon"),
        sa.CheckConstraint(
            "(day_cap IS NULL OR day_cap >= 0) AND (week_cap IS NULL OR week_cap >= 0)",
            name="ck_policies_caps",
        ),
        sa.ForeignKeyConstraint(
            ["mentor_id"],
            ["mentors.id"],
            name="fk_policies_mentor_id_mentors",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("mentor_id", name="pk_policies"),
    )

    op.create_table(
        "bookings",
        _uuid_pk(),
        sa.Column("series_id", sa.Uuid(), nullable=False),
        sa.Column("sequence", sa.Integer(), server_default="0", nullable=False),
        sa.Column("mentor_id", sa.Uuid(), nullable=False),
        sa.Column("filiere_id", sa.Uuid(), nullable=True),
        sa.Column("start_at", TZ, nullable=False),
        sa.Column("end_at", TZ, nullable=False),
        sa.Column("buffer_before_minutes", sa.Integer(), nullable=False),
        sa.Column("buffer_after_minutes", sa.Integer(), nullable=False),
        sa.Column(
            "occupied",
            pg.TSTZRANGE(),
            sa.Computed(
                "booking_occupied(start_at, end_at, buffer_before_minutes, buffer_after_minutes)",
                persisted=True,
            ),
            nullable=False,
        ),
        sa.Column("status", sa.Text(), server_default="confirmed", nullable=False),
        sa.Column("visitor_first_name", sa.Text(), nullable=True),
        sa.Column("visitor_email", sa.Text(), nullable=True),
        sa.Column("visitor_question", sa.Text(), nullable=True),
        sa.Column("visitor_timezone", sa.Text(), nullable=False),
        sa.Column("language", sa.Text(), server_default="fr", nullable=False),
        sa.Column("consent_at", TZ, nullable=False),
        sa.Column("cancel_reason", sa.Text(), nullable=True),
        sa.Column("cancelled_by", sa.Text(), nullable=True),
        sa.Column("cancelled_at", TZ, nullable=True),
        sa.Column("rescheduled_to", sa.Uuid(), nullable=True),
        sa.Column("meet_url", sa.Text(), nullable=True),
        sa.Column("calendar_event_id", sa.Text(), nullable=True),
        _created(),
        sa.Column("personal_data_purged_at", TZ, nullable=True),
        sa.CheckConstraint(
            "status IN ('confirmed', 'cancelled', 'rescheduled', 'no_show')",
            name="ck_bookings_status",
        ),
        sa.CheckConstraint("language IN ('fr', 'en')", name="ck_bookings_language"),
        sa.CheckConstraint("end_at > start_at", name="ck_bookings_ordered"),
        sa.CheckConstraint(
            "buffer_before_minutes >= 0 AND buffer_after_minutes >= 0", name="ck_bookings_buffers"
        ),
        sa.CheckConstraint(
            "cancelled_by IS NULL OR cancelled_by IN ('visitor', 'mentor', 'staff')",
            name="ck_bookings_cancelled_by",
        ),
        sa.ForeignKeyConstraint(
            ["mentor_id"], ["mentors.id"], name="fk_bookings_mentor_id_mentors"
        ),
        sa.ForeignKeyConstraint(
            ["filiere_id"], ["filieres.id"], name="fk_bookings_filiere_id_filieres"
        ),
        sa.ForeignKeyConstraint(
            ["rescheduled_to"], ["bookings.id"], name="fk_bookings_rescheduled_to_bookings"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_bookings"),
        pg.ExcludeConstraint(
            (sa.column("mentor_id"), "="),
            (sa.column("occupied"), "&&"),
            name="bookings_no_overlap",
            using="gist",
            where=sa.text("status = 'confirmed'"),
        ),
    )
    op.create_index("ix_bookings_series_id", "bookings", ["series_id"])
    op.create_index("ix_bookings_end_at", "bookings", ["end_at"])
    op.create_index(
        "ix_bookings_live_mentor_start",
        "bookings",
        ["mentor_id", "start_at"],
        postgresql_where=sa.text("status = 'confirmed'"),
    )

    op.create_table(
        "manage_tokens",
        sa.Column("id", sa.BigInteger(), sa.Identity(), nullable=False),
        sa.Column("token_hash", sa.LargeBinary(), nullable=False),
        sa.Column("booking_id", sa.Uuid(), nullable=False),
        sa.Column("purpose", sa.Text(), server_default="manage", nullable=False),
        sa.Column("expires_at", TZ, nullable=False),
        sa.Column("used_at", TZ, nullable=True),
        _created(),
        sa.ForeignKeyConstraint(
            ["booking_id"],
            ["bookings.id"],
            name="fk_manage_tokens_booking_id_bookings",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_manage_tokens"),
        sa.UniqueConstraint("token_hash", name="uq_manage_tokens_token_hash"),
    )
    op.create_index("ix_manage_tokens_booking_id", "manage_tokens", ["booking_id"])

    op.create_table(
        "idempotency_keys",
        sa.Column("key", sa.Text(), nullable=False),
        sa.Column("request_hash", sa.Text(), nullable=False),
        sa.Column("booking_id", sa.Uuid(), nullable=False),
        _created(),
        sa.ForeignKeyConstraint(
            ["booking_id"],
            ["bookings.id"],
            name="fk_idempotency_keys_booking_id_bookings",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("key", name="pk_idempotency_keys"),
    )

    op.create_table(
        "outbox",
        sa.Column("id", sa.BigInteger(), sa.Identity(), nullable=False),
        sa.Column("kind", sa.Text(), nullable=False),
        sa.Column("payload", pg.JSONB(), nullable=False),
        sa.Column("status", sa.Text(), server_default="pending", nullable=False),
        sa.Column("attempts", sa.Integer(), server_default="0", nullable=False),
        sa.Column("available_at", TZ, server_default=sa.func.now(), nullable=False),
        sa.Column("locked_until", TZ, nullable=True),
        sa.Column("claimed_by", sa.Text(), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        _created(),
        sa.Column("delivered_at", TZ, nullable=True),
        sa.CheckConstraint("status IN ('pending', 'delivered', 'failed')", name="ck_outbox_status"),
        sa.PrimaryKeyConstraint("id", name="pk_outbox"),
    )
    op.create_index(
        "ix_outbox_pending_available",
        "outbox",
        ["available_at"],
        postgresql_where=sa.text("status = 'pending'"),
    )

    op.create_table(
        "audit_log",
        sa.Column("id", sa.BigInteger(), sa.Identity(), nullable=False),
        sa.Column("actor_kind", sa.Text(), nullable=False),
        sa.Column("actor_id", sa.Text(), nullable=True),
        sa.Column("action", sa.Text(), nullable=False),
        sa.Column("entity", sa.Text(), nullable=False),
        sa.Column("entity_id", sa.Text(), nullable=False),
        sa.Column("details", pg.JSONB(), server_default="{}", nullable=False),
        _created("at"),
        sa.PrimaryKeyConstraint("id", name="pk_audit_log"),
    )
    op.create_index("ix_audit_log_entity", "audit_log", ["entity", "entity_id"])

    op.create_table(
        "external_busy",
        sa.Column("id", sa.BigInteger(), sa.Identity(), nullable=False),
        _mentor_fk(),
        sa.Column("start_at", TZ, nullable=False),
        sa.Column("end_at", TZ, nullable=False),
        sa.Column("source", sa.Text(), server_default="google", nullable=False),
        _created("fetched_at"),
        sa.CheckConstraint("end_at > start_at", name="ck_external_busy_ordered"),
        sa.ForeignKeyConstraint(
            ["mentor_id"],
            ["mentors.id"],
            name="fk_external_busy_mentor_id_mentors",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_external_busy"),
    )
    op.create_index("ix_external_busy_mentor_start", "external_busy", ["mentor_id", "start_at"])
    op.create_table(
        "busy_fetch_state",
        _mentor_fk(),
        sa.Column("fetched_at", TZ, nullable=True),
        sa.Column("stale", sa.Boolean(), server_default=sa.text("true"), nullable=False),
        sa.ForeignKeyConstraint(
            ["mentor_id"],
            ["mentors.id"],
            name="fk_busy_fetch_state_mentor_id_mentors",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("mentor_id", name="pk_busy_fetch_state"),
    )

    op.create_table(
        "staff_api_keys",
        _uuid_pk(),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("key_hash", sa.LargeBinary(), nullable=False),
        _created(),
        sa.Column("revoked_at", TZ, nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_staff_api_keys"),
        sa.UniqueConstraint("key_hash", name="uq_staff_api_keys_key_hash"),
    )
    op.create_table(
        "mentor_tokens",
        _uuid_pk(),
        _mentor_fk(),
        sa.Column("token_hash", sa.LargeBinary(), nullable=False),
        _created(),
        sa.Column("revoked_at", TZ, nullable=True),
        sa.ForeignKeyConstraint(
            ["mentor_id"],
            ["mentors.id"],
            name="fk_mentor_tokens_mentor_id_mentors",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_mentor_tokens"),
        sa.UniqueConstraint("token_hash", name="uq_mentor_tokens_token_hash"),
    )
    op.create_index("ix_mentor_tokens_mentor_id", "mentor_tokens", ["mentor_id"])
    op.create_table(
        "email_blocklist",
        sa.Column("email_hash", sa.LargeBinary(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        _created(),
        sa.PrimaryKeyConstraint("email_hash", name="pk_email_blocklist"),
    )


def downgrade() -> None:
    for table in (
        "email_blocklist",
        "mentor_tokens",
        "staff_api_keys",
        "busy_fetch_state",
        "external_busy",
        "audit_log",
        "outbox",
        "idempotency_keys",
        "manage_tokens",
        "bookings",
        "policies",
        "date_overrides",
        "availability_rules",
        "mentor_filieres",
        "mentors",
        "filieres",
    ):
        op.drop_table(table)
    op.execute("DROP FUNCTION booking_occupied(timestamptz, timestamptz, integer, integer)")
    # btree_gist stays: other schemas in the database may use it, and it holds no data.
