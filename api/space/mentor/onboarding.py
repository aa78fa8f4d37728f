"""The first visit: profile, timezone, then the calendar connection, one step per page; the
mentor's space opens once they finish (``invitations.finish_onboarding``)."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, Response, get, post
from sqlalchemy.ext.asyncio import AsyncSession

from api.deps import Now, Session
from api.space import forms
from api.space.deps import MaybeCalendar, Pages
from api.space.mentor.calendar import calendar_context
from api.space.mentor.common import all_zones, me, page
from api.space.mentor.profile import save_profile, save_timezone
from api.space.web import Web
from scheduler import catalog
from scheduler.calendar import CalendarService
from scheduler.identity import invitations
from scheduler.platform import NotFound

STEPS = ("profile", "timezone", "calendar")


class MentorOnboardingController(Controller):
    path = "/onboarding"

    @get("/")
    async def onboarding_start(self, web: Pages) -> Response[str]:
        return web.redirect("/mentor/onboarding/profile")

    @get("/{step:str}")
    async def onboarding(
        self,
        request: Request[Any, Any, Any],
        session: Session,
        web: Pages,
        calendar_service: MaybeCalendar,
        step: str,
    ) -> Response[str]:
        if step not in STEPS:
            raise NotFound("no such step")
        return await self._step(web, request, session, calendar_service, step)

    @post("/{step:str}")
    async def onboarding_post(
        self,
        request: Request[Any, Any, Any],
        session: Session,
        now: Now,
        web: Pages,
        calendar_service: MaybeCalendar,
        step: str,
    ) -> Response[str]:
        if step == "profile":
            saved, errors, form = await save_profile(request, session)
            if saved:
                return web.redirect("/mentor/onboarding/timezone")
            return await self._step(
                web, request, session, calendar_service, step, errors=errors, values=form
            )
        if step == "timezone":
            errors = await save_timezone(request, session)
            if not errors:
                return web.redirect("/mentor/onboarding/calendar")
            return await self._step(web, request, session, calendar_service, step, errors=errors)
        if step == "finish":
            first = await invitations.finish_onboarding(session, me(request), now)
            return web.redirect("/mentor/availability?ok=welcome" if first else "/mentor?ok=saved")
        raise NotFound("no such step")

    async def _step(
        self,
        web: Web,
        request: Request[Any, Any, Any],
        session: AsyncSession,
        calendar_service: CalendarService | None,
        step: str,
        *,
        errors: dict[str, str] | None = None,
        values: Any = None,
    ) -> Response[str]:
        """The step's page; with ``errors``, the refused form again (422)."""
        mentor_id = me(request)
        mentor = await catalog.get_mentor(session, mentor_id)
        context: dict[str, Any] = {}
        if step == "profile":
            context["filiere_list"] = await catalog.list_filieres(session)
        if step == "timezone":
            context["zones"] = all_zones()
        if step == "calendar":
            context.update(await calendar_context(request, calendar_service, mentor_id))
        return page(
            web,
            request,
            "mentor/onboarding.html",
            mentor,
            http_status=422 if errors else 200,
            step=step,
            steps=STEPS,
            errors=errors or {},
            values=values,
            languages=forms.LANGUAGES,
            common_zones=forms.COMMON_ZONES,
            **context,
        )
