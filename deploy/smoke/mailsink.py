"""Keep every message received over SMTP on port 1025 as /mail/<n>.eml (deploy/smoke-test)."""

from __future__ import annotations

import asyncio
import signal
import time
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller

MAIL = Path("/mail")


class Sink:
    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        name = MAIL / f"{time.time_ns()}.eml"
        name.write_bytes(envelope.original_content or envelope.content)
        return "250 OK"


async def main() -> None:
    MAIL.mkdir(exist_ok=True)
    controller = Controller(Sink(), hostname="0.0.0.0", port=1025)
    controller.start()
    # PID 1 ignores SIGTERM unless it handles it: without this, `docker stop` waits 10 s.
    stop = asyncio.Event()
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
    await stop.wait()
    controller.stop()


if __name__ == "__main__":
    asyncio.run(main())
