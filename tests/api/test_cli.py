"""The command line on a fresh data folder: embedded PostgreSQL started, migrated, seeded
once, and stopped afterwards."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from scheduler.platform import PROJECT_ROOT


def _run(*args: str, data_dir: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "THOTIS_DATA_DIR"}}
    env["THOTIS_DATA_DIR"] = str(data_dir)
    return subprocess.run(
        [sys.executable, "-m", "api", *args],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_demo_seeds_once_and_leaves_no_server_running() -> None:
    data_dir = PROJECT_ROOT / "var" / f"cli-test-{os.getpid()}"
    shutil.rmtree(data_dir, ignore_errors=True)
    data_dir.mkdir(parents=True)
    try:
        first = _run("demo", data_dir=data_dir)
        assert first.returncode == 0, first.stderr
        assert "Starting embedded PostgreSQL" in first.stderr
        assert "Applying migrations" in first.stderr
        assert "Added 9 demo mentors." in first.stderr
        # Stopped cleanly: PostgreSQL removes its pid file on shutdown.
        assert not (data_dir / "pg" / "cluster" / "postmaster.pid").exists()

        second = _run("demo", data_dir=data_dir)
        assert second.returncode == 0, second.stderr
        assert "already there" in second.stderr

        token = _run("create-mentor-token", "ines.benali@demo.thotis.fr", data_dir=data_dir)
        assert token.returncode == 0, token.stderr
        assert len(token.stdout.strip()) >= 43
        missing = _run("create-mentor-token", "personne@demo.thotis.fr", data_dir=data_dir)
        assert missing.returncode == 1 and "no mentor" in missing.stderr

        # A closed folder above the data (a clone in a 0700 temporary folder): the server's
        # user gets the traverse bit only, and is told so; nobody gets to list the folder.
        hidden = data_dir / "private"
        hidden.mkdir(mode=0o700)
        opened = _run("migrate", data_dir=hidden / "data")
        assert opened.returncode == 0, opened.stderr
        assert "o+x, no read" in opened.stderr
        assert hidden.stat().st_mode & 0o777 == 0o701
    finally:
        shutil.rmtree(data_dir, ignore_errors=True)
