"""What ``GoogleCalendarProvider`` does around its calls: Google's free/busy answer read into
busy intervals, the tokens the library refreshed on the way, and the request class whose retry
back-off sleeps with the provider's own ``sleep`` (so tests and benches do not wait)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC
from typing import Any

from google.oauth2.credentials import Credentials
from googleapiclient.http import HttpRequest

from availability import Interval
from integrations.google._events import parse_rfc3339
from scheduler.calendar import CalendarNotFound, CalendarUnavailable, GoogleTokens


def busy_of(answer: dict[str, Any], asked: Sequence[str]) -> list[Interval]:
    busy: list[Interval] = []
    calendars = answer.get("calendars", {})
    for calendar_id in asked:
        data = calendars.get(calendar_id)
        if data is None:
            raise CalendarUnavailable(f"no free/busy answer for calendar {calendar_id}")
        reasons = {error.get("reason") for error in data.get("errors", [])}
        if "notFound" in reasons:
            raise CalendarNotFound(calendar_id)
        if reasons:
            # Google could not compute this calendar (backendError, ...): not "free".
            raise CalendarUnavailable(f"free/busy failed for {calendar_id}: {sorted(reasons)}")
        for span in data.get("busy", []):
            busy.append(Interval(parse_rfc3339(span["start"]), parse_rfc3339(span["end"])))
    return busy


def refreshed(tokens: GoogleTokens, credentials: Credentials) -> GoogleTokens | None:
    if credentials.token == tokens.access_token:
        return None
    expiry = credentials.expiry
    return GoogleTokens(
        access_token=credentials.token,
        refresh_token=credentials.refresh_token or tokens.refresh_token,
        expiry=None if expiry is None else expiry.replace(tzinfo=UTC),
        scopes=tokens.scopes,
    )


def request_class(sleep: Callable[[float], None]) -> type[HttpRequest]:
    """``HttpRequest`` whose retry back-off sleeps with ``sleep``."""

    # googleapiclient is untyped (Any): strict mypy refuses subclassing Any.
    class Request(HttpRequest):  # type: ignore[misc]
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self._sleep = sleep

    return Request
