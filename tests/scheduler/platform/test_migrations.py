"""The migrations are the schema: up from empty, down to nothing, up again, and equal to the
models."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, inspect, pool, text

from scheduler.platform import migrations as migrate
from scheduler.platform import normalize_url
from scheduler.schema import metadata

# The core tables; later revisions (by other parts of the engine) may add more.
EXPECTED_TABLES = {
    "filieres",
    "mentors",
    "mentor_filieres",
    "availability_rules",
    "date_overrides",
    "policies",
    "bookings",
    "manage_tokens",
    "idempotency_keys",
    "outbox",
    "audit_log",
    "external_busy",
    "busy_fetch_state",
    "staff_api_keys",
    "mentor_tokens",
    "email_blocklist",
}


def _tables(url: str) -> set[str]:
    engine = create_engine(normalize_url(url), poolclass=pool.NullPool)
    try:
        with engine.connect() as connection:
            return set(inspect(connection).get_table_names()) - {"alembic_version"}
    finally:
        engine.dispose()


def test_upgrade_downgrade_upgrade(empty_database_url: str) -> None:
    assert _tables(empty_database_url) == set()
    migrate.upgrade(empty_database_url)
    created = _tables(empty_database_url)
    assert created >= EXPECTED_TABLES
    assert migrate.current_revision(empty_database_url) == migrate.head_revision()

    migrate.downgrade(empty_database_url, "base")
    assert _tables(empty_database_url) == set()
    assert migrate.current_revision(empty_database_url) is None

    migrate.upgrade(empty_database_url)
    assert _tables(empty_database_url) == created


def test_models_match_the_migrations(database_url: str) -> None:
    engine = create_engine(normalize_url(database_url), poolclass=pool.NullPool)
    try:
        with engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            assert compare_metadata(context, metadata) == []
            exclusion = connection.execute(
                text(
                    "SELECT pg_get_constraintdef(oid) FROM pg_constraint "
                    "WHERE conname = 'bookings_no_overlap'"
                )
            ).scalar_one()
    finally:
        engine.dispose()
    assert "gist" in exclusion and "&&" in exclusion and "confirmed" in exclusion
