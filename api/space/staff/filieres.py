"""The fields of study (filières) visitors browse: list, create, rename."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, Response, get, post
from sqlalchemy.ext.asyncio import AsyncSession

from api.deps import Session
from api.space import forms
from api.space.deps import Pages
from api.space.staff.common import actor, page
from api.space.web import Web, error_text, language
from api.text import clean_text
from availability import AvailabilityError
from scheduler import catalog
from scheduler.platform import NotFound, SchedulingError


async def filieres_page(
    web: Web,
    request: Request[Any, Any, Any],
    session: AsyncSession,
    *,
    http_status: int = 200,
    error: str | None = None,
) -> Response[str]:
    return page(
        web,
        request,
        "staff/filieres.html",
        http_status=http_status,
        filiere_list=await catalog.list_filieres(session),
        error=error,
    )


class FilieresController(Controller):
    path = "/filieres"

    @get("/")
    async def filieres(
        self, request: Request[Any, Any, Any], session: Session, web: Pages
    ) -> Response[str]:
        return await filieres_page(web, request, session)

    @post("/")
    async def create_filiere(
        self, request: Request[Any, Any, Any], session: Session, web: Pages
    ) -> Response[str]:
        form = await request.form()
        try:
            await catalog.create_filiere(
                session,
                forms.field(form, "slug", 80).lower(),
                clean_text(forms.field(form, "name_fr", 200)),
                clean_text(forms.field(form, "name_en", 200)),
                actor(request),
            )
        except (SchedulingError, AvailabilityError) as error:
            return await filieres_page(
                web, request, session, http_status=422, error=error_text(error, language(request))
            )
        return web.redirect("/staff/filieres?ok=saved")

    @post("/{slug:str}")
    async def rename_filiere(
        self, request: Request[Any, Any, Any], session: Session, web: Pages, slug: str
    ) -> Response[str]:
        form = await request.form()
        try:
            await catalog.update_filiere(
                session,
                slug,
                actor(request),
                name_fr=clean_text(forms.field(form, "name_fr", 200)),
                name_en=clean_text(forms.field(form, "name_en", 200)),
            )
        except NotFound:
            raise
        except (SchedulingError, AvailabilityError) as error:
            return await filieres_page(
                web, request, session, http_status=422, error=error_text(error, language(request))
            )
        return web.redirect("/staff/filieres?ok=saved")
