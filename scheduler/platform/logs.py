"""One log format for every process (``serve`` with its uvicorn workers, ``worker``, the CLI):
stdlib logging, one JSON object per line in production, short text lines on a developer's
machine.

Some URLs carry a secret in their path or query (a visitor's manage link, a mentor's sign-in
link, the follow-up's feedback token, Google's OAuth code and state): whoever reads the logs
could use them. :class:`RedactSecrets` replaces them by ``…`` before any handler sees the record,
and the formatters run the same redaction over every message, with email addresses masked too,
as a second line of defence. The client address is left out of the access log: visitors may be
minors, and the logs should carry ids only.
"""

from __future__ import annotations

import json
import logging
import logging.config
import re
import sys
from datetime import UTC, datetime
from typing import Any

from scheduler.platform.settings import Settings

REDACTED = "…"
# Path segments that are secrets, by the route that carries them; the rest of the path stays
# readable (which route, which action) for whoever debugs.
_SECRET_AFTER = re.compile(r"(/manage/|/sign-in/link/|/invitations?/|/join/)[^/?#\s\"]+")
_SECRET_QUERY = re.compile(
    r"([?&](?:token|code|state|key|secret|access_token|refresh_token|id_token|api_key)=)[^&#\s\"]*",
    re.IGNORECASE,
)
# A future route with an opaque secret in its path: any long url-safe segment that is not a
# UUID (booking and mentor ids are not secrets and help debugging).
_OPAQUE_SEGMENT = re.compile(r"(?<=/)[A-Za-z0-9_-]{32,}(?=[/?#\s\"]|$)")
_UUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_STANDARD_ATTRIBUTES = frozenset(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {
    "message",
    "asctime",
    "color_message",  # uvicorn's coloured copy of the message
    "taskName",
}


def _opaque(match: re.Match[str]) -> str:
    return match.group(0) if _UUID.fullmatch(match.group(0)) else REDACTED


def redact(text: str) -> str:
    """``text`` without the URL secrets and email addresses it may hold."""
    text = _SECRET_AFTER.sub(lambda m: m.group(1) + REDACTED, text)
    text = _SECRET_QUERY.sub(lambda m: m.group(1) + REDACTED, text)
    text = _OPAQUE_SEGMENT.sub(_opaque, text)
    return _EMAIL.sub(f"{REDACTED}@{REDACTED}", text)


def _is_access(record: logging.LogRecord) -> bool:
    return (
        record.name == "uvicorn.access" and isinstance(record.args, tuple) and len(record.args) == 5
    )


class RedactSecrets(logging.Filter):
    """On ``uvicorn.access`` (and the handlers): the request path without its secrets, and no
    client address. Idempotent, so a record may pass it twice."""

    def filter(self, record: logging.LogRecord) -> bool:
        if _is_access(record):
            assert isinstance(record.args, tuple)
            _client, method, path, http_version, status = record.args
            record.args = ("-", method, redact(str(path)), http_version, status)
        return True


def _base(record: logging.LogRecord, formatter: logging.Formatter) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
        "level": record.levelname.lower(),
        "logger": record.name,
    }
    if _is_access(record):
        assert isinstance(record.args, tuple)
        _client, method, path, http_version, status = record.args
        entry.update(
            message=f"{method} {redact(str(path))} {status}",
            method=method,
            path=redact(str(path)),
            status=status,
            http=http_version,
        )
    else:
        entry["message"] = redact(record.getMessage())
    for key, value in vars(record).items():
        if key not in _STANDARD_ATTRIBUTES and key not in entry:
            entry[key] = redact(value) if isinstance(value, str) else value
    if record.exc_info:
        entry["exception"] = redact(formatter.formatException(record.exc_info))
    return entry


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time (UTC), level, logger, message, and the record's extras."""

    def format(self, record: logging.LogRecord) -> str:
        return json.dumps(_base(record, self), ensure_ascii=False, default=str)


class TextFormatter(logging.Formatter):
    """For a terminal: the CLI's sentences as they are, the rest as ``level logger: message``."""

    def format(self, record: logging.LogRecord) -> str:
        entry = _base(record, self)
        line = entry["message"]
        if record.name != "thotis.cli":
            line = f"{entry['level'].upper()} {record.name}: {line}"
        if "exception" in entry:
            line = f"{line}\n{entry['exception']}"
        return str(line)


def log_format(settings: Settings) -> str:
    """``json`` or ``text``: LOG_FORMAT, else JSON wherever PUBLIC_URL is not a loopback one."""
    if settings.ops.log_format in {"json", "text"}:
        return settings.ops.log_format
    return "text" if settings.http.loopback else "json"


class StderrHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """Writes to the ``sys.stderr`` of the moment a record is emitted: a test's capture or a
    wrapper may replace it after logging is configured, and a handler that kept the old one
    would write to a closed file."""

    def emit(self, record: logging.LogRecord) -> None:
        self.stream = sys.stderr
        super().emit(record)


def config(settings: Settings, level: str = "INFO") -> dict[str, Any]:
    """A ``logging.config.dictConfig`` dictionary; uvicorn applies it in each of its worker
    processes too (``uvicorn.run(log_config=…)``), so every process writes the same lines."""
    formatter = JsonFormatter if log_format(settings) == "json" else TextFormatter
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"redact": {"()": RedactSecrets}},
        "formatters": {"line": {"()": formatter}},
        "handlers": {"stderr": {"()": StderrHandler, "formatter": "line", "filters": ["redact"]}},
        "loggers": {
            # uvicorn's own handlers would print a second, unredacted, differently shaped line.
            "uvicorn": {"handlers": [], "propagate": True, "level": level},
            "uvicorn.error": {"handlers": [], "propagate": True, "level": level},
            "uvicorn.access": {
                "handlers": [],
                "propagate": True,
                "level": level,
                "filters": ["redact"],
            },
            # APScheduler logs every tick of the outbox clock at INFO; only its problems matter.
            "apscheduler": {"level": "WARNING"},
        },
        "root": {"handlers": ["stderr"], "level": level},
    }


def configure(settings: Settings) -> None:
    logging.config.dictConfig(config(settings))
