"""The mentor's weekly hours and booking policy, with a live preview of the next days' slots,
and the pause switch. Special days (date overrides) have their own page
(``api.space.mentor.overrides``)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from litestar import Controller, Request, Response, get, post
from sqlalchemy.ext.asyncio import AsyncSession

from api.deps import Now, Session
from api.space import forms
from api.space.deps import Pages
from api.space.mentor.common import me, page
from api.space.web import Web, error_text, language
from availability import AvailabilityError, group_by_local_date, zone
from scheduler import catalog
from scheduler.platform import Actor, SchedulingError
from scheduler.schedules import mentor_slots
from scheduler.schedules import rules as schedules

PREVIEW_DAYS = 7
Weekly = dict[int, list[tuple[str, str]]]


class _Echo:
    """A submitted policy form shown back with its errors (attribute access like the record)."""

    def __init__(self, form: Any) -> None:
        self._form = form

    def __getattr__(self, name: str) -> str:
        return str(self._form.get(name) or "")


def weekly_from(form: Any, lang: str) -> tuple[Weekly, dict[int, str]]:
    """The weekly form as ranges by weekday, after « copy this day to… », with the message of
    each weekday whose ranges are refused."""
    weekly: Weekly = {}
    errors: dict[int, str] = {}
    for d in range(7):
        ranges, problem = forms.ranges_from(
            [str(v) for v in form.getall(f"d{d}_start", [])],
            [str(v) for v in form.getall(f"d{d}_end", [])],
            lang,
        )
        weekly[d] = ranges
        if problem:
            errors[d] = problem
    copy_from = form.get("copy_from")
    if (
        copy_from is not None
        and str(copy_from).isdigit()
        and int(copy_from) in weekly
        and not errors
    ):
        source = int(copy_from)
        for target in form.getall(f"copy{source}_to", []):
            if str(target).isdigit() and 0 <= int(target) <= 6:
                weekly[int(target)] = list(weekly[source])
    for d, ranges in weekly.items():
        problem = None if d in errors else forms.check_ranges(ranges, d, lang)
        if problem:
            errors[d] = problem
    return weekly, errors


def with_added_row(form: Any, weekly: Weekly) -> Weekly | None:
    """The posted week with an empty row more on the day whose « + Ajouter » sent the form
    (None when another button did)."""
    day = str(form.get("add_row") or "")
    if not day.isdigit() or int(day) not in weekly:
        return None
    shown = {d: [(a, "00:00" if b == "24:00" else b) for a, b in r] for d, r in weekly.items()}
    shown[int(day)].append(("", ""))
    return shown


async def availability_page(
    web: Web,
    request: Request[Any, Any, Any],
    session: AsyncSession,
    now: datetime,
    *,
    status: int = 200,
    weekly_errors: dict[int, str] | None = None,
    weekly_values: Weekly | None = None,
    policy_errors: dict[str, str] | None = None,
    policy_values: Any = None,
    error: str | None = None,
) -> Response[str]:
    mentor_id = me(request)
    mentor = await catalog.get_mentor(session, mentor_id)
    local_today = now.astimezone(zone(mentor.timezone)).date()
    stored = await schedules.load_availability(session, mentor_id, overrides_from=local_today)
    found = await mentor_slots(session, mentor_id, now, now, now + timedelta(days=PREVIEW_DAYS))
    preview = group_by_local_date(found.slots, mentor.timezone)
    weekly = weekly_values or {
        d: [
            (forms.input_time(r.start), forms.input_time(r.end))
            for r in stored.schedule.weekly.ranges_for(d)
        ]
        for d in range(7)
    }
    upcoming_overrides = sorted(stored.schedule.overrides.items())[:8]
    return page(
        web,
        request,
        "mentor/availability.html",
        mentor,
        http_status=status,
        weekly=weekly,
        weekly_errors=weekly_errors or {},
        policy=policy_values or stored.policy,
        policy_errors=policy_errors or {},
        preview=preview,
        next_free=found.next_free,
        overrides=upcoming_overrides,
        error=error,
        fmt=forms.input_time,
    )


class MentorAvailabilityController(Controller):
    path = "/availability"

    @get("/")
    async def availability(
        self, request: Request[Any, Any, Any], session: Session, now: Now, web: Pages
    ) -> Response[str]:
        return await availability_page(web, request, session, now)

    @post("/weekly")
    async def save_weekly(
        self, request: Request[Any, Any, Any], session: Session, now: Now, web: Pages
    ) -> Response[str]:
        lang = language(request)
        form = await request.form()
        weekly, errors = weekly_from(form, lang)
        added = with_added_row(form, weekly)
        if added is not None:
            # « + Ajouter » without the page's script: the same form, one more row, unsaved.
            return await availability_page(
                web, request, session, now, weekly_errors=errors, weekly_values=added
            )
        if errors:
            shown = {
                d: [(a, "00:00" if b == "24:00" else b) for a, b in r] for d, r in weekly.items()
            }
            return await availability_page(
                web, request, session, now, status=422, weekly_errors=errors, weekly_values=shown
            )
        try:
            await schedules.set_weekly_rules(
                session,
                me(request),
                {d: r for d, r in weekly.items() if r},
                Actor.mentor(me(request)),
            )
        except (SchedulingError, AvailabilityError) as error:
            return await availability_page(
                web, request, session, now, status=422, error=error_text(error, lang)
            )
        return web.redirect("/mentor/availability?ok=saved#weekly")

    @post("/policy")
    async def save_policy(
        self, request: Request[Any, Any, Any], session: Session, now: Now, web: Pages
    ) -> Response[str]:
        form = await request.form()
        lang = language(request)
        policy, errors = forms.policy_from(form, lang)
        if policy is None:
            return await availability_page(
                web,
                request,
                session,
                now,
                status=422,
                policy_errors=errors,
                policy_values=_Echo(form),
            )
        try:
            await schedules.set_policy(session, me(request), policy, Actor.mentor(me(request)))
        except (SchedulingError, AvailabilityError) as error:
            return await availability_page(
                web,
                request,
                session,
                now,
                status=422,
                policy_errors={"_": error_text(error, lang)},
                policy_values=_Echo(form),
            )
        return web.redirect("/mentor/availability?ok=saved#policy")

    @post("/pause")
    async def pause(
        self, request: Request[Any, Any, Any], session: Session, web: Pages
    ) -> Response[str]:
        form = await request.form()
        paused = form.get("paused") == "1"
        await catalog.update_mentor(
            session, me(request), catalog.MentorChanges(paused=paused), Actor.mentor(me(request))
        )
        return web.redirect(f"/mentor/availability?ok={'paused' if paused else 'resumed'}")
