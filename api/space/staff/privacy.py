"""« Données personnelles »: a visitor's request answered by the team (GDPR arts. 15–17).
Enter the address, see what is held, then download it as JSON or erase it behind a
confirmation page. The address travels in POST bodies only (never in a URL, so never in an
access log), and the trail records counts, never the address."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from litestar import Controller, Request, Response, get, post
from sqlalchemy.ext.asyncio import AsyncSession

from api.deps import Now, Session
from api.space import forms
from api.space.deps import Pages
from api.space.forms import tr
from api.space.staff.common import actor, page
from api.space.web import Web, error_text, language
from scheduler.platform import SchedulingError
from scheduler.staff import privacy


async def privacy_page(
    web: Web,
    request: Request[Any, Any, Any],
    session: AsyncSession,
    now: datetime,
    email: str = "",
    *,
    http_status: int = 200,
) -> Response[str]:
    held = error = None
    if email:
        try:
            held = await privacy.find(session, email, now)
        except SchedulingError as problem:
            error, http_status = error_text(problem, language(request)), 422
    return page(
        web,
        request,
        "staff/privacy.html",
        http_status=http_status,
        email=email,
        held=held,
        error=error,
    )


class PrivacyController(Controller):
    path = "/privacy"

    @get("/")
    async def privacy_home(
        self, request: Request[Any, Any, Any], session: Session, now: Now, web: Pages
    ) -> Response[str]:
        return await privacy_page(web, request, session, now)

    @post("/")
    async def look_up(
        self, request: Request[Any, Any, Any], session: Session, now: Now, web: Pages
    ) -> Response[str]:
        email = forms.field(await request.form(), "email", 320).strip()
        return await privacy_page(web, request, session, now, email)

    @post("/export")
    async def export(
        self, request: Request[Any, Any, Any], session: Session, now: Now, web: Pages
    ) -> Response[Any]:
        email = forms.field(await request.form(), "email", 320).strip()
        try:
            exported = await privacy.export(session, email, now, actor(request))
        except SchedulingError:
            return await privacy_page(web, request, session, now, email)
        body = json.dumps(exported, ensure_ascii=False, indent=2).encode()
        return Response(
            body,
            media_type="application/json",
            headers={
                "Content-Disposition": 'attachment; filename="donnees-visiteur-thotis.json"',
                "Cache-Control": "no-store",
            },
        )

    @post("/erase-confirm")
    async def erase_confirm(
        self, request: Request[Any, Any, Any], session: Session, now: Now, web: Pages
    ) -> Response[str]:
        email = forms.field(await request.form(), "email", 320).strip()
        lang = language(request)
        try:
            held = await privacy.find(session, email, now)
        except SchedulingError:
            return await privacy_page(web, request, session, now, email)
        return page(
            web,
            request,
            "staff/confirm.html",
            heading=tr(
                lang, "Effacer les données de cette adresse ?", "Erase this address's data?"
            ),
            message=tr(
                lang,
                f"{held.bookings} rendez-vous perdront prénom, adresse, question et motif "
                f"({held.future_bookings} à venir seront annulés), et {held.feedback} avis, "
                f"{held.rate_limit_windows} compteur(s) et {held.privacy_requests} demande(s) "
                "seront supprimés. Un blocage éventuel reste. Cela ne peut pas être annulé.",
                f"{held.bookings} booking(s) lose their first name, address, question and "
                f"reason ({held.future_bookings} to come will be cancelled), and "
                f"{held.feedback} feedback answer(s), {held.rate_limit_windows} counter(s) and "
                f"{held.privacy_requests} request(s) are deleted. A block, if any, stays. "
                "This cannot be undone.",
            ),
            action="/staff/privacy/erase",
            confirm=tr(lang, "Effacer les données", "Erase the data"),
            back="/staff/privacy",
            hidden={"email": email},
        )

    @post("/erase")
    async def erase(
        self, request: Request[Any, Any, Any], session: Session, now: Now, web: Pages
    ) -> Response[str]:
        email = forms.field(await request.form(), "email", 320).strip()
        try:
            await privacy.erase(session, email, now, actor(request))
        except SchedulingError:
            return await privacy_page(web, request, session, now, email)
        return web.redirect("/staff/privacy?ok=erased")
