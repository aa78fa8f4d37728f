"""Google Calendar routes: a mentor connects their account, chooses calendars, sees the state of
the connection; Google calls back (OAuth) and notifies (push).

``/v1/me/google/...`` acts on the mentor of the bearer token (``api.auth.mentor_guard``). The
OAuth callback is reached by the mentor's browser coming back from Google, without the bearer
token: the single-use ``state`` stored at ``connect`` names the mentor. It answers with a small
HTML page (French first), since a person reads it.

The state alone is not enough (RFC 6749 §10.12): a mentor could hand the consent link to someone
else, whose calendar would then be attached to the mentor's account (and the mentor would read
their free/busy time and write into their calendar). So ``connect`` also sets a cookie holding
the state, scoped to the callback's path, and the callback attaches a calendar only for the user
agent that carries it — the one that asked for the link. Without it (or with another state's),
the state is left untouched, so the mentor's own browser can still finish. The mentor space has
its own flow, bound the same way by its sign-in cookie (``api.space``); this one completes only
in a browser that called ``connect`` itself (same site: the API shares no cookies across sites).

The calendar service lives in the app's state, built on first use from the settings (a test
may put its own ``calendar_provider`` there first: the same adapter, pointed at a fake Google).
"""

from __future__ import annotations

import hmac
import logging
from datetime import datetime
from typing import Any
from uuid import UUID

import msgspec
from litestar import Controller, Request, Response, delete, get, post, put
from litestar.datastructures import Cookie
from litestar.di import NamedDependency, Provide

from api.auth import MENTOR_SCHEME, Me, mentor_guard, provide_mentor_id
from api.deps import AppSettings, Session
from integrations.google import (
    start_authorization,
)
from scheduler.calendar import CalendarService, CalendarUnavailable, ConnectionStatus
from scheduler.catalog import get_mentor
from scheduler.platform import ReconnectRequired, SchedulingError, Settings

log = logging.getLogger("thotis.api.google")

CALLBACK_PATH = "/v1/google/callback"
# Binds a connection to the browser that started it (see the module docstring). As long as the
# state lives (scheduler.calendar keeps it 15 minutes).
CONNECT_COOKIE = "thotis_google_connect"
CONNECT_COOKIE_SECONDS = 900


class GoogleNotConfigured(SchedulingError):
    code, status = "google_not_configured", 503


class GoogleUnavailable(SchedulingError):
    code, status = "google_unavailable", 503


class GoogleReconnectRequired(SchedulingError):
    code, status = "reconnect_required", 409


# --- the service, built once by create_app from the parts and provided as a dependency -----


# The service as create_app provides it under the name ``calendar_service``.
MaybeCalendar = NamedDependency[CalendarService | None]


def provide_busy_check(calendar_service: MaybeCalendar) -> CalendarService | None:
    """For the booking routes: fresh busy time of the mentor being booked (None: cache only)."""
    return calendar_service


def provide_calendar(calendar_service: MaybeCalendar) -> CalendarService:
    if calendar_service is None:
        raise GoogleNotConfigured("Google Calendar is not configured on this deployment")
    return calendar_service


# Typed by the class, not the ``BusyCheck`` Protocol: Litestar validates dependency values and
# cannot check a Protocol (the service is the BusyCheck; ``book()`` takes it as one).
BusyChecker = NamedDependency[CalendarService | None]
Calendars = NamedDependency[CalendarService]


def callback_url(settings: Settings) -> str:
    return f"{settings.http.public_url.rstrip('/')}{CALLBACK_PATH}"


def connect_cookie(settings: Settings, state: str, max_age: int) -> Cookie:
    # Lax: sent on Google's redirect back (a top-level navigation), never on a cross-site
    # request. HttpOnly: no script of any page reads it.
    return Cookie(
        key=CONNECT_COOKIE,
        value=state,
        path=CALLBACK_PATH,
        max_age=max_age,
        httponly=True,
        secure=settings.http.public_url.startswith("https://"),
        samesite="lax",
    )


def bound_to_browser(request: Request[Any, Any, Any], state: str) -> bool:
    """Whether this user agent is the one that asked for ``state`` (constant-time)."""
    cookie = request.cookies.get(CONNECT_COOKIE) or ""
    return bool(state) and hmac.compare_digest(cookie.encode(), state.encode())


# --- schemas ---------------------------------------------------------------------------------


class AuthorizationUrl(msgspec.Struct):
    authorization_url: str


class CalendarOut(msgspec.Struct):
    id: str
    summary: str
    primary: bool
    access_role: str
    can_receive_events: bool
    busy: bool  # counts as busy time
    events: bool  # receives the booking events


class CalendarsOut(msgspec.Struct):
    calendars: list[CalendarOut]


class CalendarChoice(msgspec.Struct, forbid_unknown_fields=True):
    busy: list[str]
    events: str | None = None


class WarningOut(msgspec.Struct):
    id: int
    kind: str
    booking_id: UUID | None
    detail: str | None
    at: datetime


class StatusOut(msgspec.Struct):
    connected: bool
    email: str | None
    status: str | None
    busy_calendar_ids: list[str]
    events_calendar_id: str | None
    busy_fetched_at: datetime | None
    stale: bool
    last_error: str | None
    warnings: list[WarningOut]


def _status_out(status: ConnectionStatus) -> StatusOut:
    return StatusOut(
        connected=status.connected,
        email=status.email,
        status=status.status,
        busy_calendar_ids=list(status.busy_calendar_ids),
        events_calendar_id=status.events_calendar_id,
        busy_fetched_at=status.busy_fetched_at,
        stale=status.stale,
        last_error=status.last_error,
        warnings=[WarningOut(w.id, w.kind, w.booking_id, w.detail, w.at) for w in status.warnings],
    )


async def _google(call: Any) -> Any:
    """Await a service call that reaches Google; its failures as problem JSON."""
    try:
        return await call
    except CalendarUnavailable as error:
        raise GoogleUnavailable("Google Calendar does not answer; try again shortly") from error
    except ReconnectRequired as error:
        raise GoogleReconnectRequired(
            "the Google authorisation was revoked or expired: connect again"
        ) from error


# --- the mentor's routes ---------------------------------------------------------------------


class MentorGoogleController(Controller):
    path = "/v1/me/google"
    tags = ["mentor", "google"]
    guards = [mentor_guard]
    dependencies = {
        "me": Provide(provide_mentor_id, sync_to_thread=False),
        "calendar": Provide(provide_calendar, sync_to_thread=False),
    }
    security = [{MENTOR_SCHEME: []}]

    @get(
        "/connect",
        summary="Start connecting my Google Calendar",
        description=(
            "Le lien Google ne vaut que dans ce navigateur : la réponse pose un cookie que le "
            "retour de Google doit présenter. / The Google link only works in this browser: "
            "the response sets a cookie that Google's redirect back must carry."
        ),
    )
    async def connect(
        self, session: Session, settings: AppSettings, me: Me, calendar: Calendars
    ) -> Response[AuthorizationUrl]:
        mentor = await get_mentor(session, me)
        request = start_authorization(
            settings.google, callback_url(settings), login_hint=mentor.email
        )
        await calendar.remember_state(me, request.state, request.code_verifier)
        return Response(
            AuthorizationUrl(request.url),
            cookies=[connect_cookie(settings, request.state, CONNECT_COOKIE_SECONDS)],
            headers={"Cache-Control": "no-store"},
        )

    @get("/status", summary="My Google Calendar connection and its warnings")
    async def status(self, me: Me, calendar: Calendars) -> StatusOut:
        return _status_out(await calendar.status(me))

    @get("/calendars", summary="My Google calendars, and which ones are used")
    async def calendars(self, me: Me, calendar: Calendars) -> CalendarsOut:
        found = await _google(calendar.list_calendars(me))
        current = await calendar.status(me)
        return CalendarsOut(
            [
                CalendarOut(
                    id=c.id,
                    summary=c.summary,
                    primary=c.primary,
                    access_role=c.access_role,
                    can_receive_events=c.can_receive_events,
                    busy=c.id in current.busy_calendar_ids,
                    events=c.id == current.events_calendar_id,
                )
                for c in found
            ]
        )

    @put("/calendars", summary="Choose the busy calendars and the one receiving bookings")
    async def choose(self, me: Me, calendar: Calendars, data: CalendarChoice) -> StatusOut:
        await _google(calendar.choose_calendars(me, data.busy, data.events))
        return _status_out(await calendar.status(me))

    @delete("", summary="Disconnect Google Calendar (revokes the access)", status_code=204)
    async def disconnect(self, me: Me, calendar: Calendars) -> None:
        await calendar.disconnect(me)

    @post(
        "/warnings/{warning_id:int}/resolve",
        summary="Dismiss a calendar warning",
        status_code=204,
    )
    async def resolve(self, me: Me, calendar: Calendars, warning_id: int) -> None:
        await calendar.resolve_warning(me, warning_id)


# --- Google's calls --------------------------------------------------------------------------
