"""Alembic environment. Runs synchronously on psycopg 3 (the same driver as the app).

The URL comes, in order, from ``config.attributes["connection"]`` (a connection handed in by
``scheduler.platform.migrations``), ``config.attributes["url"]``, or the settings (DATABASE_URL) when run as
plain ``alembic``. It is never put in the ini: socket paths are %-encoded, which ConfigParser
would try to interpolate.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection, create_engine, pool

from scheduler.platform import Settings, normalize_url
from scheduler.schema import metadata

config = context.config
target_metadata = metadata


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        compare_type=True,
        transaction_per_migration=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    url = config.attributes.get("url") or Settings.from_env().database_url
    if url is None:
        raise SystemExit(
            "DATABASE_URL is not set (`thotis migrate` starts the embedded PostgreSQL)"
        )
    engine = create_engine(normalize_url(url), poolclass=pool.NullPool)
    try:
        with engine.connect() as connection:
            _run(connection)
            connection.commit()
    finally:
        engine.dispose()


if context.is_offline_mode():
    raise SystemExit("offline (--sql) migrations are not supported")
run_migrations_online()
