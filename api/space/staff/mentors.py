"""The mentors list with their connection health, and switching a mentor on or off (active:
may sign in and be booked; visible: offered to visitors)."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from litestar import Controller, Request, Response, get, post
from sqlalchemy.ext.asyncio import AsyncSession

from api.deps import Session
from api.space.deps import Pages
from api.space.staff.common import actor, page
from api.space.web import Web
from scheduler import catalog
from scheduler.staff import insights


async def mentors_page(
    web: Web,
    request: Request[Any, Any, Any],
    session: AsyncSession,
    *,
    http_status: int = 200,
    errors: dict[str, str] | None = None,
    values: Any = None,
) -> Response[str]:
    return page(
        web,
        request,
        "staff/mentors.html",
        http_status=http_status,
        health=await insights.mentor_health(session),
        filiere_list=await catalog.list_filieres(session),
        errors=errors or {},
        values=values,
    )


class StaffMentorsController(Controller):
    path = "/"

    @get("/")
    async def mentors(
        self, request: Request[Any, Any, Any], session: Session, web: Pages
    ) -> Response[str]:
        return await mentors_page(web, request, session)

    @post("/mentors/{mentor_id:uuid}/active")
    async def set_active(
        self, request: Request[Any, Any, Any], session: Session, web: Pages, mentor_id: UUID
    ) -> Response[str]:
        form = await request.form()
        await catalog.set_mentor_active(
            session, mentor_id, form.get("active") == "1", actor(request)
        )
        return web.redirect(f"/staff?ok=saved#m-{mentor_id}")

    @post("/mentors/{mentor_id:uuid}/visible")
    async def set_visible(
        self, request: Request[Any, Any, Any], session: Session, web: Pages, mentor_id: UUID
    ) -> Response[str]:
        form = await request.form()
        paused = form.get("visible") != "1"
        await catalog.update_mentor(
            session, mentor_id, catalog.MentorChanges(paused=paused), actor(request)
        )
        return web.redirect(f"/staff?ok=saved#m-{mentor_id}")
