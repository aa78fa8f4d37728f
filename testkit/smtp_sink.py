"""A real SMTP server for tests: aiosmtpd on 127.0.0.1 (port chosen by the OS), recording
what it accepts and answering scripted failures (``fail_next("550 5.1.1 no such user")``).

Use ``running_smtp_server()`` where a fixture does not fit (benches, session-wide servers); the
``smtp`` fixture comes from ``testkit.pytest_smtp``.
"""

from __future__ import annotations

import socket
import ssl
import threading
import time
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from typing import Any, Literal

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from scheduler.platform import Settings
from testkit.settings import settings_of

Stage = Literal["MAIL", "RCPT", "DATA"]


@dataclass(frozen=True, slots=True)
class Received:
    mail_from: str
    rcpt_tos: tuple[str, ...]
    data: bytes
    accepted_at: float  # time.monotonic() when the server answered 250 to DATA (for benches)

    def message(self) -> EmailMessage:
        parsed = BytesParser(policy=policy.default).parsebytes(self.data)
        assert isinstance(parsed, EmailMessage)
        return parsed


class RecordingHandler:
    """Accepts and records every message, except the replies scripted with ``fail_next``."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._received: list[Received] = []
        self._script: dict[Stage, deque[str]] = {"MAIL": deque(), "RCPT": deque(), "DATA": deque()}
        self._per_address: dict[str, deque[str]] = {}

    def fail_next(self, reply: str, *, at: Stage = "DATA", times: int = 1) -> None:
        with self._lock:
            self._script[at].extend([reply] * times)

    def fail_for(self, address: str, reply: str, *, times: int = 1) -> None:
        """Answer ``reply`` to the next ``times`` RCPT TO for ``address`` (others pass)."""
        with self._lock:
            self._per_address.setdefault(address.lower(), deque()).extend([reply] * times)

    @property
    def received(self) -> list[Received]:
        with self._lock:
            return list(self._received)

    def _scripted(self, stage: Stage) -> str | None:
        with self._lock:
            return self._script[stage].popleft() if self._script[stage] else None

    async def handle_MAIL(
        self, server: Any, session: Any, envelope: Any, address: str, mail_options: list[str]
    ) -> str:
        reply = self._scripted("MAIL")
        if reply:
            return reply
        envelope.mail_from = address
        envelope.mail_options.extend(mail_options)
        return "250 OK"

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, rcpt_options: list[str]
    ) -> str:
        with self._lock:
            waiting = self._per_address.get(address.lower())
            reply = waiting.popleft() if waiting else None
        reply = reply or self._scripted("RCPT")
        if reply:
            return reply.replace("{address}", address)
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        reply = self._scripted("DATA")
        if reply:
            return reply
        data = envelope.original_content or envelope.content
        with self._lock:
            self._received.append(
                Received(
                    mail_from=envelope.mail_from,
                    rcpt_tos=tuple(envelope.rcpt_tos),
                    data=bytes(data),
                    accepted_at=time.monotonic(),
                )
            )
        return "250 2.0.0 Message accepted for delivery"


class _LocalController(Controller):
    """aiosmtpd's controller pokes its own port once started; with port 0 it must first learn
    the port the OS picked."""

    def _trigger_server(self) -> None:
        assert self.server is not None
        self.port = self.server.sockets[0].getsockname()[1]
        super()._trigger_server()


class SmtpServer:
    """A started server; ``stop()``/``start()`` keep the same port (for down-then-up tests)."""

    def __init__(self, handler: RecordingHandler | None = None, **smtp_options: Any) -> None:
        self.handler = handler or RecordingHandler()
        self.host = "127.0.0.1"
        self.port = 0
        self._options = smtp_options
        self._controller: Controller | None = None

    def start(self) -> SmtpServer:
        assert self._controller is None
        controller = _LocalController(
            self.handler, hostname=self.host, port=self.port, **self._options
        )
        controller.start()
        self._controller = controller
        self.port = controller.port
        return self

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    @property
    def received(self) -> list[Received]:
        return self.handler.received

    def fail_next(self, reply: str, *, at: Stage = "DATA", times: int = 1) -> None:
        self.handler.fail_next(reply, at=at, times=times)

    def fail_for(self, address: str, reply: str, *, times: int = 1) -> None:
        self.handler.fail_for(address, reply, times=times)

    def settings(self, **changes: Any) -> Settings:
        values: dict[str, Any] = {
            "smtp_host": self.host,
            "smtp_port": self.port,
            "smtp_starttls": False,
            "smtp_tls": False,
        }
        values.update(changes)
        return settings_of(**values)


def free_port() -> int:
    """A port nothing listens on (bound then released): connecting to it is refused."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass(frozen=True, slots=True)
class TlsFiles:
    server: ssl.SSLContext
    client: ssl.SSLContext


def self_signed_tls() -> TlsFiles:
    """A certificate for 127.0.0.1 made on the spot, and a client context that trusts it."""
    import datetime as dt
    import ipaddress
    import tempfile
    from pathlib import Path

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = dt.datetime.now(dt.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_pem = certificate.public_bytes(serialization.Encoding.PEM)
    key_pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    server = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    with tempfile.TemporaryDirectory() as folder:
        cert_path, key_path = Path(folder) / "cert.pem", Path(folder) / "key.pem"
        cert_path.write_bytes(cert_pem)
        key_path.write_bytes(key_pem)
        server.load_cert_chain(cert_path, key_path)
    client = ssl.create_default_context(cadata=cert_pem.decode())
    return TlsFiles(server=server, client=client)


def password_authenticator(username: str, password: str) -> Any:
    def authenticate(
        server: Any, session: Any, envelope: Any, mechanism: str, auth_data: Any
    ) -> AuthResult:
        ok = (
            isinstance(auth_data, LoginPassword)
            and auth_data.login == username.encode()
            and auth_data.password == password.encode()
        )
        return AuthResult(success=ok, handled=False)

    return authenticate


@contextmanager
def running_smtp_server(**smtp_options: Any) -> Iterator[SmtpServer]:
    server = SmtpServer(**smtp_options).start()
    try:
        yield server
    finally:
        server.stop()
