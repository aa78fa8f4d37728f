"""Special days (date overrides) on a month view: the hours of one date instead of its
weekday's, or a day off."""

from __future__ import annotations

import calendar as calendar_module
import contextlib
from datetime import date, datetime, timedelta
from typing import Any

from litestar import Controller, Request, Response, get, post
from sqlalchemy.ext.asyncio import AsyncSession

from api.deps import Now, Session
from api.space import forms
from api.space.deps import Pages
from api.space.forms import tr
from api.space.mentor.common import me, page
from api.space.web import Web, error_text, language
from availability import AvailabilityError, InvalidQueryRange, supported_date, zone
from integrations.when import month_names
from scheduler import catalog
from scheduler.platform import Actor, NotFound, SchedulingError
from scheduler.schedules import rules as schedules

# Months the overrides page shows around today: far enough for any plan, and far from the
# ends of the calendar (date.max has no next month).
_MONTH_REACH_YEARS = 10


def _month_of(value: str | None, default: date) -> date:
    """``?month=YYYY-MM`` if it is a real month within reach of ``default``, else its month."""
    if value:
        try:
            year, month = value.split("-")
            asked = date(int(year), int(month), 1)
        except ValueError:
            pass
        else:
            if abs(asked.year - default.year) <= _MONTH_REACH_YEARS:
                return asked
    return default.replace(day=1)


def _day_asked(request: Request[Any, Any, Any]) -> date | None:
    asked = request.query_params.get("day")
    try:
        return date.fromisoformat(asked) if asked else None
    except ValueError:
        return None


async def month_page(
    web: Web,
    request: Request[Any, Any, Any],
    session: AsyncSession,
    now: datetime,
    *,
    selected: date | None = None,
    status: int = 200,
    error: str | None = None,
    values: list[tuple[str, str]] | None = None,
) -> Response[str]:
    mentor_id = me(request)
    mentor = await catalog.get_mentor(session, mentor_id)
    today = now.astimezone(zone(mentor.timezone)).date()
    month = _month_of(request.query_params.get("month"), selected or today)
    first = month.replace(day=1)
    stored = await schedules.load_availability(session, mentor_id, overrides_from=first)
    weeks = calendar_module.Calendar(firstweekday=0).monthdatescalendar(first.year, first.month)
    if selected is None:
        selected = _day_asked(request)
    prev_month = (first - timedelta(days=1)).replace(day=1)
    next_month = (first + timedelta(days=32)).replace(day=1)
    day_ranges = []
    if selected is not None:
        # The engine's rule (an override replaces its date's weekly hours), not a copy of it.
        rules = stored.schedule.ranges_on(selected)
        day_ranges = (
            values
            if values is not None
            else [(forms.input_time(r.start), forms.input_time(r.end)) for r in rules]
        )
    return page(
        web,
        request,
        "mentor/overrides.html",
        mentor,
        http_status=status,
        month=first,
        weeks=weeks,
        today=today,
        schedule=stored.schedule,
        selected=selected,
        day_ranges=day_ranges,
        prev_month=prev_month,
        next_month=next_month,
        error=error,
        fmt=forms.input_time,
        months=month_names(language(request)),
    )


class MentorOverridesController(Controller):
    path = "/availability/overrides"

    @get("/")
    async def overrides(
        self, request: Request[Any, Any, Any], session: Session, now: Now, web: Pages
    ) -> Response[str]:
        return await month_page(web, request, session, now)

    @post("/{day:date}")
    async def save_override(
        self, request: Request[Any, Any, Any], session: Session, now: Now, web: Pages, day: date
    ) -> Response[str]:
        form = await request.form()
        lang = language(request)
        try:
            supported_date(day, "day")
        except InvalidQueryRange as error:
            # Shown on this month's page: a month at the ends of the calendar has no grid.
            return await month_page(
                web, request, session, now, status=422, error=error_text(error, lang)
            )
        mode = form.get("mode")
        actor = Actor.mentor(me(request))
        back = f"/mentor/availability/overrides?month={day:%Y-%m}&day={day.isoformat()}&ok=saved"
        if mode == "clear":
            with contextlib.suppress(NotFound):  # nothing to clear
                await schedules.delete_date_override(session, me(request), day, actor)
            return web.redirect(back)
        ranges: list[tuple[str, str]] = []
        if mode == "add":
            # « + Ajouter une plage » without the page's script: one more row, nothing saved.
            shown, _ = forms.ranges_from(
                [str(v) for v in form.getall("start", [])],
                [str(v) for v in form.getall("end", [])],
                lang,
            )
            shown = [(a, "00:00" if b == "24:00" else b) for a, b in shown]
            return await month_page(
                web, request, session, now, selected=day, values=[*shown, ("", "")]
            )
        if mode != "off":
            ranges, problem = forms.ranges_from(
                [str(v) for v in form.getall("start", [])],
                [str(v) for v in form.getall("end", [])],
                lang,
            )
            problem = problem or forms.check_override(ranges, day, lang)
            if not problem and not ranges:
                problem = tr(
                    lang,
                    "Ajoutez au moins une plage, ou choisissez « Jour off ».",
                    "Add at least one range, or choose “Day off”.",
                )
            if problem:
                return await month_page(
                    web,
                    request,
                    session,
                    now,
                    selected=day,
                    status=422,
                    error=problem,
                    values=ranges,
                )
        try:
            await schedules.set_date_override(session, me(request), day, ranges, actor)
        except (SchedulingError, AvailabilityError) as error:
            return await month_page(
                web,
                request,
                session,
                now,
                selected=day,
                status=422,
                error=error_text(error, lang),
                values=ranges,
            )
        return web.redirect(back)
