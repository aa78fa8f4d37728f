"""A fake Google (OAuth + Calendar v3) for tests: a stdlib ``ThreadingHTTPServer`` on 127.0.0.1.

The real ``googleapiclient`` / ``google-auth`` / ``oauthlib`` talk to it over HTTP, exactly as they
talk to Google: nothing in the code under test is patched. It implements what the adapter uses,
with Google's answers and Google's limits:

- OAuth: ``GET /o/oauth2/auth`` auto-approves for ``fake.signed_in`` and redirects with a code
  (the PKCE challenge is recorded); ``POST /token`` (authorization_code with PKCE verification,
  refresh_token); ``POST /revoke``; ``GET /oauth2/v3/userinfo``.
- Calendar: ``users/me/calendarList``, ``freeBusy`` (≤ 50 items, ≤ 90 days), events insert (a
  client-chosen id; 409 when the id exists, deleted or not), get, patch, delete (410 when already
  deleted), list (paged, incremental with ``syncToken``; 410 when the token was invalidated),
  ``events/watch`` and ``channels/stop``. Meet conferences start ``pending`` and become
  ``success`` after ``meet_pending_reads`` reads of the event.
- Every API call checks the bearer token and the scopes Calendar's discovery document lists for
  that method (read from the discovery document googleapiclient ships).

Scripted faults (``fake.fail(...)``): the next N matching requests answer a status with Google's
error body, drop the connection after (``"drop"``) or before (``"drop_before"``) the request took
effect, or hang (``"hang"``) until the client gives up. ``fake.go_down()`` closes the port
(connection refused) and ``fake.come_back()`` reopens it; ``fake.all_503`` answers 503 to all.
``fake.count(method, path_regex)`` counts requests, faulted ones included.
"""

from __future__ import annotations

import base64
import hashlib
import itertools
import json
import re
import secrets
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib import resources
from typing import Any
from urllib.parse import parse_qs, unquote, urlencode, urlsplit

CLIENT_ID = "thotis-test.apps.googleusercontent.com"
CLIENT_SECRET = "fake-client-secret"
ISSUER = "https://accounts.google.com"
SCOPE_ALIASES = {
    "email": "https://www.googleapis.com/auth/userinfo.email",
    "profile": "https://www.googleapis.com/auth/userinfo.profile",
}
_CAL = "https://www.googleapis.com/auth/calendar"
ALL_CALENDAR_SCOPES = frozenset(
    {
        "openid",
        "https://www.googleapis.com/auth/userinfo.email",
        f"{_CAL}.freebusy",
        f"{_CAL}.events.owned",
        f"{_CAL}.calendarlist.readonly",
    }
)
MAX_FREEBUSY_ITEMS = 50
MAX_FREEBUSY_RANGE = timedelta(days=90)
EVENT_ID = re.compile(r"[a-v0-9]{5,1024}")
ApiError = tuple[int, dict[str, Any]]


def _method_scopes() -> dict[str, frozenset[str]]:
    """Method id -> accepted scopes, from the Calendar v3 discovery document the client ships."""
    doc = json.loads(
        resources.files("googleapiclient")
        .joinpath("discovery_cache/documents/calendar.v3.json")
        .read_text()
    )
    found: dict[str, frozenset[str]] = {}
    for resource in doc["resources"].values():
        for method in resource.get("methods", {}).values():
            found[method["id"]] = frozenset(method.get("scopes", ()))
    return found


METHOD_SCOPES = _method_scopes()


def rfc3339(instant: datetime) -> str:
    return instant.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_instant(text: str) -> datetime:
    parsed = datetime.fromisoformat(text)
    if parsed.tzinfo is None:
        raise ValueError(f"no offset in {text!r}")
    return parsed.astimezone(UTC)


def _event_bound(value: dict[str, Any]) -> datetime:
    if "dateTime" in value:
        return parse_instant(value["dateTime"])
    return datetime.combine(date.fromisoformat(value["date"]), datetime.min.time(), UTC)


def google_error(status: int, reason: str, message: str = "") -> ApiError:
    names = {
        400: "INVALID_ARGUMENT",
        401: "UNAUTHENTICATED",
        403: "PERMISSION_DENIED",
        404: "NOT_FOUND",
        409: "ALREADY_EXISTS",
        410: "FAILED_PRECONDITION",
        429: "RESOURCE_EXHAUSTED",
        500: "INTERNAL",
        503: "UNAVAILABLE",
    }
    message = message or reason
    return status, {
        "error": {
            "code": status,
            "message": message,
            "errors": [{"domain": "global", "reason": reason, "message": message}],
            "status": names.get(status, "UNKNOWN"),
        }
    }


_FAULT_REASONS = {
    500: "backendError",
    503: "backendError",
    429: "rateLimitExceeded",
    403: "rateLimitExceeded",
    410: "fullSyncRequired",
}


class _Reply(Exception):
    """Raised inside a route to answer with an error."""

    def __init__(self, status: int, body: dict[str, Any]) -> None:
        super().__init__(status)
        self.status = status
        self.body = body


def _fail(status: int, reason: str, message: str = "") -> _Reply:
    return _Reply(*google_error(status, reason, message))


@dataclass
class Fault:
    method: str | None
    path: re.Pattern[str]
    kind: int | str  # an HTTP status, "drop", "drop_before", "hang" or "invalid_grant"
    remaining: int
    reason: str | None = None


@dataclass
class Calendar:
    id: str
    owner: str
    summary: str
    primary: bool = False
    access_role: str = "owner"
    events: dict[str, dict[str, Any]] = field(default_factory=dict)
    # Sequence number of the last change; events carry the number of their own last change.
    seq: int = 0
    # Sync tokens issued before this sequence number answer 410 Gone.
    sync_floor: int = 0
    # Extra readers (another account's calendar shared with a mentor), with their role.
    shared_with: dict[str, str] = field(default_factory=dict)


@dataclass
class Grant:
    email: str
    scopes: frozenset[str]
    revoked: bool = False


@dataclass
class AccessToken:
    grant: Grant
    expires_at: datetime


@dataclass
class Channel:
    id: str
    resource_id: str
    calendar_id: str
    address: str
    token: str | None
    expiration: datetime
    stopped: bool = False


@dataclass
class Request:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body or b"{}")

    def form(self) -> dict[str, str]:
        return {k: v[0] for k, v in parse_qs(self.body.decode()).items()}

    def arg(self, name: str) -> str | None:
        values = self.query.get(name)
        return values[0] if values else None


@dataclass
class LogEntry:
    method: str
    path: str
    query: dict[str, list[str]]
    status: int | str


class FakeGoogle:
    """The fake's state and its HTTP server. All state is guarded by one lock."""

    def __init__(self) -> None:
        self.lock = threading.RLock()
        self.client_id = CLIENT_ID
        self.client_secret = CLIENT_SECRET
        self.calendars: dict[str, Calendar] = {}
        self.grants: dict[str, Grant] = {}  # refresh token -> grant
        self.access_tokens: dict[str, AccessToken] = {}
        self.codes: dict[str, dict[str, Any]] = {}
        self.sync_tokens: dict[str, tuple[str, int]] = {}
        self.page_tokens: dict[str, tuple[list[dict[str, Any]], str | None]] = {}
        self.channels: dict[str, Channel] = {}
        self.consented: set[str] = set()  # accounts that already granted offline access
        self.faults: list[Fault] = []
        self.log: list[LogEntry] = []
        self.signed_in = "mentor@example.org"
        self.declined_scopes: set[str] = set()  # the user unticks these on the consent screen
        self.access_token_lifetime = timedelta(hours=1)
        self.meet_pending_reads = 1
        self.all_503 = False
        self.release = threading.Event()  # ends "hang" faults
        self.recorded_challenges: list[tuple[str, str]] = []
        self._ids = itertools.count(1)
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self.port = 0

    # --- lifecycle ----------------------------------------------------------------------------
    def start(self) -> FakeGoogle:
        handler = _handler_for(self)
        self._server = ThreadingHTTPServer(("127.0.0.1", self.port), handler)
        self._server.daemon_threads = True
        self.port = self._server.server_address[1]
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        self.release.set()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        if self._thread is not None:
            self._thread.join()
            self._thread = None

    def go_down(self) -> None:
        """Close the port: clients get "connection refused"."""
        self.stop()

    def come_back(self) -> None:
        self.release.clear()
        self.start()

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def auth_uri(self) -> str:
        return f"{self.base_url}/o/oauth2/auth"

    @property
    def token_uri(self) -> str:
        return f"{self.base_url}/token"

    @property
    def revoke_uri(self) -> str:
        return f"{self.base_url}/revoke"

    # --- test set-up --------------------------------------------------------------------------
    def add_account(self, email: str) -> Calendar:
        """An account with its primary calendar (whose id is the email, as at Google)."""
        return self.add_calendar(email, email, summary=email, primary=True)

    def add_calendar(
        self,
        owner: str,
        calendar_id: str,
        *,
        summary: str,
        primary: bool = False,
        access_role: str = "owner",
    ) -> Calendar:
        with self.lock:
            calendar = Calendar(calendar_id, owner, summary, primary, access_role)
            self.calendars[calendar_id] = calendar
            return calendar

    def share(self, calendar_id: str, email: str, role: str = "reader") -> None:
        with self.lock:
            self.calendars[calendar_id].shared_with[email] = role

    def add_busy(
        self, calendar_id: str, start: datetime, end: datetime, *, transparent: bool = False
    ) -> str:
        """An event the calendar's owner made themselves (it shows as busy, and in syncs)."""
        event_id = f"own{next(self._ids):06d}"
        with self.lock:
            self._store(
                self.calendars[calendar_id],
                {
                    "id": event_id,
                    "status": "confirmed",
                    "summary": "Cours",
                    "start": {"dateTime": rfc3339(start)},
                    "end": {"dateTime": rfc3339(end)},
                    "transparency": "transparent" if transparent else "opaque",
                },
            )
        return event_id

    def delete_event(self, calendar_id: str, event_id: str) -> None:
        """The owner deletes an event in Google Calendar's own UI."""
        with self.lock:
            calendar = self.calendars[calendar_id]
            event = dict(calendar.events[event_id], status="cancelled")
            self._store(calendar, event)

    def move_event(
        self, calendar_id: str, event_id: str, start: datetime, end: datetime | None
    ) -> None:
        """``end=None``: an end without a time of day, as some calendar clients write it."""
        with self.lock:
            calendar = self.calendars[calendar_id]
            event = dict(calendar.events[event_id])
            event["start"] = {"dateTime": rfc3339(start)}
            event["end"] = (
                {"date": start.astimezone(UTC).date().isoformat()}
                if end is None
                else {"dateTime": rfc3339(end)}
            )
            self._store(calendar, event)

    def issue_tokens(
        self,
        email: str,
        scopes: frozenset[str] = ALL_CALENDAR_SCOPES,
        *,
        expires_in: timedelta | None = None,
    ) -> tuple[str, str]:
        """(access token, refresh token) for ``email``, as if it had connected before."""
        with self.lock:
            grant = Grant(email, frozenset(scopes))
            refresh = f"1//fake-refresh-{secrets.token_urlsafe(16)}"
            self.grants[refresh] = grant
            access = self._new_access_token(grant, expires_in)
            return access, refresh

    def expire_access_tokens(self) -> None:
        with self.lock:
            for token in self.access_tokens.values():
                token.expires_at = datetime.now(UTC) - timedelta(seconds=1)

    def revoke_account(self, email: str) -> None:
        """The account holder removes the app in their Google account settings."""
        with self.lock:
            for grant in self.grants.values():
                if grant.email == email:
                    grant.revoked = True

    def invalidate_sync_tokens(self, calendar_id: str) -> None:
        with self.lock:
            calendar = self.calendars[calendar_id]
            calendar.sync_floor = calendar.seq + 1

    def fail(
        self,
        path: str,
        kind: int | str,
        *,
        times: int = 1,
        method: str | None = None,
        reason: str | None = None,
    ) -> None:
        """The next ``times`` requests whose path matches the regex ``path`` fail with ``kind``."""
        with self.lock:
            self.faults.append(Fault(method, re.compile(path), kind, times, reason))

    def count(self, method: str | None = None, path: str = ".*") -> int:
        pattern = re.compile(path)
        with self.lock:
            return sum(
                1
                for entry in self.log
                if (method is None or entry.method == method) and pattern.fullmatch(entry.path)
            )

    def requests(self, method: str | None = None, path: str = ".*") -> list[LogEntry]:
        pattern = re.compile(path)
        with self.lock:
            return [
                entry
                for entry in self.log
                if (method is None or entry.method == method) and pattern.fullmatch(entry.path)
            ]

    def live_events(self, calendar_id: str) -> list[dict[str, Any]]:
        with self.lock:
            return [
                dict(event)
                for event in self.calendars[calendar_id].events.values()
                if event["status"] != "cancelled"
            ]

    # --- internals ----------------------------------------------------------------------------
    def _new_access_token(self, grant: Grant, expires_in: timedelta | None = None) -> str:
        token = f"ya29.fake-{secrets.token_urlsafe(16)}"
        lifetime = self.access_token_lifetime if expires_in is None else expires_in
        self.access_tokens[token] = AccessToken(grant, datetime.now(UTC) + lifetime)
        return token

    def _store(self, calendar: Calendar, event: dict[str, Any]) -> dict[str, Any]:
        calendar.seq += 1
        now = datetime.now(UTC)
        event.setdefault("created", rfc3339(now))
        event["updated"] = rfc3339(now)
        event["etag"] = f'"{calendar.seq}"'
        event["kind"] = "calendar#event"
        event["htmlLink"] = f"https://www.google.com/calendar/event?eid={event['id']}"
        event["iCalUID"] = f"{event['id']}@google.com"
        event["_seq"] = calendar.seq
        calendar.events[event["id"]] = event
        return event

    def _take_fault(self, method: str, path: str) -> Fault | None:
        for fault in self.faults:
            if (fault.method in (None, method)) and fault.path.fullmatch(path):
                fault.remaining -= 1
                if fault.remaining <= 0:
                    self.faults.remove(fault)
                return fault
        return None

    def _id_token(self, email: str, nonce: str | None = None) -> str:
        def b64(data: dict[str, Any]) -> str:
            raw = json.dumps(data, separators=(",", ":")).encode()
            return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()

        now = int(datetime.now(UTC).timestamp())
        claims: dict[str, Any] = {
            "iss": ISSUER,
            "aud": self.client_id,
            "azp": self.client_id,
            "sub": hashlib.sha256(email.encode()).hexdigest()[:21],
            "email": email,
            "email_verified": True,
            "iat": now,
            "exp": now + 3600,
        }
        if nonce:
            claims["nonce"] = nonce
        # Unsigned: nothing in the adapter can check Google's signature offline, and it does
        # not need to (the token comes straight from the token endpoint over TLS).
        return f"{b64({'alg': 'RS256', 'kid': 'fake', 'typ': 'JWT'})}.{b64(claims)}.c2ln"

    def _authorize(self, request: Request, bearer: str | None, method_id: str) -> Grant:
        if not bearer or bearer not in self.access_tokens:
            raise _fail(401, "authError", "Request had invalid authentication credentials.")
        token = self.access_tokens[bearer]
        if token.grant.revoked or token.expires_at <= datetime.now(UTC):
            raise _fail(401, "authError", "Request had invalid authentication credentials.")
        accepted = METHOD_SCOPES.get(method_id)
        if accepted is not None and not (accepted & token.grant.scopes):
            raise _fail(403, "insufficientPermissions", "Insufficient Permission")
        return token.grant

    def _calendar_for(self, grant: Grant, calendar_id: str) -> Calendar:
        calendar = self.calendars.get(calendar_id)
        if calendar is None or (
            calendar.owner != grant.email and grant.email not in calendar.shared_with
        ):
            raise _fail(404, "notFound", "Not Found")
        return calendar

    def _role(self, grant: Grant, calendar: Calendar) -> str:
        if calendar.owner == grant.email:
            return calendar.access_role
        return calendar.shared_with[grant.email]

    def _check_write(self, grant: Grant, calendar: Calendar) -> None:
        role = self._role(grant, calendar)
        if role not in ("owner", "writer"):
            raise _fail(403, "requiredAccessLevel", "You need to have writer access.")
        # "calendar.events.owned" only reaches the calendars the account owns.
        broad = {_CAL, f"{_CAL}.events"}
        if not (broad & grant.scopes) and role != "owner":
            raise _fail(403, "insufficientPermissions", "Insufficient Permission")

    # --- routes -------------------------------------------------------------------------------
    def route(self, request: Request) -> tuple[int, dict[str, Any] | None, dict[str, str]]:
        """(status, JSON body or None, extra headers)."""
        path = request.path
        bearer = None
        auth = request.headers.get("authorization", "")
        if auth.lower().startswith("bearer "):
            bearer = auth[7:].strip()
        with self.lock:
            try:
                if path == "/o/oauth2/auth":
                    return self._auth_endpoint(request)
                if path == "/token":
                    return 200, self._token_endpoint(request), {}
                if path == "/revoke":
                    return self._revoke_endpoint(request)
                if path == "/oauth2/v3/userinfo":
                    grant = self._authorize(request, bearer, "")
                    return 200, {"sub": grant.email, "email": grant.email}, {}
                for pattern, verb, handler in self._api_routes():
                    match = re.fullmatch(pattern, path)
                    if match and verb == request.method:
                        return 200, handler(request, bearer, *match.groups()), {}
                raise _fail(404, "notFound", f"no route {request.method} {path}")
            except _Reply as reply:
                return reply.status, reply.body, {}

    def _api_routes(self) -> list[tuple[str, str, Callable[..., dict[str, Any] | None]]]:
        events = r"/calendar/v3/calendars/([^/]+)/events"
        return [
            (r"/calendar/v3/users/me/calendarList", "GET", self._calendar_list),
            (r"/calendar/v3/freeBusy", "POST", self._free_busy),
            (r"/calendar/v3/channels/stop", "POST", self._channels_stop),
            (events + "/watch", "POST", self._events_watch),
            (events, "POST", self._events_insert),
            (events, "GET", self._events_list),
            (events + r"/([^/]+)", "GET", self._events_get),
            (events + r"/([^/]+)", "PATCH", self._events_patch),
            (events + r"/([^/]+)", "DELETE", self._events_delete),
        ]

    def _auth_endpoint(self, request: Request) -> tuple[int, None, dict[str, str]]:
        q = {k: v[0] for k, v in request.query.items()}
        if q.get("client_id") != self.client_id or q.get("response_type") != "code":
            raise _Reply(400, {"error": "invalid_request"})
        if q.get("code_challenge_method") != "S256" or not q.get("code_challenge"):
            raise _Reply(400, {"error": "invalid_request", "error_description": "PKCE needed"})
        requested = {SCOPE_ALIASES.get(s, s) for s in q.get("scope", "").split()}
        granted = frozenset(requested - self.declined_scopes)
        code = f"4/fake-code-{secrets.token_urlsafe(12)}"
        self.recorded_challenges.append((q["code_challenge"], q["code_challenge_method"]))
        account = self.signed_in
        # Google only hands out a refresh token the first time, or when consent is forced.
        offline = q.get("access_type") == "offline" and (
            q.get("prompt") == "consent" or account not in self.consented
        )
        self.codes[code] = {
            "redirect_uri": q.get("redirect_uri"),
            "challenge": q["code_challenge"],
            "scopes": granted,
            "email": account,
            "offline": offline,
            "nonce": q.get("nonce"),
        }
        self.consented.add(account)
        params = {"state": q.get("state", ""), "code": code, "scope": " ".join(sorted(granted))}
        return 302, None, {"Location": f"{q['redirect_uri']}?{urlencode(params)}"}

    def _client_credentials(self, request: Request, form: dict[str, str]) -> tuple[str, str]:
        auth = request.headers.get("authorization", "")
        if auth.lower().startswith("basic "):
            client_id, _, secret = base64.b64decode(auth[6:]).decode().partition(":")
            return client_id, secret
        return form.get("client_id", ""), form.get("client_secret", "")

    def _token_endpoint(self, request: Request) -> dict[str, Any]:
        form = request.form()
        client_id, secret = self._client_credentials(request, form)
        if (client_id, secret) != (self.client_id, self.client_secret):
            raise _Reply(401, {"error": "invalid_client", "error_description": "Unauthorized"})
        grant_type = form.get("grant_type")
        if grant_type == "authorization_code":
            return self._exchange_code(form)
        if grant_type == "refresh_token":
            grant = self.grants.get(form.get("refresh_token", ""))
            if grant is None or grant.revoked:
                raise _Reply(
                    400,
                    {
                        "error": "invalid_grant",
                        "error_description": "Token has been expired or revoked.",
                    },
                )
            return {
                "access_token": self._new_access_token(grant),
                "expires_in": int(self.access_token_lifetime.total_seconds()),
                "scope": " ".join(sorted(grant.scopes)),
                "token_type": "Bearer",
                "id_token": self._id_token(grant.email),
            }
        raise _Reply(400, {"error": "unsupported_grant_type"})

    def _exchange_code(self, form: dict[str, str]) -> dict[str, Any]:
        code = self.codes.pop(form.get("code", ""), None)  # single use
        invalid = {"error": "invalid_grant", "error_description": "Bad Request"}
        if code is None or form.get("redirect_uri") != code["redirect_uri"]:
            raise _Reply(400, invalid)
        verifier = form.get("code_verifier", "")
        digest = hashlib.sha256(verifier.encode()).digest()
        if base64.urlsafe_b64encode(digest).rstrip(b"=").decode() != code["challenge"]:
            raise _Reply(
                400, {"error": "invalid_grant", "error_description": "Invalid code verifier."}
            )
        grant = Grant(code["email"], code["scopes"])
        body: dict[str, Any] = {
            "access_token": self._new_access_token(grant),
            "expires_in": int(self.access_token_lifetime.total_seconds()),
            "scope": " ".join(sorted(grant.scopes)),
            "token_type": "Bearer",
        }
        if "openid" in grant.scopes:
            body["id_token"] = self._id_token(grant.email, code["nonce"])
        if code["offline"]:
            refresh = f"1//fake-refresh-{secrets.token_urlsafe(16)}"
            self.grants[refresh] = grant
            body["refresh_token"] = refresh
        return body

    def _revoke_endpoint(self, request: Request) -> tuple[int, dict[str, Any], dict[str, str]]:
        token = request.form().get("token") or request.arg("token") or ""
        grant = self.grants.get(token)
        if grant is None and token in self.access_tokens:
            grant = self.access_tokens[token].grant
        if grant is None or grant.revoked:
            raise _Reply(400, {"error": "invalid_token", "error_description": "Bad Request"})
        grant.revoked = True
        return 200, {}, {}

    def _calendar_list(self, request: Request, bearer: str | None) -> dict[str, Any]:
        grant = self._authorize(request, bearer, "calendar.calendarList.list")
        items = []
        for calendar in self.calendars.values():
            if calendar.owner == grant.email or grant.email in calendar.shared_with:
                item = {
                    "kind": "calendar#calendarListEntry",
                    "id": calendar.id,
                    "summary": calendar.summary,
                    "accessRole": self._role(grant, calendar),
                    "timeZone": "Europe/Paris",
                }
                if calendar.primary and calendar.owner == grant.email:
                    item["primary"] = True
                items.append(item)
        return self._page(request, items, "calendar#calendarList", sync_token=None)

    def _page(
        self,
        request: Request,
        items: list[dict[str, Any]],
        kind: str,
        sync_token: str | None,
    ) -> dict[str, Any]:
        page_token = request.arg("pageToken")
        if page_token is not None:
            if page_token not in self.page_tokens:
                raise _fail(400, "invalid", "Invalid page token")
            items, sync_token = self.page_tokens.pop(page_token)
        size = int(request.arg("maxResults") or 250)
        body: dict[str, Any] = {"kind": kind, "items": items[:size]}
        if len(items) > size:
            token = secrets.token_urlsafe(8)
            self.page_tokens[token] = (items[size:], sync_token)
            body["nextPageToken"] = token
        elif sync_token is not None:
            body["nextSyncToken"] = sync_token
        return body

    def _free_busy(self, request: Request, bearer: str | None) -> dict[str, Any]:
        grant = self._authorize(request, bearer, "calendar.freebusy.query")
        body = request.json()
        items = body.get("items", [])
        if len(items) > MAX_FREEBUSY_ITEMS:
            raise _fail(400, "tooManyCalendarsRequested", "Too many calendars requested")
        start, end = parse_instant(body["timeMin"]), parse_instant(body["timeMax"])
        if end <= start:
            raise _fail(400, "timeRangeEmpty", "The specified time range is empty.")
        if end - start > MAX_FREEBUSY_RANGE:
            raise _fail(400, "timeRangeTooLong", "The requested time range is too long.")
        answer: dict[str, Any] = {}
        for item in items:
            calendar = self.calendars.get(item["id"])
            if calendar is None or (
                calendar.owner != grant.email and grant.email not in calendar.shared_with
            ):
                answer[item["id"]] = {
                    "errors": [{"domain": "global", "reason": "notFound"}],
                    "busy": [],
                }
                continue
            spans = []
            for event in calendar.events.values():
                if event["status"] == "cancelled" or event.get("transparency") == "transparent":
                    continue
                a, b = _event_bound(event["start"]), _event_bound(event["end"])
                if a < end and start < b:
                    spans.append((max(a, start), min(b, end)))
            merged: list[list[datetime]] = []
            for a, b in sorted(spans):
                if merged and a <= merged[-1][1]:
                    merged[-1][1] = max(merged[-1][1], b)
                else:
                    merged.append([a, b])
            answer[item["id"]] = {
                "busy": [{"start": rfc3339(a), "end": rfc3339(b)} for a, b in merged]
            }
        return {
            "kind": "calendar#freeBusy",
            "timeMin": rfc3339(start),
            "timeMax": rfc3339(end),
            "calendars": answer,
        }

    def _public(self, event: dict[str, Any]) -> dict[str, Any]:
        return {k: v for k, v in event.items() if not k.startswith("_")}

    def _conference_request(
        self, request: Request, event: dict[str, Any], data: dict[str, Any]
    ) -> None:
        """Google ignores conferenceData unless conferenceDataVersion=1, and ignores a create
        request whose requestId it has already seen for that event."""
        if request.arg("conferenceDataVersion") != "1":
            return
        create = data.get("createRequest")
        current = event.get("conferenceData", {}).get("createRequest", {})
        if not create or create.get("requestId") == current.get("requestId"):
            return
        key = create.get("conferenceSolutionKey", {}).get("type")
        if key != "hangoutsMeet":
            raise _fail(400, "invalid", "Invalid conference type value.")
        event["conferenceData"] = {
            "createRequest": {
                "requestId": create["requestId"],
                "conferenceSolutionKey": {"type": key},
                "status": {"statusCode": "pending"},
            }
        }
        event.pop("hangoutLink", None)
        event["_pending_reads"] = self.meet_pending_reads

    def _advance_conference(self, event: dict[str, Any]) -> None:
        if event.get("_pending_reads") is None:
            return
        event["_pending_reads"] -= 1
        if event["_pending_reads"] > 0:
            return
        del event["_pending_reads"]
        code = hashlib.sha256(event["id"].encode()).hexdigest()
        letters = "".join(chr(ord("a") + int(c, 16)) for c in code[:10])
        meet_code = f"{letters[:3]}-{letters[3:7]}-{letters[7:10]}"
        url = f"https://meet.google.com/{meet_code}"
        conference = event["conferenceData"]
        conference["createRequest"]["status"] = {"statusCode": "success"}
        conference["conferenceSolution"] = {"key": {"type": "hangoutsMeet"}, "name": "Google Meet"}
        conference["conferenceId"] = meet_code
        conference["entryPoints"] = [
            {"entryPointType": "video", "uri": url, "label": url[8:]},
        ]
        event["hangoutLink"] = url

    def _events_insert(
        self, request: Request, bearer: str | None, calendar_id: str
    ) -> dict[str, Any]:
        grant = self._authorize(request, bearer, "calendar.events.insert")
        calendar = self._calendar_for(grant, calendar_id)
        self._check_write(grant, calendar)
        body = request.json()
        event_id = body.get("id") or f"gen{next(self._ids):08d}"
        if not EVENT_ID.fullmatch(event_id):
            raise _fail(400, "invalid", "Invalid resource id value.")
        if event_id in calendar.events:
            raise _fail(409, "duplicate", "The requested identifier already exists.")
        for required in ("start", "end"):
            if required not in body:
                raise _fail(400, "required", f"Missing {required}.")
        event = {k: v for k, v in body.items() if k != "conferenceData"}
        event["id"] = event_id
        event.setdefault("status", "confirmed")
        event["_send_updates"] = request.arg("sendUpdates")
        self._conference_request(request, event, body.get("conferenceData", {}))
        return self._public(self._store(calendar, event))

    def _events_get(
        self, request: Request, bearer: str | None, calendar_id: str, event_id: str
    ) -> dict[str, Any]:
        grant = self._authorize(request, bearer, "calendar.events.get")
        calendar = self._calendar_for(grant, calendar_id)
        event = calendar.events.get(event_id)
        if event is None:
            raise _fail(404, "notFound", "Not Found")
        self._advance_conference(event)
        return self._public(event)

    def _events_patch(
        self, request: Request, bearer: str | None, calendar_id: str, event_id: str
    ) -> dict[str, Any]:
        grant = self._authorize(request, bearer, "calendar.events.patch")
        calendar = self._calendar_for(grant, calendar_id)
        self._check_write(grant, calendar)
        current = calendar.events.get(event_id)
        if current is None:
            raise _fail(404, "notFound", "Not Found")
        body = request.json()
        event = _merge(current, {k: v for k, v in body.items() if k != "conferenceData"})
        event["id"] = event_id
        event["sequence"] = int(current.get("sequence", 0)) + 1
        event["_send_updates"] = request.arg("sendUpdates")
        self._conference_request(request, event, body.get("conferenceData", {}))
        return self._public(self._store(calendar, event))

    def _events_delete(
        self, request: Request, bearer: str | None, calendar_id: str, event_id: str
    ) -> None:
        grant = self._authorize(request, bearer, "calendar.events.delete")
        calendar = self._calendar_for(grant, calendar_id)
        self._check_write(grant, calendar)
        event = calendar.events.get(event_id)
        if event is None:
            raise _fail(404, "notFound", "Not Found")
        if event["status"] == "cancelled":
            raise _fail(410, "deleted", "Resource has been deleted")
        self._store(
            calendar, dict(event, status="cancelled", _send_updates=request.arg("sendUpdates"))
        )
        return None

    def _events_list(
        self, request: Request, bearer: str | None, calendar_id: str
    ) -> dict[str, Any]:
        grant = self._authorize(request, bearer, "calendar.events.list")
        calendar = self._calendar_for(grant, calendar_id)
        if request.arg("pageToken") is not None:
            return self._page(request, [], "calendar#events", None)
        sync_token = request.arg("syncToken")
        if sync_token is not None:
            for forbidden in ("timeMin", "timeMax", "q", "orderBy", "updatedMin"):
                if request.arg(forbidden) is not None:
                    raise _fail(400, "invalid", f"{forbidden} cannot be used with syncToken")
            known = self.sync_tokens.get(sync_token)
            if known is None or known[0] != calendar_id:
                raise _fail(400, "invalid", "Invalid sync token value.")
            if known[1] < calendar.sync_floor:
                raise _fail(
                    410,
                    "fullSyncRequired",
                    "Sync token is no longer valid, a full sync is required.",
                )
            since = known[1]
            items = [self._public(e) for e in calendar.events.values() if e["_seq"] > since]
        else:
            show_deleted = request.arg("showDeleted") == "true"
            time_min = request.arg("timeMin")
            low = parse_instant(time_min) if time_min else None
            items = [
                self._public(e)
                for e in calendar.events.values()
                if (show_deleted or e["status"] != "cancelled")
                and (low is None or _event_bound(e["end"]) > low)
            ]
        token = f"fake-sync-{secrets.token_urlsafe(8)}"
        self.sync_tokens[token] = (calendar_id, calendar.seq)
        return self._page(request, items, "calendar#events", token)

    def _events_watch(
        self, request: Request, bearer: str | None, calendar_id: str
    ) -> dict[str, Any]:
        grant = self._authorize(request, bearer, "calendar.events.watch")
        calendar = self._calendar_for(grant, calendar_id)
        body = request.json()
        if body.get("type") not in ("web_hook", "webhook"):
            raise _fail(400, "invalid", "Invalid channel type")
        if not str(body.get("address", "")).startswith("https://"):
            raise _fail(400, "push.webhookUrlNotHttps", "WebHook callback must be HTTPS")
        if body["id"] in self.channels:
            raise _fail(400, "channelIdNotUnique", "Channel id not unique")
        ttl = int(body.get("params", {}).get("ttl", 604800))
        channel = Channel(
            id=body["id"],
            resource_id=f"res-{hashlib.sha256(calendar.id.encode()).hexdigest()[:16]}",
            calendar_id=calendar.id,
            address=body["address"],
            token=body.get("token"),
            expiration=datetime.now(UTC) + timedelta(seconds=min(ttl, 2_592_000)),
        )
        self.channels[channel.id] = channel
        answer = {
            "kind": "api#channel",
            "id": channel.id,
            "resourceId": channel.resource_id,
            "resourceUri": f"{self.base_url}/calendar/v3/calendars/{calendar.id}/events?alt=json",
            "expiration": str(int(channel.expiration.timestamp() * 1000)),
        }
        if channel.token is not None:
            answer["token"] = channel.token
        return answer

    def _channels_stop(self, request: Request, bearer: str | None) -> None:
        self._authorize(request, bearer, "calendar.channels.stop")
        body = request.json()
        channel = self.channels.get(body.get("id", ""))
        if channel is None or channel.resource_id != body.get("resourceId") or channel.stopped:
            raise _fail(404, "notFound", "Channel not found")
        channel.stopped = True
        return None


def _merge(current: dict[str, Any], patch: dict[str, Any]) -> dict[str, Any]:
    """Google's patch semantics: objects merge, everything else (arrays included) replaces."""
    merged = dict(current)
    for key, value in patch.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = _merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def _handler_for(fake: FakeGoogle) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: Any) -> None:
            return None

        def _handle(self) -> None:
            url = urlsplit(self.path)
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            request = Request(
                method=self.command,
                path=unquote(url.path),
                query=parse_qs(url.query),
                headers={k.lower(): v for k, v in self.headers.items()},
                body=body,
            )
            with fake.lock:
                fault = fake._take_fault(request.method, request.path)
                entry = LogEntry(request.method, request.path, request.query, 0)
                fake.log.append(entry)
                all_503 = fake.all_503
            if all_503:
                entry.status = 503
                self._reply(*google_error(503, "backendError", "Service Unavailable"))
                return
            if fault is not None:
                entry.status = fault.kind
                if fault.kind == "drop_before":
                    self.close_connection = True
                    return
                if fault.kind == "invalid_grant":
                    self._reply(
                        400,
                        {
                            "error": "invalid_grant",
                            "error_description": "Token has been expired or revoked.",
                        },
                    )
                    return
                if isinstance(fault.kind, int):
                    reason = fault.reason or _FAULT_REASONS.get(fault.kind, "error")
                    self._reply(*google_error(fault.kind, reason))
                    return
            status, payload, headers = fake.route(request)
            if status == 200 and payload is None:
                status = 204  # Google answers delete and channels.stop with an empty 204
            if entry.status == 0:
                entry.status = status
            if fault is not None and fault.kind == "drop":
                # The request took effect, and its answer is lost on the way back.
                self.close_connection = True
                return
            if fault is not None and fault.kind == "hang":
                fake.release.wait(timeout=10)
                self.close_connection = True
                return
            self._reply(status, payload, headers)

        def _reply(
            self, status: int, payload: dict[str, Any] | None, headers: dict[str, str] | None = None
        ) -> None:
            data = b"" if payload is None or status == 204 else json.dumps(payload).encode()
            self.send_response(status)
            for name, value in (headers or {}).items():
                self.send_header(name, value)
            if data:
                self.send_header("Content-Type", "application/json; charset=UTF-8")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            if data:
                self.wfile.write(data)

        do_GET = do_POST = do_PATCH = do_DELETE = do_PUT = _handle

    return Handler


@contextmanager
def running_fake() -> Iterator[FakeGoogle]:
    """A started fake, stopped on the way out (even when the body fails)."""
    fake = FakeGoogle().start()
    try:
        yield fake
    finally:
        fake.stop()
