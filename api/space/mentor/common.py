"""What the mentor space's pages share: who is signed in, the navigation, the flash messages
and the page frame."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from litestar import Request, Response
from sqlalchemy.ext.asyncio import AsyncSession

from api.space import forms
from api.space.forms import tr
from api.space.web import Web, language
from api.space.zones import ZoneGroup, zone_groups
from scheduler.calendar import CalendarService, ConnectionStatus
from scheduler.catalog import MentorRecord
from scheduler.identity import invitations

FLASH = {
    "saved": ("Enregistré.", "Saved."),
    "cancelled": (
        "Le rendez-vous est annulé ; le visiteur est prévenu par email.",
        "The booking is cancelled; the visitor is told by email.",
    ),
    "no_show": ("Absence enregistrée.", "No-show recorded."),
    "reported": (
        "Merci : l'équipe Thotis va regarder ce rendez-vous.",
        "Thank you: the Thotis team will look into this booking.",
    ),
    "welcome": (
        "Bienvenue ! Ajoutez vos horaires : les visiteurs voient vos créneaux dès maintenant.",
        "Welcome! Add your hours: visitors see your slots from now on.",
    ),
    "paused": (
        "Vous êtes en pause : plus aucun créneau n'est proposé.",
        "You are paused: no slot is offered any more.",
    ),
    "resumed": ("Vos créneaux sont de nouveau proposés.", "Your slots are offered again."),
    "connected": ("Google Agenda est connecté.", "Google Calendar is connected."),
    "disconnected": ("Google Agenda est déconnecté.", "Google Calendar is disconnected."),
}


def timezone_groups(request: Request[Any, Any, Any], current: str) -> list[ZoneGroup]:
    """The time-zone selector's groups: the short list in the reader's language, and every
    zone when they asked for another one (``?zones=all``)."""
    now: datetime = request.app.state.clock()
    every_zone = request.query_params.get("zones") == "all"
    return zone_groups(language(request), now, current, every_zone=every_zone)


def me(request: Request[Any, Any, Any]) -> UUID:
    mentor_id: UUID | None = request.state.space.mentor_id
    assert mentor_id is not None
    return mentor_id


def flash(request: Request[Any, Any, Any]) -> str | None:
    found = FLASH.get(request.query_params.get("ok") or "")
    return tr(language(request), *found) if found else None


def nav(lang: str) -> list[tuple[str, str]]:
    return [
        ("/mentor", tr(lang, "Rendez-vous", "Bookings")),
        ("/mentor/availability", tr(lang, "Disponibilités", "Availability")),
        ("/mentor/calendar", tr(lang, "Agenda Google", "Google Calendar")),
        ("/mentor/settings", tr(lang, "Profil et préférences", "Profile and settings")),
        ("/mentor/impact", tr(lang, "Mon impact", "My impact")),
    ]


def page(
    web: Web,
    request: Request[Any, Any, Any],
    template: str,
    mentor: MentorRecord,
    *,
    http_status: int = 200,
    **context: Any,
) -> Response[str]:
    lang = language(request)
    context.setdefault("flash", flash(request))
    return web.render(
        request,
        template,
        http_status=http_status,
        nav=nav(lang),
        mentor=mentor,
        tz=mentor.timezone,
        weekdays=forms.WEEKDAYS_EN if lang == "en" else forms.WEEKDAYS_FR,
        **context,
    )


async def calendar_status(
    service: CalendarService | None, mentor_id: UUID
) -> ConnectionStatus | None:
    return None if service is None else await service.status(mentor_id)


async def not_onboarded(
    web: Web,
    request: Request[Any, Any, Any],
    session: AsyncSession,
    step: str,
    *,
    keep_query: bool = False,
) -> Response[str] | None:
    """For a mentor who has not finished onboarding, the way to its ``step`` instead of the
    page asked for (with the query, when it carries an answer the step shows); else None."""
    state = await invitations.space_state(session, me(request))
    if state.onboarded_at is not None:
        return None
    query = f"?{request.url.query}" if keep_query and request.url.query else ""
    return web.redirect(f"/mentor/onboarding/{step}{query}")
