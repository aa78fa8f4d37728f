"""The mentor's Google Calendar connection: its status, connecting (the OAuth round trip ends
at the sign-in callback, ``/auth/google/callback``), choosing calendars, disconnecting, and the
warnings the sync leaves."""

from __future__ import annotations

import contextlib
from typing import Any
from uuid import UUID

from litestar import Controller, Request, Response, get, post

from api.deps import Session
from api.space import forms
from api.space.auth.common import redirect_uri
from api.space.deps import MaybeCalendar, Pages
from api.space.forms import tr
from api.space.mentor.common import calendar_status, me, page
from api.space.web import BIND_COOKIE, BIND_PATH, language
from integrations.google import start_authorization
from scheduler import catalog
from scheduler.calendar import CalendarService, CalendarUnavailable, ConnectionState
from scheduler.identity import invitations
from scheduler.platform import (
    NotFound,
    PermanentDeliveryError,
    ReconnectRequired,
    ValidationFailed,
)

GOOGLE_MESSAGES = {
    "cancelled": ("Connexion à Google annulée.", "Google connection cancelled."),
    "scopes": (
        "Cochez toutes les autorisations demandées (disponibilités, événements, liste des agendas).",
        "Tick every permission asked (free/busy, events, calendar list).",
    ),
    "failed": (
        "La connexion à Google Agenda a échoué. Réessayez.",
        "Connecting Google Calendar failed. Try again.",
    ),
    "unavailable": (
        "Google ne répond pas. Réessayez dans un instant.",
        "Google does not answer. Try again shortly.",
    ),
    "expired": (
        "Ce retour de Google a expiré. Relancez la connexion.",
        "This answer from Google has expired. Start again.",
    ),
}


async def calendar_context(
    request: Request[Any, Any, Any], service: CalendarService | None, mentor_id: UUID
) -> dict[str, Any]:
    """What the calendar page (and the onboarding's calendar step) shows."""
    lang = language(request)
    status = await calendar_status(service, mentor_id)
    calendars: list[Any] = []
    problem = None
    if (
        service is not None
        and status is not None
        and status.connected
        and status.status == ConnectionState.ACTIVE
    ):
        try:
            calendars = list(await service.list_calendars(mentor_id))
        except ReconnectRequired:
            status = await service.status(mentor_id)
        except (CalendarUnavailable, PermanentDeliveryError):
            problem = tr(lang, *GOOGLE_MESSAGES["unavailable"])
    google = request.query_params.get("google")
    message = GOOGLE_MESSAGES.get(google or "")
    return {
        "configured": service is not None,
        "status": status,
        "calendars": calendars,
        "google_problem": problem or (tr(lang, *message) if message else None),
        "google_connected": google == "connected",
    }


class MentorCalendarController(Controller):
    path = "/calendar"

    @get("/")
    async def calendar_page(
        self,
        request: Request[Any, Any, Any],
        session: Session,
        web: Pages,
        calendar_service: MaybeCalendar,
    ) -> Response[str]:
        mentor_id = me(request)
        state = await invitations.space_state(session, mentor_id)
        if state.onboarded_at is None:
            query = f"?{request.url.query}" if request.url.query else ""
            return web.redirect(f"/mentor/onboarding/calendar{query}")
        mentor = await catalog.get_mentor(session, mentor_id)
        context = await calendar_context(request, calendar_service, mentor_id)
        return page(web, request, "mentor/calendar.html", mentor, **context)

    @get("/connect")
    async def calendar_connect(
        self,
        request: Request[Any, Any, Any],
        session: Session,
        web: Pages,
        calendar_service: MaybeCalendar,
    ) -> Response[str]:
        mentor_id = me(request)
        if calendar_service is None:
            return web.redirect("/mentor/calendar?google=failed")
        mentor = await catalog.get_mentor(session, mentor_id)
        # The one callback both flows share: sign-in and the calendar connection.
        started = start_authorization(
            web.settings.google, redirect_uri(web), login_hint=mentor.email
        )
        await calendar_service.remember_state(mentor_id, started.state, started.code_verifier)
        bind = web.cookie(BIND_COOKIE, started.state, BIND_PATH, max_age=900)
        return web.redirect(started.url, [bind])

    @post("/choose")
    async def calendar_choose(
        self, request: Request[Any, Any, Any], web: Pages, calendar_service: MaybeCalendar
    ) -> Response[str]:
        mentor_id = me(request)
        form = await request.form()
        back = (
            "/mentor/onboarding/calendar"
            if form.get("then") == "onboarding"
            else "/mentor/calendar"
        )
        if calendar_service is None:
            return web.redirect(back)
        busy = [str(v) for v in form.getall("busy", [])]
        events = forms.field(form, "events", 300) or None
        try:
            await calendar_service.choose_calendars(mentor_id, busy, events)
        except (ValidationFailed, NotFound):
            return web.redirect(f"{back}?google=failed")
        except (CalendarUnavailable, PermanentDeliveryError):
            return web.redirect(f"{back}?google=unavailable")
        except ReconnectRequired:
            return web.redirect(back)
        return web.redirect(
            f"{back}?ok=saved" if back == "/mentor/calendar" else back + "?google=saved"
        )

    @post("/disconnect")
    async def calendar_disconnect(
        self, request: Request[Any, Any, Any], web: Pages, calendar_service: MaybeCalendar
    ) -> Response[str]:
        if calendar_service is not None:
            with contextlib.suppress(NotFound):  # already disconnected
                await calendar_service.disconnect(me(request))
        return web.redirect("/mentor/calendar?ok=disconnected")

    @post("/warnings/{warning_id:int}/resolve")
    async def resolve_warning(
        self,
        request: Request[Any, Any, Any],
        web: Pages,
        calendar_service: MaybeCalendar,
        warning_id: int,
    ) -> Response[str]:
        if calendar_service is not None:
            await calendar_service.resolve_warning(me(request), warning_id)
        return web.redirect("/mentor")
