"""`thotis backup` and `thotis restore`: the demo data survives a dump, a wipe and a restore,
and restore asks for --yes before replacing anything."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import psycopg
from psycopg.conninfo import make_conninfo

from scheduler.platform import PROJECT_ROOT, libpq_params, normalize_url
from scheduler.platform import migrations as migrate


def _thotis(database_url: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "THOTIS_DATA_DIR"}
    env["DATABASE_URL"] = database_url
    return subprocess.run(
        [sys.executable, "-m", "api", *args],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def _mentors(database_url: str) -> int:
    conninfo = make_conninfo("", **libpq_params(normalize_url(database_url)))
    with psycopg.connect(conninfo) as connection:
        row = connection.execute("SELECT count(*) FROM mentors").fetchone()
        return int(row[0]) if row else 0


def _wipe(database_url: str) -> None:
    conninfo = make_conninfo("", **libpq_params(normalize_url(database_url)))
    with psycopg.connect(conninfo, autocommit=True) as connection:
        connection.execute("TRUNCATE mentors, filieres CASCADE")


def test_backup_then_restore_brings_the_data_back(database_url: str, tmp_path: Path) -> None:
    seeded = _thotis(database_url, "demo")
    assert seeded.returncode == 0, seeded.stderr
    assert _mentors(database_url) == 9
    archive = tmp_path / "thotis.dump"

    dumped = _thotis(database_url, "backup", str(archive))
    assert dumped.returncode == 0, dumped.stderr
    assert archive.stat().st_size > 0 and not (tmp_path / "thotis.dump.partial").exists()

    _wipe(database_url)
    refused = _thotis(database_url, "restore", str(archive))
    assert refused.returncode == 2 and "--yes" in refused.stderr
    assert _mentors(database_url) == 0

    restored = _thotis(database_url, "restore", str(archive), "--yes")
    assert restored.returncode == 0, restored.stderr
    assert _mentors(database_url) == 9
    assert migrate.current_revision(database_url) == migrate.head_revision()


def test_a_missing_archive_is_an_error_and_changes_nothing(
    database_url: str, tmp_path: Path
) -> None:
    done = _thotis(database_url, "restore", str(tmp_path / "absent.dump"), "--yes")
    assert done.returncode == 1 and "no archive" in done.stderr
    assert migrate.current_revision(database_url) == migrate.head_revision()
