"""Mail delivery: ``SmtpMailer`` (aiosmtplib) and ``FileMailer`` (a dev outbox of ``.eml``
files), both implementing ``scheduler.messaging.Mailer``.

How failures reach the outbox::

    Exception
    ├── PermanentDeliveryError   SMTP 5xx for this message: recorded, never retried
    └── TransientDeliveryError   4xx, timeouts, refused or dropped connections, TLS and
                                 authentication problems (a configuration fix makes them pass)

Error texts keep the SMTP code and the server's words with addresses masked: they are stored
on outbox rows and logged, and must not carry a visitor's email.
"""

from __future__ import annotations

import asyncio
import logging
import os
import re
import ssl
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime
from email import policy
from email.message import EmailMessage
from email.parser import BytesHeaderParser, BytesParser
from email.utils import parsedate_to_datetime
from pathlib import Path

import aiosmtplib

from scheduler.messaging import Mailer
from scheduler.platform import Clock, PermanentDeliveryError, SmtpSettings, system_clock

__all__ = [
    "FileMailer",
    "SmtpMailer",
    "StoredMessage",
    "TransientDeliveryError",
    "list_messages",
    "mailer_from_settings",
    "read_message",
]

log = logging.getLogger(__name__)

DEFAULT_TIMEOUT = 20.0
_EMAIL = re.compile(r"[^\s<>\"'(),;:]+@[^\s<>\"'(),;:]+")
_FILE_SAFE = re.compile(r"[^A-Za-z0-9._@+=-]")
_EML_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@+=-]*\.eml$")
# Codes that say "your credentials or TLS setup are wrong", not "this message is refused".
_CONFIGURATION_CODES = frozenset({530, 534, 535, 538})


class TransientDeliveryError(Exception):
    """Retrying later may succeed (the outbox backs off and tries again)."""

    def __init__(self, detail: str, code: int | None = None) -> None:
        super().__init__(detail)
        self.code = code


def _mask(text: str) -> str:
    return _EMAIL.sub("<address>", text)


def _message_id(message: EmailMessage) -> str:
    return str(message.get("Message-ID", "")).strip()


def classify(exc: aiosmtplib.SMTPException) -> PermanentDeliveryError | TransientDeliveryError:
    """The outbox's view of an aiosmtplib failure."""
    if isinstance(exc, aiosmtplib.SMTPRecipientsRefused):
        codes = [refused.code for refused in exc.recipients]
        text = "; ".join(f"{r.code} {_mask(r.message)}" for r in exc.recipients)
        if codes and all(500 <= code < 600 for code in codes):
            return PermanentDeliveryError(f"recipients refused: {text}")
        return TransientDeliveryError(f"recipients refused: {text}", min(codes, default=None))
    if isinstance(exc, aiosmtplib.SMTPResponseException):
        detail = f"SMTP {exc.code} {_mask(exc.message)}"
        if isinstance(exc, aiosmtplib.SMTPAuthenticationError) or (
            exc.code in _CONFIGURATION_CODES
        ):
            return TransientDeliveryError(
                f"TLS or authentication setup refused: {detail}", exc.code
            )
        if 500 <= exc.code < 600:
            return PermanentDeliveryError(detail)
        return TransientDeliveryError(detail, exc.code)
    return TransientDeliveryError(f"{type(exc).__name__}: {_mask(str(exc))}")


class SmtpMailer:
    """With ``reuse_connections`` (the worker's mailer, ``mailer_from_settings``), SMTP
    connections are kept open and reused, one per delivery in flight: opening one (TCP, EHLO,
    STARTTLS, AUTH) cost more than the message. A connection that fails is closed and never
    reused (the outbox retries the message on a fresh one), and one idle for longer than
    ``IDLE_SECONDS`` is closed before a server's idle timeout can drop it under a message.
    Without it, one connection per message, closed after it (QUIT)."""

    IDLE_SECONDS = 20.0

    def __init__(
        self,
        smtp: SmtpSettings,
        *,
        timeout: float = DEFAULT_TIMEOUT,
        tls_context: ssl.SSLContext | None = None,
        reuse_connections: bool = False,
    ) -> None:
        if not smtp.host:
            raise ValueError("SmtpMailer needs an SMTP host")
        self._reuse = reuse_connections
        self._host = smtp.host
        self._port = smtp.port
        self._username = smtp.username
        self._password = smtp.password
        self._use_tls = smtp.tls
        # Implicit TLS (port 465) and STARTTLS exclude each other; TLS wins when both are set.
        self._start_tls = smtp.starttls and not smtp.tls
        self._timeout = timeout
        self._tls_context = tls_context
        # Open connections not in use, with when each was last used (the loop's clock).
        self._idle: list[tuple[aiosmtplib.SMTP, float]] = []

    async def _connection(self) -> aiosmtplib.SMTP:
        now = asyncio.get_running_loop().time()
        while self._idle:
            client, used = self._idle.pop()
            if client.is_connected and now - used < self.IDLE_SECONDS:
                return client
            await _close(client)
        client = aiosmtplib.SMTP(
            hostname=self._host,
            port=self._port,
            use_tls=self._use_tls,
            start_tls=self._start_tls,
            tls_context=self._tls_context,
            timeout=self._timeout,
        )
        try:
            await client.connect()
            if self._username:
                await client.login(self._username, self._password or "")
        except BaseException:
            await _close(client)  # a greeting, TLS or login that failed leaves a socket open
            raise
        return client

    async def close(self) -> None:
        """Close the connections kept open (a process that ends need not)."""
        idle, self._idle = self._idle, []
        for client, _ in idle:
            await _quit(client)

    async def send(self, message: EmailMessage) -> None:
        client: aiosmtplib.SMTP | None = None
        try:
            client = await self._connection()
            errors, _ = await client.send_message(message)
        except aiosmtplib.SMTPException as exc:
            await _close(client)
            error = classify(exc)
            log.warning(
                "mail not delivered",
                extra={
                    "message_id": _message_id(message),
                    "permanent": isinstance(error, PermanentDeliveryError),
                    "error": str(error),
                },
            )
            raise error from exc
        except (OSError, ssl.SSLError, TimeoutError) as exc:
            await _close(client)
            log.warning("mail not delivered", extra={"message_id": _message_id(message)})
            raise TransientDeliveryError(f"{type(exc).__name__}: {_mask(str(exc))}") from exc
        except BaseException:
            await _close(client)  # cancelled mid-conversation: the connection's state is unknown
            raise
        if self._reuse:
            self._idle.append((client, asyncio.get_running_loop().time()))
        else:
            await _quit(client)
        if errors:
            # Some recipients refused while others accepted: our messages have one recipient,
            # so this only happens to hand-built messages. Retrying would duplicate for the rest.
            log.warning(
                "mail partly refused",
                extra={
                    "message_id": _message_id(message),
                    "codes": sorted(response.code for response in errors.values()),
                },
            )
        log.info("mail accepted", extra={"message_id": _message_id(message)})


async def _quit(client: aiosmtplib.SMTP) -> None:
    try:
        await client.quit()
    except (
        aiosmtplib.SMTPException,
        OSError,
        TimeoutError,
    ):  # the message went: only the goodbye failed
        await _close(client)


async def _close(client: aiosmtplib.SMTP | None) -> None:
    if client is None:
        return
    try:
        client.close()
    except Exception:  # already broken: nothing more to release
        return


@dataclass(frozen=True, slots=True)
class StoredMessage:
    """A message in the dev outbox, as the dev page lists it."""

    file_name: str
    subject: str
    to: str
    sender: str
    date: datetime | None
    kind: str | None


class FileMailer:
    """Writes each message to ``directory`` as ``<UTC time>-<Message-ID>.eml``: names sort by
    time, and a reader never sees a half-written file (temp file in the same folder, then an
    atomic rename)."""

    def __init__(self, directory: Path, *, clock: Clock = system_clock) -> None:
        self.directory = Path(directory)
        self._clock = clock

    async def send(self, message: EmailMessage) -> None:
        path = await asyncio.to_thread(self.write, message)
        log.info("mail written", extra={"message_id": _message_id(message), "file": path.name})

    def write(self, message: EmailMessage) -> Path:
        self.directory.mkdir(parents=True, exist_ok=True)
        stamp = self._clock().astimezone(UTC).strftime("%Y%m%dT%H%M%S.%fZ")
        ident = _FILE_SAFE.sub("_", _message_id(message).strip("<>")) or "no-id"
        target = self.directory / f"{stamp}-{ident[:150]}.eml"
        data = message.as_bytes(policy=message.policy.clone(linesep="\r\n"))
        fd, temporary = tempfile.mkstemp(dir=self.directory, prefix=".", suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(temporary, target)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
        return target


def list_messages(directory: Path) -> list[StoredMessage]:
    """The dev outbox, newest first (headers only: cheap with thousands of files)."""
    folder = Path(directory)
    if not folder.is_dir():
        return []
    parser = BytesHeaderParser(policy=policy.default)
    found = []
    for path in folder.iterdir():
        if not _EML_NAME.match(path.name) or not path.is_file():
            continue
        with path.open("rb") as handle:
            headers = parser.parse(handle)
        found.append(
            StoredMessage(
                file_name=path.name,
                subject=str(headers.get("Subject", "")),
                to=str(headers.get("To", "")),
                sender=str(headers.get("From", "")),
                date=_date(headers.get("Date")),
                kind=str(headers["X-Thotis-Kind"]) if headers.get("X-Thotis-Kind") else None,
            )
        )
    found.sort(key=lambda stored: stored.file_name, reverse=True)
    return found


def read_message(directory: Path, file_name: str) -> EmailMessage:
    """One stored message by the name ``list_messages`` gave; any other name (a path, a temp
    file) is refused with ``FileNotFoundError`` so a dev page cannot be walked out of the
    folder."""
    if not _EML_NAME.match(file_name):
        raise FileNotFoundError(file_name)
    path = Path(directory) / file_name
    with path.open("rb") as handle:
        message = BytesParser(policy=policy.default).parse(handle)
    assert isinstance(message, EmailMessage)
    return message


def mailer_from_settings(smtp: SmtpSettings) -> Mailer:
    """SMTP when a host is configured, else the dev outbox folder (the ``make run`` default)."""
    if smtp.host:
        return SmtpMailer(smtp, reuse_connections=True)
    return FileMailer(smtp.mail_dir)


def _date(value: object) -> datetime | None:
    if value is None:
        return None
    try:
        return parsedate_to_datetime(str(value))
    except (TypeError, ValueError):
        return None
