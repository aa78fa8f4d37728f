"""Apply the Alembic migrations programmatically (CLI `migrate`, `serve`, the test fixtures)."""

from __future__ import annotations

from alembic import command
from alembic.config import Config
from sqlalchemy import create_engine, pool
from sqlalchemy.engine import URL

from scheduler.platform.db import normalize_url
from scheduler.platform.settings import PROJECT_ROOT

ALEMBIC_INI = PROJECT_ROOT / "alembic.ini"


def _config() -> Config:
    config = Config(str(ALEMBIC_INI))
    config.set_main_option("script_location", str(PROJECT_ROOT / "migrations"))
    return config


def _run(url: str | URL, action: str, revision: str) -> None:
    engine = create_engine(normalize_url(url), poolclass=pool.NullPool)
    try:
        with engine.begin() as connection:
            config = _config()
            config.attributes["connection"] = connection
            getattr(command, action)(config, revision)
    finally:
        engine.dispose()


def upgrade(url: str | URL, revision: str = "head") -> None:
    _run(url, "upgrade", revision)


def downgrade(url: str | URL, revision: str = "base") -> None:
    _run(url, "downgrade", revision)


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
