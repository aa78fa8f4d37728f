"""Google's failures translated into the engine's, in one place (see ``scheduler.calendar.ports``)::

RefreshError invalid_grant / no refresh token   -> ReconnectRequired
HTTP 401, 403 insufficientPermissions           -> ReconnectRequired
HTTP 5xx, 429, 403 rate limits (after retries)  -> CalendarUnavailable
network errors, timeouts, retryable refresh     -> CalendarUnavailable
other HTTP 4xx                                  -> PermanentDeliveryError
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager

import httplib2
from google.auth.exceptions import RefreshError, TransportError
from googleapiclient.errors import HttpError

from scheduler.calendar import CalendarUnavailable
from scheduler.platform import PermanentDeliveryError, ReconnectRequired

RATE_LIMIT_REASONS = frozenset({"rateLimitExceeded", "userRateLimitExceeded", "quotaExceeded"})
SCOPE_REASONS = frozenset({"insufficientPermissions", "ACCESS_TOKEN_SCOPE_INSUFFICIENT"})
# The client's own credentials are wrong: not the mentor's doing, so not "reconnect".
CLIENT_CONFIG_ERRORS = frozenset({"invalid_client", "unauthorized_client"})


def status_of(error: HttpError) -> int:
    return int(error.resp.status)


def reason_of(error: HttpError) -> str | None:
    """The first ``errors[].reason`` of Google's error body (or its ``status``)."""
    try:
        body = json.loads(error.content.decode("utf-8"))["error"]
    except (ValueError, KeyError, TypeError, AttributeError):
        return None
    errors = body.get("errors") or []
    if errors and isinstance(errors[0], dict) and errors[0].get("reason"):
        return str(errors[0]["reason"])
    status = body.get("status")
    return str(status) if status else None


def _refresh_error_code(error: RefreshError) -> str | None:
    if len(error.args) > 1 and isinstance(error.args[1], dict):
        code = error.args[1].get("error")
        return str(code) if code else None
    return None


def translate(error: BaseException) -> Exception | None:
    """The engine's exception for a Google failure, or None when it is not one."""
    if isinstance(error, RefreshError):
        code = _refresh_error_code(error)
        if code in CLIENT_CONFIG_ERRORS:
            return CalendarUnavailable(f"Google refused this app's client credentials ({code})")
        if error.retryable:
            return CalendarUnavailable("Google's token endpoint is failing")
        return ReconnectRequired(f"Google refused the refresh token ({code or 'no refresh'})")
    if isinstance(error, HttpError):
        status, reason = status_of(error), reason_of(error)
        if status == 401 or (status == 403 and reason in SCOPE_REASONS):
            return ReconnectRequired(f"Google refused the authorisation ({status} {reason})")
        if status >= 500 or status == 429 or (status == 403 and reason in RATE_LIMIT_REASONS):
            return CalendarUnavailable(f"Google kept failing ({status} {reason})")
        return PermanentDeliveryError(f"Google refused the request ({status} {reason})")
    if isinstance(error, TransportError | OSError | httplib2.HttpLib2Error):
        return CalendarUnavailable(f"Google unreachable ({type(error).__name__})")
    return None


@contextmanager
def google_errors() -> Iterator[None]:
    try:
        yield
    except Exception as error:
        translated = translate(error)
        if translated is None:
            raise
        raise translated from error
