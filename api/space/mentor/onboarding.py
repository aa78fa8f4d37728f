"""The first visit, in three steps, one page each: the profile, the hours (time zone and weekly
hours), then the calendar and the video (Google Calendar, or where the calls happen without
it). Each step says what skipping it costs; the mentor's space opens once they finish
(``invitations.finish_onboarding``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from litestar import Controller, Request, Response, get, post
from litestar.di import NamedDependency, Provide
from sqlalchemy.ext.asyncio import AsyncSession

from api.deps import Now, Session
from api.space import forms
from api.space.deps import MaybeCalendar, Pages
from api.space.forms import tr
from api.space.mentor.availability import Weekly, weekly_from, with_added_row
from api.space.mentor.calendar import calendar_context
from api.space.mentor.common import me, page, timezone_groups
from api.space.mentor.profile import REFUSED, save_profile, save_timezone
from api.space.web import Web, error_text, language
from availability import AvailabilityError
from scheduler import catalog
from scheduler.calendar import CalendarService
from scheduler.identity import invitations
from scheduler.platform import Actor, NotFound, SchedulingError
from scheduler.schedules import rules as schedules

STEPS = ("profile", "hours", "calendar")


@dataclass(frozen=True)
class _Onboarding:
    """A request on one step of the signed-in mentor's first visit, with what showing it needs."""

    web: Web
    request: Request[Any, Any, Any]
    session: AsyncSession
    now: datetime
    calendar_service: CalendarService | None

    async def show(
        self,
        step: str,
        *,
        errors: dict[str, str] | None = None,
        values: Any = None,
        weekly: Weekly | None = None,
        weekly_errors: dict[int, str] | None = None,
    ) -> Response[str]:
        """The step's page; with ``errors``, the refused form again (422)."""
        request, session = self.request, self.session
        mentor_id = me(request)
        mentor = await catalog.get_mentor(session, mentor_id)
        context: dict[str, Any] = {}
        if step == "profile":
            context["filiere_list"] = await catalog.list_filieres(session)
        if step == "hours":
            context["zone_groups"] = timezone_groups(request, mentor.timezone)
            if weekly is None:
                stored = await schedules.load_availability(session, mentor_id, self.now.date())
                weekly = {
                    d: [
                        (forms.input_time(r.start), forms.input_time(r.end))
                        for r in stored.schedule.weekly.ranges_for(d)
                    ]
                    for d in range(7)
                }
            context["weekly"] = weekly
            context["weekly_errors"] = weekly_errors or {}
            context["has_hours"] = any(weekly.values())
        if step == "calendar":
            context.update(await calendar_context(request, self.calendar_service, mentor_id))
            context["jitsi"] = self.web.settings.video.jitsi_base_url
        return page(
            self.web,
            request,
            "mentor/onboarding.html",
            mentor,
            http_status=422 if errors or weekly_errors else 200,
            step=step,
            steps=STEPS,
            errors=errors or {},
            values=values,
            languages=forms.LANGUAGES,
            now=self.now,
            **context,
        )

    async def save_hours(self) -> Response[str]:
        """The time zone, then the weekly hours, in one form."""
        form = await self.request.form()
        lang = language(self.request)
        weekly, weekly_errors = weekly_from(form, lang)
        added = with_added_row(form, weekly)
        if added is not None:
            return await self.show("hours", weekly=added)
        errors = await save_timezone(self.request, self.session)
        if errors or weekly_errors:
            return await self.show(
                "hours", errors=errors or {"_": ""}, weekly=weekly, weekly_errors=weekly_errors
            )
        mentor_id = me(self.request)
        try:
            await schedules.set_weekly_rules(
                self.session,
                mentor_id,
                {d: r for d, r in weekly.items() if r},
                Actor.mentor(mentor_id),
            )
        except (SchedulingError, AvailabilityError) as error:
            return await self.show("hours", errors={"_": error_text(error, lang)}, weekly=weekly)
        return self.web.redirect("/mentor/onboarding/calendar")

    async def save_venue(self) -> Response[str]:
        """The mentor's own meeting link (empty: the engine's venue again)."""
        form = await self.request.form()
        link = "" if form.get("remove") == "1" else forms.field(form, "meeting_url", 600).strip()
        mentor_id = me(self.request)
        try:
            await catalog.update_mentor(
                self.session,
                mentor_id,
                catalog.MentorChanges(meeting_url=link),
                Actor.mentor(mentor_id),
            )
        except (SchedulingError, AvailabilityError):
            message = tr(language(self.request), *REFUSED["meeting_url"])
            return await self.show("calendar", errors={"meeting_url": message}, values=form)
        return self.web.redirect("/mentor/onboarding/calendar?ok=saved#venue")


def _onboarding(
    request: Request[Any, Any, Any],
    session: Session,
    now: Now,
    web: Pages,
    calendar_service: MaybeCalendar,
) -> _Onboarding:
    return _Onboarding(web, request, session, now, calendar_service)


Onboarding = NamedDependency[_Onboarding]


class MentorOnboardingController(Controller):
    path = "/onboarding"
    # The steps' handlers are given the request and what showing a step needs as one value.
    dependencies = {"here": Provide(_onboarding, sync_to_thread=False)}

    @get("/")
    async def onboarding_start(self, web: Pages) -> Response[str]:
        return web.redirect("/mentor/onboarding/profile")

    @get("/{step:str}")
    async def onboarding(self, here: Onboarding, step: str) -> Response[str]:
        if step == "timezone":  # the step's name before it held the hours too
            return here.web.redirect("/mentor/onboarding/hours")
        if step not in STEPS:
            raise NotFound("no such step")
        return await here.show(step)

    @post("/{step:str}")
    async def onboarding_post(self, here: Onboarding, step: str) -> Response[str]:
        if step == "profile":
            saved, errors, form = await save_profile(here.request, here.session)
            if saved:
                return here.web.redirect("/mentor/onboarding/hours")
            return await here.show(step, errors=errors, values=form)
        if step == "hours":
            return await here.save_hours()
        if step == "venue":
            return await here.save_venue()
        if step == "finish":
            first = await invitations.finish_onboarding(here.session, me(here.request), here.now)
            return here.web.redirect(
                "/mentor/availability?ok=welcome" if first else "/mentor?ok=saved"
            )
        raise NotFound("no such step")
