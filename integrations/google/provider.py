"""``GoogleCalendarProvider``: the ``CalendarProvider`` Protocol on google-api-python-client.

The client library is synchronous and not thread-safe, so every call builds its own service
(cheap with the discovery document the library ships) and runs in a worker thread
(``anyio.to_thread.run_sync``), never on the event loop. ``execute(num_retries=N)`` retries
5xx, 429, rate-limit 403s and dropped connections with exponential back-off; what still fails is
translated in ``_errors``. Credentials are rebuilt from the stored tokens for each call; when the
library refreshed the access token on the way, the result carries the new tokens (the library
has no "token refreshed" callback).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar
from urllib.parse import urlencode
from uuid import UUID

import anyio.to_thread
import google_auth_httplib2
import httplib2
from google.oauth2.credentials import Credentials
from googleapiclient.discovery import Resource, build
from googleapiclient.errors import HttpError
from googleapiclient.http import HttpRequest

from availability import Interval, merge
from availability.intervals import as_utc
from integrations.google._calls import busy_of, refreshed, request_class
from integrations.google._errors import google_errors, status_of
from integrations.google._events import (
    conference_status,
    event_body,
    insert_body,
    meet_url,
    rfc3339,
    synced_event,
)
from scheduler.booking import BookingView
from scheduler.calendar import (
    CalendarInfo,
    CalendarResult,
    CalendarUnavailable,
    EventRef,
    GoogleTokens,
    SyncResult,
    WatchChannel,
    event_id_for_series,
)
from scheduler.platform import GoogleSettings

__all__ = ["FREE_BUSY_MAX_CALENDARS", "FREE_BUSY_MAX_RANGE", "GoogleCalendarProvider"]

log = logging.getLogger(__name__)
T = TypeVar("T")

# Google answers at most 50 calendars per free/busy query and refuses long ranges (~90 days).
FREE_BUSY_MAX_CALENDARS = 50
FREE_BUSY_MAX_RANGE = timedelta(days=60)
_GONE = frozenset({404, 410})


def _naive_utc(instant: datetime | None) -> datetime | None:
    # google-auth compares expiry with a naive UTC "now".
    return None if instant is None else as_utc(instant).replace(tzinfo=None)


class GoogleCalendarProvider:
    """Google Calendar for one deployment (its OAuth client); the mentor comes with the tokens.

    ``sleep`` is what the client library sleeps with between retries and what Meet polling
    sleeps with: tests pass one that does not wait.
    """

    def __init__(
        self,
        google: GoogleSettings,
        *,
        num_retries: int = 5,
        timeout_seconds: float = 20.0,
        meet_polls: int = 6,
        meet_poll_delay_seconds: float = 0.5,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self._google = google
        self._num_retries = num_retries
        self._timeout = timeout_seconds
        self._meet_polls = meet_polls
        self._meet_delay = meet_poll_delay_seconds
        self._sleep = sleep
        self._request_class = request_class(sleep)

    # --- plumbing -----------------------------------------------------------------------------
    def _credentials(self, tokens: GoogleTokens) -> Credentials:
        # google-auth ships py.typed but leaves Credentials.__init__ unannotated.
        return Credentials(  # type: ignore[no-untyped-call]
            token=tokens.access_token,
            refresh_token=tokens.refresh_token,
            token_uri=self._google.token_uri,
            client_id=self._google.client_id,
            client_secret=self._google.client_secret,
            expiry=_naive_utc(tokens.expiry),
        )

    def _service(self, credentials: Credentials) -> Resource:
        http = google_auth_httplib2.AuthorizedHttp(
            credentials, http=httplib2.Http(timeout=self._timeout)
        )
        return build(
            "calendar",
            "v3",
            http=http,
            static_discovery=True,
            cache_discovery=False,
            requestBuilder=self._request_class,
            client_options={"api_endpoint": f"{self._google.api_base}/calendar/v3/"},
        )

    async def _run(self, tokens: GoogleTokens, work: Callable[[Resource], T]) -> CalendarResult[T]:
        credentials = self._credentials(tokens)

        def blocking() -> T:
            # Closing the service closes its connections (no socket left to the collector).
            with google_errors(), self._service(credentials) as service:
                return work(service)

        value = await anyio.to_thread.run_sync(blocking)
        return CalendarResult(value, refreshed(tokens, credentials))

    def _execute(self, request: HttpRequest) -> Any:
        return request.execute(num_retries=self._num_retries)

    # --- calendars ----------------------------------------------------------------------------
    async def list_calendars(
        self, tokens: GoogleTokens
    ) -> CalendarResult[tuple[CalendarInfo, ...]]:
        def work(service: Resource) -> tuple[CalendarInfo, ...]:
            found: list[CalendarInfo] = []
            page: str | None = None
            while True:
                answer = self._execute(
                    service.calendarList().list(pageToken=page, showHidden=False)
                )
                for item in answer.get("items", []):
                    found.append(
                        CalendarInfo(
                            id=item["id"],
                            summary=item.get("summaryOverride") or item.get("summary", ""),
                            primary=bool(item.get("primary", False)),
                            access_role=item.get("accessRole", "reader"),
                        )
                    )
                page = answer.get("nextPageToken")
                if not page:
                    return tuple(found)

        return await self._run(tokens, work)

    async def free_busy(
        self, tokens: GoogleTokens, calendar_ids: Sequence[str], start: datetime, end: datetime
    ) -> CalendarResult[list[Interval]]:
        if isinstance(calendar_ids, str):
            raise TypeError("calendar_ids is a sequence of ids, not one id")
        start, end = as_utc(start, "start"), as_utc(end, "end")
        ids = list(dict.fromkeys(calendar_ids))

        def work(service: Resource) -> list[Interval]:
            busy: list[Interval] = []
            chunk_start = start
            while chunk_start < end:
                chunk_end = min(chunk_start + FREE_BUSY_MAX_RANGE, end)
                for first in range(0, len(ids), FREE_BUSY_MAX_CALENDARS):
                    batch = ids[first : first + FREE_BUSY_MAX_CALENDARS]
                    body = {
                        "timeMin": rfc3339(chunk_start),
                        "timeMax": rfc3339(chunk_end),
                        "items": [{"id": calendar_id} for calendar_id in batch],
                    }
                    answer = self._execute(service.freebusy().query(body=body))
                    busy += busy_of(answer, batch)
                chunk_start = chunk_end
            return merge(busy)

        if not ids or start >= end:
            return CalendarResult([])
        return await self._run(tokens, work)

    # --- events -------------------------------------------------------------------------------
    async def upsert_event(
        self, tokens: GoogleTokens, calendar_id: str, view: BookingView
    ) -> CalendarResult[EventRef]:
        if view.status == "cancelled":
            raise ValueError("a cancelled booking is removed with cancel_event, not upserted")
        event_id = event_id_for_series(view.series_id)

        def work(service: Resource) -> EventRef:
            events = service.events()
            try:
                event = self._execute(
                    events.insert(
                        calendarId=calendar_id,
                        body=insert_body(view),
                        conferenceDataVersion=1,
                        sendUpdates="none",
                    )
                )
            except HttpError as error:
                if status_of(error) != 409:
                    raise
                # The id is taken: an earlier delivery (or its lost answer) created it, or
                # this is a reschedule. Either way the series' one event is brought up to date.
                event = self._execute(
                    events.patch(
                        calendarId=calendar_id,
                        eventId=event_id,
                        body=event_body(view),
                        conferenceDataVersion=1,
                        sendUpdates="none",
                    )
                )
            event = self._await_conference(events, calendar_id, event)
            return EventRef(event["id"], meet_url(event), event.get("htmlLink"))

        return await self._run(tokens, work)

    def _await_conference(self, events: Any, calendar_id: str, event: dict[str, Any]) -> Any:
        """Meet creation is asynchronous: read the event again until the conference is ready."""
        for attempt in range(self._meet_polls):
            if conference_status(event) != "pending":
                break
            self._sleep(self._meet_delay * (attempt + 1))
            event = self._execute(events.get(calendarId=calendar_id, eventId=event["id"]))
        status = conference_status(event)
        if status == "pending":
            # Transient: the next delivery finds the event (409), patches and polls again.
            raise CalendarUnavailable(f"Meet for event {event['id']} still pending")
        if status == "failure":
            log.warning("google meet creation failed", extra={"event_id": event["id"]})
        return event

    async def cancel_event(
        self, tokens: GoogleTokens, calendar_id: str, series_id: UUID
    ) -> CalendarResult[None]:
        event_id = event_id_for_series(series_id)

        def work(service: Resource) -> None:
            request = service.events().delete(
                calendarId=calendar_id, eventId=event_id, sendUpdates="none"
            )
            try:
                self._execute(request)
            except HttpError as error:
                if status_of(error) not in _GONE:  # already deleted, here or by the mentor
                    raise

        return await self._run(tokens, work)

    # --- sync and push ------------------------------------------------------------------------
    async def sync(
        self,
        tokens: GoogleTokens,
        calendar_id: str,
        sync_token: str | None,
        *,
        full_sync_from: datetime | None = None,
    ) -> CalendarResult[SyncResult]:
        params: dict[str, Any] = {"calendarId": calendar_id, "maxResults": 250}
        if sync_token is not None:
            params["syncToken"] = sync_token
        else:
            params["showDeleted"] = True
            if full_sync_from is not None:
                params["timeMin"] = rfc3339(full_sync_from)

        def work(service: Resource) -> SyncResult:
            changed, deleted = [], []
            page: str | None = None
            while True:
                try:
                    answer = self._execute(service.events().list(pageToken=page, **params))
                except HttpError as error:
                    if status_of(error) == 410 and sync_token is not None:
                        return SyncResult((), (), None, needs_full_resync=True)
                    raise
                for item in answer.get("items", []):
                    if item.get("status") == "cancelled":
                        deleted.append(str(item["id"]))
                    else:
                        changed.append(synced_event(item))
                page = answer.get("nextPageToken")
                if not page:
                    return SyncResult(
                        tuple(changed),
                        tuple(deleted),
                        answer.get("nextSyncToken"),
                        full=sync_token is None,
                    )

        return await self._run(tokens, work)

    async def watch(
        self,
        tokens: GoogleTokens,
        calendar_id: str,
        *,
        channel_id: str,
        address: str,
        channel_token: str,
        ttl: timedelta,
    ) -> CalendarResult[WatchChannel]:
        body = {
            "id": channel_id,
            "type": "web_hook",
            "address": address,
            "token": channel_token,
            "params": {"ttl": str(int(ttl.total_seconds()))},
        }

        def work(service: Resource) -> WatchChannel:
            answer = self._execute(service.events().watch(calendarId=calendar_id, body=body))
            expiration = datetime.fromtimestamp(int(answer["expiration"]) / 1000, UTC)
            return WatchChannel(
                id=answer["id"],
                resource_id=answer["resourceId"],
                calendar_id=calendar_id,
                token=channel_token,
                expiration=expiration,
            )

        return await self._run(tokens, work)

    async def stop_channel(
        self, tokens: GoogleTokens, channel: WatchChannel
    ) -> CalendarResult[None]:
        body = {"id": channel.id, "resourceId": channel.resource_id}

        def work(service: Resource) -> None:
            try:
                self._execute(service.channels().stop(body=body))
            except HttpError as error:
                if status_of(error) not in _GONE:  # expired or stopped already
                    raise

        return await self._run(tokens, work)

    async def revoke(self, tokens: GoogleTokens) -> None:
        # Revoking the refresh token ends the whole grant (its access tokens too).
        token = tokens.refresh_token or tokens.access_token
        if token is None:
            return

        def blocking() -> None:
            http = httplib2.Http(timeout=self._timeout)
            try:
                with google_errors():
                    response, _ = http.request(
                        self._google.revoke_uri,
                        "POST",
                        body=urlencode({"token": token}),
                        headers={"Content-Type": "application/x-www-form-urlencoded"},
                    )
            finally:
                http.close()
            status = int(response.status)
            if status >= 500 or status == 429:
                raise CalendarUnavailable(f"Google's revoke endpoint answered {status}")
            # 400 invalid_token: revoked already (by the mentor, or an earlier attempt).

        await anyio.to_thread.run_sync(blocking)
