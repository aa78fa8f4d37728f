"""A real HTTP receiver for the webhook tests and bench: a ``ThreadingHTTPServer`` on loopback
that answers each POST with the next scripted behaviour (a status, or a pause longer than the
sender's timeout) and keeps what it received."""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass(frozen=True, slots=True)
class Received:
    headers: dict[str, str]
    body: bytes
    at: float  # time.time() when the request arrived
    status: int  # what was answered (0: no answer within the pause)


@dataclass(frozen=True, slots=True)
class Pause:
    """Wait this long before answering 200 (a sender with a shorter timeout gives up)."""

    seconds: float


class WebhookReceiver:
    def __init__(self, script: Iterable[int | Pause] = ()) -> None:
        self.script: deque[int | Pause] = deque(script)
        self.received: list[Received] = []
        self._lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                at = time.time()
                body = self.rfile.read(int(self.headers.get("content-length") or 0))
                with receiver._lock:
                    step = receiver.script.popleft() if receiver.script else 200
                headers = {k.lower(): v for k, v in self.headers.items()}
                if isinstance(step, Pause):
                    time.sleep(step.seconds)
                    status = 200
                else:
                    status = step
                with receiver._lock:
                    receiver.received.append(
                        Received(headers, body, at, 0 if isinstance(step, Pause) else status)
                    )
                try:
                    self.send_response(status)
                    self.send_header("content-length", "0")
                    self.end_headers()
                except OSError:
                    pass  # the sender gave up first

            def log_message(self, format: str, *args: object) -> None:
                return

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}/hooks/thotis"

    def ids(self) -> list[str]:
        with self._lock:
            return [r.headers["webhook-id"] for r in self.received]

    def start(self) -> None:
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()


@contextmanager
def webhook_receiver(script: Iterable[int | Pause] = ()) -> Iterator[WebhookReceiver]:
    receiver = WebhookReceiver(script)
    receiver.start()
    try:
        yield receiver
    finally:
        receiver.stop()
