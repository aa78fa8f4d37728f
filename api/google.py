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
import html
import logging
from datetime import datetime
from typing import Annotated, Any
from uuid import UUID

import msgspec
from litestar import Controller, Request, Response, delete, get, post, put
from litestar.datastructures import Cookie
from litestar.di import NamedDependency, Provide
from litestar.params import QueryParameter

from api.auth import MENTOR_SCHEME, Me, mentor_guard, provide_mentor_id
from api.deps import AppSettings, Session
from integrations.google import (
    AuthorizationFailed,
    ScopesNotGranted,
    finish_authorization,
    parse_notification,
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


def _redirect_uri(settings: Settings) -> str:
    return f"{settings.http.public_url.rstrip('/')}{CALLBACK_PATH}"


def _connect_cookie(settings: Settings, state: str, max_age: int) -> Cookie:
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


def _bound(request: Request[Any, Any, Any], state: str) -> bool:
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
            settings.google, _redirect_uri(settings), login_hint=mentor.email
        )
        await calendar.remember_state(me, request.state, request.code_verifier)
        return Response(
            AuthorizationUrl(request.url),
            cookies=[_connect_cookie(settings, request.state, CONNECT_COOKIE_SECONDS)],
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

_PAGE = """<!doctype html>
<html lang="fr"><head><meta charset="utf-8"><meta name="viewport"
content="width=device-width, initial-scale=1"><title>Thotis · Google Agenda</title></head>
<body style="font-family: system-ui, sans-serif; max-width: 36rem; margin: 3rem auto;
padding: 0 1rem"><h1>{title_fr}</h1><p>{body_fr}</p><hr><h2 lang="en">{title_en}</h2>
<p lang="en">{body_en}</p></body></html>"""


def _page(
    status: int,
    title: tuple[str, str],
    body: tuple[str, str],
    cookies: list[Cookie] | None = None,
) -> Response[str]:
    text = _PAGE.format(
        title_fr=html.escape(title[0]),
        body_fr=html.escape(body[0]),
        title_en=html.escape(title[1]),
        body_en=html.escape(body[1]),
    )
    return Response(
        text,
        status_code=status,
        media_type="text/html",
        headers={"Cache-Control": "no-store"},
        cookies=cookies,
    )


_FAILED = ("La connexion à Google Agenda a échoué", "Connecting Google Calendar failed")
_RETRY = (
    "Revenez à votre espace mentor et relancez la connexion.",
    "Go back to your mentor space and start the connection again.",
)


class GoogleController(Controller):
    path = "/v1/google"
    tags = ["google"]
    include_in_schema = True

    # The callback (a browser redirect) and the notifications (Google's webhook) are not part of
    # the JSON API that Thotis's site calls, so they stay out of its OpenAPI document.
    @get("/callback", summary="Where Google sends the mentor back (OAuth)", include_in_schema=False)
    async def callback(
        self,
        request: Request[Any, Any, Any],
        settings: AppSettings,
        calendar_service: MaybeCalendar,
        oauth_state: Annotated[str | None, QueryParameter(name="state", max_length=200)] = None,
        code: Annotated[str | None, QueryParameter(name="code", max_length=2000)] = None,
        error: Annotated[str | None, QueryParameter(name="error", max_length=200)] = None,
    ) -> Response[str]:
        service = calendar_service
        if service is None:
            return _page(503, _FAILED, ("Google Agenda n'est pas configuré.", "Not configured."))
        # Checked before the state is taken: a browser that did not ask for this connection
        # neither completes it nor spoils it for the mentor who did.
        bound = oauth_state is not None and _bound(request, oauth_state)
        pending = await service.take_state(oauth_state) if bound and oauth_state else None
        if pending is None:
            if oauth_state and not bound:
                log.info("google callback refused: not the browser that started the connection")
            return _page(
                400,
                (
                    "Lien expiré, déjà utilisé ou ouvert dans un autre navigateur",
                    "Link expired, already used or opened in another browser",
                ),
                _RETRY,
            )
        mentor_id, verifier = pending
        # The state is spent: the binding goes with it, whatever the outcome.
        clear = [_connect_cookie(settings, "", 0)]
        if error or not code:
            return _page(
                400,
                ("Connexion annulée", "Connection cancelled"),
                (
                    "Google n'a pas donné l'accès. " + _RETRY[0],
                    "Google did not grant access. " + _RETRY[1],
                ),
                cookies=clear,
            )
        redirect_uri = _redirect_uri(settings)
        response_url = f"{redirect_uri}?{request.url.query}"
        try:
            tokens, email = await finish_authorization(
                settings.google, redirect_uri, oauth_state or "", verifier, response_url
            )
        except ScopesNotGranted:
            return _page(
                400,
                _FAILED,
                (
                    "Cochez toutes les autorisations demandées (disponibilités, événements, "
                    "liste des agendas). " + _RETRY[0],
                    "Tick every permission asked (free/busy, events, calendar list). " + _RETRY[1],
                ),
                cookies=clear,
            )
        except AuthorizationFailed as failure:
            log.info("google connect of mentor %s failed: %s", mentor_id, failure)
            return _page(400, _FAILED, _RETRY, cookies=clear)
        except CalendarUnavailable:
            return _page(
                503,
                _FAILED,
                ("Google ne répond pas. " + _RETRY[0], "Google does not answer. " + _RETRY[1]),
                cookies=clear,
            )
        await service.connect(mentor_id, tokens, email)
        log.info("mentor %s connected Google Calendar", mentor_id)
        return _page(
            200,
            ("Google Agenda est connecté", "Google Calendar is connected"),
            (
                f"Compte : {email}. Vos rendez-vous Thotis apparaîtront dans votre agenda, "
                "avec un lien Google Meet. Vous pouvez fermer cette page.",
                f"Account: {email}. Your Thotis meetings will appear in your calendar, with a "
                "Google Meet link. You can close this page.",
            ),
            cookies=clear,
        )

    @post(
        "/notifications",
        summary="Google's push notifications (watch channels)",
        status_code=200,
        include_in_schema=False,
    )
    async def notifications(
        self, request: Request[Any, Any, Any], calendar_service: MaybeCalendar
    ) -> Response[str]:
        service = calendar_service
        notification = parse_notification(dict(request.headers))
        if service is None or notification is None:
            return Response("", status_code=400, media_type="text/plain")
        known = await service.note_push(
            notification.channel_id, notification.resource_id, notification.token
        )
        # Google only needs a 2xx quickly; the sync runs in the worker.
        return Response("", status_code=200 if known else 404, media_type="text/plain")
