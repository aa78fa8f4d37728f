"""The mentors list (searchable by name) with their connection health, a page per mentor, and
switching a mentor on or off (active: may sign in and be booked; visible: offered to
visitors)."""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

from litestar import Controller, Request, Response, get, post
from sqlalchemy.ext.asyncio import AsyncSession

from api.deps import Now, Session
from api.space.deps import Pages
from api.space.forms import tr
from api.space.staff.common import actor, page
from api.space.staff.moderation import audit_sentences
from api.space.staff.tables import csv_response, sorted_page, table_view
from api.space.web import Web, language
from scheduler import booking, catalog
from scheduler.booking import BookingStatus
from scheduler.identity import list_mentor_tokens
from scheduler.platform import NotFound
from scheduler.staff import insights, trail

# What the mentor's page lists of each side of now: enough to answer "how is this mentor
# doing", without loading years of bookings.
BOOKINGS_SHOWN = 20
BOOKINGS_SPAN = timedelta(days=366)
SEARCH_MAX = 100


def folded(text: str) -> str:
    """Lower case without accents: « helene » finds « Hélène »."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def matches(health: insights.MentorHealth, query: str) -> bool:
    mentor = health.mentor
    return query in folded(mentor.display_name) or query in folded(mentor.email)


async def mentors_page(
    web: Web,
    request: Request[Any, Any, Any],
    session: AsyncSession,
    *,
    http_status: int = 200,
    errors: dict[str, str] | None = None,
    values: Any = None,
) -> Response[str]:
    # A few hundred mentors at most: filtering the one health query's rows here keeps that
    # query the only one, and the search accent-blind without an extension in PostgreSQL.
    search = (request.query_params.get("q") or "").strip()[:SEARCH_MAX]
    health = await insights.mentor_health(session)
    if search:
        health = [h for h in health if matches(h, folded(search))]
    view = table_view(request, "/staff", MENTOR_SORTS, "name", len(health), keep=("q",))
    shown = sorted_page(health, view, MENTOR_SORTS)
    filiere_list = await catalog.list_filieres(session)
    return page(
        web,
        request,
        "staff/mentors.html",
        http_status=http_status,
        health=shown,
        view=view,
        search=search,
        filiere_list=filiere_list,
        filiere_names={f.slug: f for f in filiere_list},
        errors=errors or {},
        values=values,
    )


_EPOCH = datetime.min.replace(tzinfo=UTC)
MENTOR_SORTS: dict[str, Callable[[insights.MentorHealth], Any]] = {
    "name": lambda h: folded(h.mentor.display_name),
    "google": lambda h: (h.connection or "", h.stale),
    "space": lambda h: h.last_sign_in_at or h.invited_at or _EPOCH,
    "state": lambda h: (h.mentor.active, not h.mentor.paused),
}


def back_to(form: Any, mentor_id: UUID) -> str:
    """Where a switch goes back to: the mentor's page when it was used there, else the list."""
    own = f"/staff/mentors/{mentor_id}"
    return f"{own}?ok=saved" if form.get("back") == own else f"/staff?ok=saved#m-{mentor_id}"


class StaffMentorsController(Controller):
    path = "/"

    @get("/")
    async def mentors(
        self, request: Request[Any, Any, Any], session: Session, web: Pages
    ) -> Response[str]:
        return await mentors_page(web, request, session)

    @get("/mentors.csv")
    async def mentors_csv(self, session: Session) -> Response[bytes]:
        health = sorted(await insights.mentor_health(session), key=MENTOR_SORTS["name"])
        return csv_response(
            [
                "name",
                "email",
                "filieres",
                "active",
                "hidden",
                "google",
                "last_sign_in",
                "invited",
                "onboarded",
            ],
            (
                [
                    h.mentor.display_name,
                    h.mentor.email,
                    " ".join(h.mentor.filieres),
                    h.mentor.active,
                    h.mentor.paused,
                    h.connection or "",
                    h.last_sign_in_at,
                    h.invited_at,
                    h.onboarded_at,
                ]
                for h in health
            ),
            "mentors-thotis.csv",
        )

    @get("/mentors/{mentor_id:uuid}")
    async def mentor(
        self,
        request: Request[Any, Any, Any],
        session: Session,
        now: Now,
        web: Pages,
        mentor_id: UUID,
    ) -> Response[str]:
        health = next(
            (h for h in await insights.mentor_health(session) if h.mentor.id == mentor_id), None
        )
        if health is None:
            raise NotFound("no such mentor")
        statuses = list(BookingStatus)
        upcoming = await booking.list_mentor_bookings(
            session,
            mentor_id,
            now,
            now + BOOKINGS_SPAN,
            statuses,
            limit=BOOKINGS_SHOWN,
            ends_after=now,
        )
        past = await booking.list_mentor_bookings(
            session,
            mentor_id,
            now - BOOKINGS_SPAN,
            now,
            statuses,
            limit=BOOKINGS_SHOWN,
            newest_first=True,
        )
        filiere_list = await catalog.list_filieres(session)
        lines = await trail.mentor_trail(session, mentor_id)
        return page(
            web,
            request,
            "staff/mentor.html",
            h=health,
            m=health.mentor,
            upcoming=upcoming,
            past=past,
            tokens=await list_mentor_tokens(session, mentor_id),
            filiere_names={f.slug: f for f in filiere_list},
            filiere_ids={f.id: f for f in filiere_list},
            activity=await audit_sentences(session, lines, language(request)),
            now=now,
            tz=health.mentor.timezone,
        )

    @get("/mentors/{mentor_id:uuid}/deactivate")
    async def confirm_deactivate(
        self, request: Request[Any, Any, Any], session: Session, web: Pages, mentor_id: UUID
    ) -> Response[str]:
        mentor = await catalog.get_mentor(session, mentor_id)
        lang = language(request)
        return page(
            web,
            request,
            "staff/confirm.html",
            heading=tr(
                lang, f"Désactiver {mentor.display_name} ?", f"Deactivate {mentor.display_name}?"
            ),
            message=tr(
                lang,
                "Ce mentor ne pourra plus se connecter ni être réservé, et ses jetons d'API ne "
                "fonctionneront plus. Ses rendez-vous déjà pris restent. Vous pourrez le "
                "réactiver.",
                "This mentor can no longer sign in nor be booked, and their API tokens stop "
                "working. Bookings already made stay. You can reactivate them.",
            ),
            action=f"/staff/mentors/{mentor_id}/active",
            confirm=tr(lang, "Désactiver", "Deactivate"),
            back=f"/staff/mentors/{mentor_id}",
        )

    @post("/mentors/{mentor_id:uuid}/active")
    async def set_active(
        self, request: Request[Any, Any, Any], session: Session, web: Pages, mentor_id: UUID
    ) -> Response[str]:
        form = await request.form()
        await catalog.set_mentor_active(
            session, mentor_id, form.get("active") == "1", actor(request)
        )
        return web.redirect(back_to(form, mentor_id))

    @post("/mentors/{mentor_id:uuid}/visible")
    async def set_visible(
        self, request: Request[Any, Any, Any], session: Session, web: Pages, mentor_id: UUID
    ) -> Response[str]:
        form = await request.form()
        paused = form.get("visible") != "1"
        await catalog.update_mentor(
            session, mentor_id, catalog.MentorChanges(paused=paused), actor(request)
        )
        return web.redirect(back_to(form, mentor_id))
