"""The embedded PostgreSQL: reused while its starter lives, stopped when orphaned, gone when
its starter is killed."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import psycopg

from scheduler.platform import PROJECT_ROOT, EmbeddedPostgres, libpq_params
from scheduler.platform.embedded_host import pid_alive

STARTER = """
import sys, time
from pathlib import Path
from scheduler.platform import EmbeddedPostgres
server = EmbeddedPostgres(Path(sys.argv[1]), durable=False)
server.start()
print("ready", flush=True)
time.sleep(120)
"""


def _start_elsewhere(root: Path) -> subprocess.Popen[str]:
    starter = subprocess.Popen(
        [sys.executable, "-c", STARTER, str(root)],
        cwd=PROJECT_ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert starter.stdout is not None
    assert starter.stdout.readline().strip() == "ready"
    return starter


def _postmaster(root: Path) -> int:
    return int((root / "cluster" / "postmaster.pid").read_text().split()[0])


def _wait_gone(pid: int, seconds: float = 30) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if not pid_alive(pid):
            return True
        time.sleep(0.05)
    return False


def _select_one(server: EmbeddedPostgres) -> int:
    with psycopg.connect(**libpq_params(server.url())) as connection:
        return connection.execute("SELECT 1").fetchone()[0]  # type: ignore[index]


def test_reuse_while_the_starter_lives_then_the_server_dies_with_it(tmp_path: Path) -> None:
    root = PROJECT_ROOT / "var" / "test-pg" / f"reuse-{os.getpid()}"
    starter = _start_elsewhere(root)
    try:
        pid = _postmaster(root)
        second = EmbeddedPostgres(root, durable=False)
        second.start()
        assert not second.owned and _select_one(second) == 1
        second.stop()
        assert pid_alive(pid)  # not ours to stop
        starter.kill()  # SIGKILL: no cleanup code runs in the starter
        starter.wait()
        assert _wait_gone(pid), "the server outlived the process that started it"
    finally:
        starter.kill()
        starter.wait()
        if starter.stdout:
            starter.stdout.close()
        # The next start on the same folder works (stale postmaster.pid is handled).
        again = EmbeddedPostgres(root, durable=False, throwaway=True)
        with again:
            assert again.owned and _select_one(again) == 1
    assert not root.exists()


def test_an_orphaned_server_is_stopped_and_replaced(tmp_path: Path) -> None:
    root = PROJECT_ROOT / "var" / "test-pg" / f"orphan-{os.getpid()}"
    starter = _start_elsewhere(root)
    try:
        pid = _postmaster(root)
        # Pretend its starter died without the death signal reaching it (an older version, a
        # server started by hand): the recorded owner is a process that no longer exists.
        (root / "owner.pid").write_text("999999999\n")
        server = EmbeddedPostgres(root, durable=False, throwaway=True)
        with server:
            assert server.owned and _select_one(server) == 1
            assert _postmaster(root) != pid
            assert _wait_gone(pid, 1)
    finally:
        starter.kill()
        starter.wait()
        if starter.stdout:
            starter.stdout.close()


def test_a_restarted_server_keeps_its_url_even_in_a_folder_too_deep_for_a_socket() -> None:
    root = PROJECT_ROOT / "var" / "test-pg" / f"deep-{os.getpid()}" / ("d" * 90)
    server = EmbeddedPostgres(root, durable=False)
    try:
        server.start()
        first = server.url()
        assert not str(first.query["host"]).startswith(str(PROJECT_ROOT))  # a private folder
        server.stop()
        server.start()
        assert server.url() == first and _select_one(server) == 1
    finally:
        server.stop()
        shutil.rmtree(root.parent, ignore_errors=True)


def test_a_supervised_server_that_dies_is_started_again_at_the_same_url() -> None:
    root = PROJECT_ROOT / "var" / "test-pg" / f"supervised-{os.getpid()}"
    server = EmbeddedPostgres(root, durable=False, throwaway=True)
    try:
        server.start()
        url = server.url()
        server.supervise(every=0.05)
        first = _postmaster(root)
        os.kill(first, signal.SIGKILL)  # a crash: no shutdown of its own
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                if _postmaster(root) != first and _select_one(server) == 1:
                    break
            except (OSError, ValueError, psycopg.OperationalError):
                pass
            time.sleep(0.1)
        assert _postmaster(root) != first and _select_one(server) == 1
        assert server.url() == url
    finally:
        server.stop()
    # A stopped server stays stopped: the supervisor left with stop().
    supervisors = [t for t in threading.enumerate() if t.name == "embedded-postgres-supervisor"]
    for thread in supervisors:
        thread.join(timeout=5)
    assert not any(t.is_alive() for t in supervisors)
    assert not root.exists()
