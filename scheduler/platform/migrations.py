"""Apply the Alembic migrations programmatically (CLI `migrate`, `serve`, the test fixtures)."""

from __future__ import annotations

from alembic import command
from alembic.config import Config
from sqlalchemy import create_engine, pool, text
from sqlalchemy.engine import URL

from scheduler.platform.db import normalize_url
from scheduler.platform.settings import PROJECT_ROOT, SecretsSettings

ALEMBIC_INI = PROJECT_ROOT / "alembic.ini"
# Every replica of `serve` and `worker` migrates as it starts: under this advisory lock they do it
# one after the other, and the later ones find the schema at head with nothing to do. ("thotis"
# in ASCII; any constant no other code of the database's users takes.)
MIGRATION_LOCK = 0x74686F746973


def _config() -> Config:
    config = Config(str(ALEMBIC_INI))
    config.set_main_option("script_location", str(PROJECT_ROOT / "migrations"))
    return config


def _run(
    url: str | URL, action: str, revision: str, secrets: SecretsSettings | None = None
) -> None:
    engine = create_engine(normalize_url(url), poolclass=pool.NullPool)
    try:
        with engine.begin() as connection:
            # Session-level, held across Alembic's per-migration commits; released when the
            # connection closes (NullPool) right after, also if a migration fails.
            connection.execute(text("SELECT pg_advisory_lock(:key)"), {"key": MIGRATION_LOCK})
            config = _config()
            config.attributes["connection"] = connection
            # The token keys, for the revisions that seal or open stored secrets (0019);
            # without them such a revision reads TOKEN_KEYS from the environment.
            config.attributes["secrets"] = secrets
            getattr(command, action)(config, revision)
    finally:
        engine.dispose()


def upgrade(
    url: str | URL, revision: str = "head", *, secrets: SecretsSettings | None = None
) -> None:
    _run(url, "upgrade", revision, secrets)


def downgrade(
    url: str | URL, revision: str = "base", *, secrets: SecretsSettings | None = None
) -> None:
    _run(url, "downgrade", revision, secrets)


def current_revision(url: str | URL) -> str | None:
    from alembic.runtime.migration import MigrationContext

    engine = create_engine(normalize_url(url), poolclass=pool.NullPool)
    try:
        with engine.connect() as connection:
            return MigrationContext.configure(connection).get_current_revision()
    finally:
        engine.dispose()


def head_revision() -> str | None:
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(_config()).get_current_head()
