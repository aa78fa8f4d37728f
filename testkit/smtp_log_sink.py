"""An SMTP server in its own process that writes each accepted message to a file, one line
``<Unix time> <Message-ID>``, flushed and fsynced before the 250 reply: what was sent survives
any crash of the processes under test.

    python -m testkit.smtp_log_sink PORT FILE [--no-fsync]

``--no-fsync`` (benches): flushed only, so that the disk does not set the server's pace.
"""

from __future__ import annotations

import os
import signal
import sys
import threading
import time
from email.parser import BytesHeaderParser
from typing import Any

from aiosmtpd.controller import Controller


class _Logger:
    def __init__(self, path: str, *, fsync: bool) -> None:
        self._file = open(path, "a", encoding="utf-8")  # noqa: SIM115 - open for the process
        self._lock = threading.Lock()
        self._fsync = fsync

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        headers = BytesHeaderParser().parsebytes(envelope.original_content or envelope.content)
        with self._lock:
            self._file.write(f"{time.time():.6f} {headers['Message-ID']}\n")
            self._file.flush()
            if self._fsync:
                os.fsync(self._file.fileno())
        return "250 2.0.0 accepted"


def main() -> None:
    port, path = int(sys.argv[1]), sys.argv[2]
    logger = _Logger(path, fsync="--no-fsync" not in sys.argv[3:])
    controller = Controller(logger, hostname="127.0.0.1", port=port)
    controller.start()
    print("ready", flush=True)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    stop.wait()
    controller.stop()


if __name__ == "__main__":
    main()
