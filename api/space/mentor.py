"""The mentor space (``/mentor``): bookings, onboarding, availability with its live preview,
the Google Calendar connection, profile and preferences. Every route acts on the signed-in
mentor (``request.state.space``): no route takes a mentor id, and another mentor's booking is
answered like an unknown one (404).

Each page runs a fixed number of queries whatever the number of bookings (see bench/pages.py).
"""

from __future__ import annotations

import calendar as calendar_module
import contextlib
import zoneinfo
from datetime import date, datetime, timedelta
from functools import cache
from typing import Any
from uuid import UUID

from litestar import Request, Response, Router, get, post

from api.deps import Now, Session
from api.google import calendar_service
from api.space import forms
from api.space.forms import tr
from api.space.web import (
    BIND_COOKIE,
    BIND_PATH,
    SESSION_PATH,
    Web,
    error_text,
    language,
    session_guard,
)
from api.text import clean_text
from availability import AvailabilityError, group_by_local_date, zone
from integrations.google import start_authorization
from integrations.when import month_names
from scheduler import booking as booking_service
from scheduler import catalog
from scheduler.calendar import CalendarService, CalendarUnavailable, ConnectionStatus
from scheduler.catalog import MentorRecord
from scheduler.identity import invitations
from scheduler.platform import (
    Actor,
    NotFound,
    PermanentDeliveryError,
    ReconnectRequired,
    SchedulingError,
    ValidationFailed,
)
from scheduler.schedules import mentor_slots
from scheduler.schedules import rules as schedules
from scheduler.staff import moderation

PREVIEW_DAYS = 7
UPCOMING_REACH = timedelta(days=366)
PAST_REACH = timedelta(days=120)
PAST_SHOWN = 30
# A page lists this many upcoming bookings at most (the next ones first), whatever is ahead.
UPCOMING_SHOWN = 50
STEPS = ("profile", "timezone", "calendar")

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


@cache
def all_zones() -> tuple[str, ...]:
    return tuple(
        sorted(
            z
            for z in zoneinfo.available_timezones()
            if "/" in z and not z.startswith(("Etc/", "SystemV/", "posix/", "right/"))
        )
    )


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
    ]


async def calendar_status(
    request: Request[Any, Any, Any], mentor_id: UUID
) -> tuple[CalendarService | None, ConnectionStatus | None]:
    service = calendar_service(request.app.state)
    if service is None:
        return None, None
    return service, await service.status(mentor_id)


def build_mentor_router(web: Web) -> Router:
    def page(
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

    # --- bookings -------------------------------------------------------------------------

    @get("/")
    async def home(request: Request[Any, Any, Any], session: Session, now: Now) -> Response[str]:
        mentor_id = me(request)
        state = await invitations.space_state(session, mentor_id)
        if state.onboarded_at is None:
            return web.redirect("/mentor/onboarding/profile")
        mentor = await catalog.get_mentor(session, mentor_id)
        # One row more than shown tells whether there are more, without reading them all.
        upcoming = await booking_service.list_mentor_bookings(
            session,
            mentor_id,
            now - timedelta(days=1),
            now + UPCOMING_REACH,
            ("confirmed", "cancelled"),
            ends_after=now,
            limit=UPCOMING_SHOWN + 1,
        )
        past = await booking_service.list_mentor_bookings(
            session,
            mentor_id,
            now - PAST_REACH,
            now,
            ("confirmed", "no_show", "cancelled"),
            ends_by=now,
            newest_first=True,
            limit=PAST_SHOWN,
        )
        reported = await moderation.reported_booking_ids(session, mentor_id)
        filieres = {f.id: f for f in await catalog.list_filieres(session)}
        _, status = await calendar_status(request, mentor_id)
        warned = {w.booking_id: w for w in (status.warnings if status else ()) if w.booking_id}
        return page(
            request,
            "mentor/home.html",
            mentor,
            upcoming=upcoming[:UPCOMING_SHOWN],
            more=len(upcoming) > UPCOMING_SHOWN,
            past=past,
            reported=reported,
            filieres=filieres,
            status=status,
            warned=warned,
            now=now,
        )

    @get("/bookings/{booking_id:uuid}")
    async def booking_page(
        request: Request[Any, Any, Any], session: Session, now: Now, booking_id: UUID
    ) -> Response[str]:
        return await _booking(request, session, now, booking_id)

    async def _booking(
        request: Request[Any, Any, Any],
        session: Any,
        now: datetime,
        booking_id: UUID,
        *,
        status: int = 200,
        error: str | None = None,
    ) -> Response[str]:
        mentor_id = me(request)
        found = await booking_service.get_booking(session, booking_id)
        if found.mentor_id != mentor_id:
            raise NotFound("no such booking")
        mentor = await catalog.get_mentor(session, mentor_id)
        reported = booking_id in await moderation.reported_booking_ids(session, mentor_id)
        filieres = {f.id: f for f in await catalog.list_filieres(session)}
        _, conn = await calendar_status(request, mentor_id)
        warning = next(
            (w for w in (conn.warnings if conn else ()) if w.booking_id == booking_id), None
        )
        return page(
            request,
            "mentor/booking.html",
            mentor,
            http_status=status,
            b=found,
            reported=reported,
            filieres=filieres,
            warning=warning,
            error=error,
            now=now,
        )

    async def _act(
        request: Request[Any, Any, Any],
        session: Any,
        now: datetime,
        booking_id: UUID,
        action: Any,
        ok: str,
    ) -> Response[str]:
        try:
            await action()
        except NotFound:
            raise
        except (SchedulingError, AvailabilityError) as error:
            return await _booking(
                request,
                session,
                now,
                booking_id,
                status=error.status if isinstance(error, SchedulingError) else 422,
                error=error_text(error, language(request)),
            )
        return web.redirect(f"/mentor?ok={ok}")

    @post("/bookings/{booking_id:uuid}/cancel")
    async def cancel(
        request: Request[Any, Any, Any], session: Session, now: Now, booking_id: UUID
    ) -> Response[str]:
        form = await request.form()
        reason = clean_text(forms.field(form, "reason", 600), multiline=True)
        lang = language(request)
        if not reason:
            return await _booking(
                request,
                session,
                now,
                booking_id,
                status=422,
                error=tr(
                    lang,
                    "Dites au visiteur pourquoi vous annulez.",
                    "Tell the visitor why you cancel.",
                ),
            )

        async def action() -> None:
            await booking_service.cancel_by_mentor(session, booking_id, me(request), now, reason)

        return await _act(request, session, now, booking_id, action, "cancelled")

    @post("/bookings/{booking_id:uuid}/no-show")
    async def no_show(
        request: Request[Any, Any, Any], session: Session, now: Now, booking_id: UUID
    ) -> Response[str]:
        async def action() -> None:
            await booking_service.mark_no_show(
                session, booking_id, now, Actor.mentor(me(request)), mentor_id=me(request)
            )

        return await _act(request, session, now, booking_id, action, "no_show")

    @post("/bookings/{booking_id:uuid}/report")
    async def report(
        request: Request[Any, Any, Any], session: Session, now: Now, booking_id: UUID
    ) -> Response[str]:
        form = await request.form()
        reason = clean_text(forms.field(form, "reason", 600), multiline=True)
        lang = language(request)
        if not reason:
            return await _booking(
                request,
                session,
                now,
                booking_id,
                status=422,
                error=tr(lang, "Décrivez ce qui s'est passé.", "Describe what happened."),
            )

        async def action() -> None:
            await moderation.report_booking(session, booking_id, me(request), reason, now)

        return await _act(request, session, now, booking_id, action, "reported")

    # --- onboarding -----------------------------------------------------------------------

    @get("/onboarding")
    async def onboarding_start() -> Response[str]:
        return web.redirect("/mentor/onboarding/profile")

    @get("/onboarding/{step:str}")
    async def onboarding(
        request: Request[Any, Any, Any], session: Session, step: str
    ) -> Response[str]:
        if step not in STEPS:
            raise NotFound("no such step")
        return await _onboarding(request, session, step)

    async def _onboarding(
        request: Request[Any, Any, Any],
        session: Any,
        step: str,
        *,
        errors: dict[str, str] | None = None,
        status: int = 200,
        values: Any = None,
    ) -> Response[str]:
        mentor_id = me(request)
        mentor = await catalog.get_mentor(session, mentor_id)
        context: dict[str, Any] = {}
        if step == "profile":
            context["filiere_list"] = await catalog.list_filieres(session)
        if step == "timezone":
            context["zones"] = all_zones()
        if step == "calendar":
            context.update(await _calendar_context(request, mentor_id))
        return page(
            request,
            "mentor/onboarding.html",
            mentor,
            http_status=status,
            step=step,
            steps=STEPS,
            errors=errors or {},
            values=values,
            languages=forms.LANGUAGES,
            common_zones=forms.COMMON_ZONES,
            **context,
        )

    def _profile_changes(
        form: Any, lang: str
    ) -> tuple[catalog.MentorChanges | None, dict[str, str]]:
        errors: dict[str, str] = {}
        name = clean_text(forms.field(form, "display_name", 200))
        university = clean_text(forms.field(form, "university", 200))
        bio = clean_text(forms.field(form, "bio", 1500), multiline=True)
        photo = forms.field(form, "photo_url", 600)
        year = forms.whole(form, "year_of_study", errors, lang, low=1, high=12)
        filieres = tuple(str(v) for v in form.getall("filieres", []))
        languages = tuple(str(v) for v in form.getall("languages", []) if str(v) in forms.LANGUAGES)
        if not name:
            errors["display_name"] = tr(
                lang,
                "Indiquez votre prénom (et l'initiale de votre nom).",
                "Give your first name (and your last name's initial).",
            )
        if not university:
            errors["university"] = tr(
                lang, "Indiquez votre université ou école.", "Give your university or school."
            )
        if len(bio) > 1200:
            errors["bio"] = tr(lang, "1 200 caractères au plus.", "1,200 characters at most.")
        if photo and not photo.startswith(("https://", "http://")):
            errors["photo_url"] = tr(
                lang,
                "Une adresse d'image qui commence par https://",
                "An image address starting with https://",
            )
        if not filieres:
            errors["filieres"] = tr(
                lang, "Choisissez au moins une filière.", "Choose at least one field of study."
            )
        if not languages:
            errors["languages"] = tr(
                lang, "Choisissez au moins une langue.", "Choose at least one language."
            )
        if errors:
            return None, errors
        return (
            catalog.MentorChanges(
                display_name=name,
                university=university,
                bio=bio,
                photo_url=photo,
                year_of_study=year,
                filieres=filieres,
                languages=languages,
            ),
            errors,
        )

    async def _save_profile(
        request: Request[Any, Any, Any], session: Any
    ) -> tuple[bool, dict[str, str], Any]:
        form = await request.form()
        lang = language(request)
        changes, errors = _profile_changes(form, lang)
        if changes is not None:
            try:
                await catalog.update_mentor(
                    session, me(request), changes, Actor.mentor(me(request))
                )
                return True, {}, form
            except (SchedulingError, AvailabilityError) as error:
                errors = {"_": error_text(error, lang)}
        return False, errors, form

    @post("/onboarding/{step:str}")
    async def onboarding_post(
        request: Request[Any, Any, Any], session: Session, now: Now, step: str
    ) -> Response[str]:
        if step == "profile":
            return await onboarding_profile(request, session)
        if step == "timezone":
            return await onboarding_timezone(request, session)
        if step == "finish":
            return await onboarding_finish(request, session, now)
        raise NotFound("no such step")

    async def onboarding_profile(request: Request[Any, Any, Any], session: Any) -> Response[str]:
        saved, errors, form = await _save_profile(request, session)
        if saved:
            return web.redirect("/mentor/onboarding/timezone")
        return await _onboarding(
            request, session, "profile", errors=errors, status=422, values=form
        )

    async def _save_timezone(request: Request[Any, Any, Any], session: Any) -> dict[str, str]:
        form = await request.form()
        lang = language(request)
        name = forms.field(form, "timezone", 64)
        try:
            zone(name)
            await catalog.update_mentor(
                session,
                me(request),
                catalog.MentorChanges(timezone=name),
                Actor.mentor(me(request)),
            )
        except (SchedulingError, AvailabilityError):
            return {
                "timezone": tr(
                    lang,
                    "Choisissez un fuseau horaire de la liste.",
                    "Choose a timezone from the list.",
                )
            }
        return {}

    async def onboarding_timezone(request: Request[Any, Any, Any], session: Any) -> Response[str]:
        errors = await _save_timezone(request, session)
        if not errors:
            return web.redirect("/mentor/onboarding/calendar")
        return await _onboarding(request, session, "timezone", errors=errors, status=422)

    async def onboarding_finish(
        request: Request[Any, Any, Any], session: Any, now: datetime
    ) -> Response[str]:
        first = await invitations.finish_onboarding(session, me(request), now)
        return web.redirect("/mentor/availability?ok=welcome" if first else "/mentor?ok=saved")

    # --- Google Calendar ------------------------------------------------------------------

    async def _calendar_context(request: Request[Any, Any, Any], mentor_id: UUID) -> dict[str, Any]:
        lang = language(request)
        service, status = await calendar_status(request, mentor_id)
        calendars: list[Any] = []
        problem = None
        if (
            service is not None
            and status is not None
            and status.connected
            and status.status == "active"
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

    @get("/calendar")
    async def calendar_page(request: Request[Any, Any, Any], session: Session) -> Response[str]:
        mentor_id = me(request)
        state = await invitations.space_state(session, mentor_id)
        if state.onboarded_at is None:
            query = f"?{request.url.query}" if request.url.query else ""
            return web.redirect(f"/mentor/onboarding/calendar{query}")
        mentor = await catalog.get_mentor(session, mentor_id)
        return page(
            request, "mentor/calendar.html", mentor, **await _calendar_context(request, mentor_id)
        )

    @get("/calendar/connect")
    async def calendar_connect(request: Request[Any, Any, Any], session: Session) -> Response[str]:
        mentor_id = me(request)
        service = calendar_service(request.app.state)
        if service is None:
            return web.redirect("/mentor/calendar?google=failed")
        mentor = await catalog.get_mentor(session, mentor_id)
        from api.space.auth import redirect_uri  # the one callback both flows share

        started = start_authorization(web.settings, redirect_uri(web), login_hint=mentor.email)
        await service.remember_state(mentor_id, started.state, started.code_verifier)
        bind = web.cookie(BIND_COOKIE, started.state, BIND_PATH, max_age=900)
        return web.redirect(started.url, [bind])

    @post("/calendar/choose")
    async def calendar_choose(request: Request[Any, Any, Any], session: Session) -> Response[str]:
        mentor_id = me(request)
        form = await request.form()
        back = (
            "/mentor/onboarding/calendar"
            if form.get("then") == "onboarding"
            else "/mentor/calendar"
        )
        service = calendar_service(request.app.state)
        if service is None:
            return web.redirect(back)
        busy = [str(v) for v in form.getall("busy", [])]
        events = forms.field(form, "events", 300) or None
        try:
            await service.choose_calendars(mentor_id, busy, events)
        except (ValidationFailed, NotFound):
            return web.redirect(f"{back}?google=failed")
        except (CalendarUnavailable, PermanentDeliveryError):
            return web.redirect(f"{back}?google=unavailable")
        except ReconnectRequired:
            return web.redirect(back)
        return web.redirect(
            f"{back}?ok=saved" if back == "/mentor/calendar" else back + "?google=saved"
        )

    @post("/calendar/disconnect")
    async def calendar_disconnect(request: Request[Any, Any, Any]) -> Response[str]:
        service = calendar_service(request.app.state)
        if service is not None:
            with contextlib.suppress(NotFound):  # already disconnected
                await service.disconnect(me(request))
        return web.redirect("/mentor/calendar?ok=disconnected")

    @post("/calendar/warnings/{warning_id:int}/resolve")
    async def resolve_warning(request: Request[Any, Any, Any], warning_id: int) -> Response[str]:
        service = calendar_service(request.app.state)
        if service is not None:
            await service.resolve_warning(me(request), warning_id)
        return web.redirect("/mentor")

    # --- availability ---------------------------------------------------------------------

    async def _availability(
        request: Request[Any, Any, Any],
        session: Any,
        now: datetime,
        *,
        status: int = 200,
        weekly_errors: dict[int, str] | None = None,
        weekly_values: dict[int, list[tuple[str, str]]] | None = None,
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
                for r in stored.schedule.weekly.days.get(d, ())
            ]
            for d in range(7)
        }
        upcoming_overrides = sorted(stored.schedule.overrides.items())[:8]
        return page(
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

    @get("/availability")
    async def availability(
        request: Request[Any, Any, Any], session: Session, now: Now
    ) -> Response[str]:
        return await _availability(request, session, now)

    @post("/availability/weekly")
    async def save_weekly(
        request: Request[Any, Any, Any], session: Session, now: Now
    ) -> Response[str]:
        form = await request.form()
        lang = language(request)
        weekly: dict[int, list[tuple[str, str]]] = {}
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
        if errors:
            shown = {
                d: [(a, "00:00" if b == "24:00" else b) for a, b in r] for d, r in weekly.items()
            }
            return await _availability(
                request, session, now, status=422, weekly_errors=errors, weekly_values=shown
            )
        try:
            await schedules.set_weekly_rules(
                session,
                me(request),
                {d: r for d, r in weekly.items() if r},
                Actor.mentor(me(request)),
            )
        except (SchedulingError, AvailabilityError) as error:
            return await _availability(
                request, session, now, status=422, error=error_text(error, lang)
            )
        return web.redirect("/mentor/availability?ok=saved#weekly")

    @post("/availability/policy")
    async def save_policy(
        request: Request[Any, Any, Any], session: Session, now: Now
    ) -> Response[str]:
        form = await request.form()
        lang = language(request)
        policy, errors = forms.policy_from(form, lang)
        if policy is None:
            return await _availability(
                request, session, now, status=422, policy_errors=errors, policy_values=_Echo(form)
            )
        try:
            await schedules.set_policy(session, me(request), policy, Actor.mentor(me(request)))
        except (SchedulingError, AvailabilityError) as error:
            return await _availability(
                request,
                session,
                now,
                status=422,
                policy_errors={"_": error_text(error, lang)},
                policy_values=_Echo(form),
            )
        return web.redirect("/mentor/availability?ok=saved#policy")

    @post("/availability/pause")
    async def pause(request: Request[Any, Any, Any], session: Session) -> Response[str]:
        form = await request.form()
        paused = form.get("paused") == "1"
        await catalog.update_mentor(
            session, me(request), catalog.MentorChanges(paused=paused), Actor.mentor(me(request))
        )
        return web.redirect(f"/mentor/availability?ok={'paused' if paused else 'resumed'}")

    # --- date overrides on a month view ---------------------------------------------------

    async def _month(
        request: Request[Any, Any, Any],
        session: Any,
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
            asked = request.query_params.get("day")
            try:
                selected = date.fromisoformat(asked) if asked else None
            except ValueError:
                selected = None
        prev_month = (first - timedelta(days=1)).replace(day=1)
        next_month = (first + timedelta(days=32)).replace(day=1)
        day_ranges = []
        if selected is not None:
            override = stored.schedule.overrides.get(selected)
            rules = (
                override.ranges
                if override
                else stored.schedule.weekly.days.get(selected.weekday(), ())
            )
            day_ranges = (
                values
                if values is not None
                else [(forms.input_time(r.start), forms.input_time(r.end)) for r in rules]
            )
        return page(
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

    @get("/availability/overrides")
    async def overrides(
        request: Request[Any, Any, Any], session: Session, now: Now
    ) -> Response[str]:
        return await _month(request, session, now)

    @post("/availability/overrides/{day:date}")
    async def save_override(
        request: Request[Any, Any, Any], session: Session, now: Now, day: date
    ) -> Response[str]:
        form = await request.form()
        lang = language(request)
        mode = form.get("mode")
        actor = Actor.mentor(me(request))
        back = f"/mentor/availability/overrides?month={day:%Y-%m}&day={day.isoformat()}&ok=saved"
        if mode == "clear":
            with contextlib.suppress(NotFound):  # nothing to clear
                await schedules.delete_date_override(session, me(request), day, actor)
            return web.redirect(back)
        ranges: list[tuple[str, str]] = []
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
                return await _month(
                    request, session, now, selected=day, status=422, error=problem, values=ranges
                )
        try:
            await schedules.set_date_override(session, me(request), day, ranges, actor)
        except (SchedulingError, AvailabilityError) as error:
            return await _month(
                request,
                session,
                now,
                selected=day,
                status=422,
                error=error_text(error, lang),
                values=ranges,
            )
        return web.redirect(back)

    # --- profile and preferences ----------------------------------------------------------

    async def _settings(
        request: Request[Any, Any, Any],
        session: Any,
        *,
        errors: dict[str, str] | None = None,
        status: int = 200,
        values: Any = None,
    ) -> Response[str]:
        mentor_id = me(request)
        mentor = await catalog.get_mentor(session, mentor_id)
        state = await invitations.space_state(session, mentor_id)
        return page(
            request,
            "mentor/settings.html",
            mentor,
            http_status=status,
            state=state,
            errors=errors or {},
            values=values,
            filiere_list=await catalog.list_filieres(session),
            languages=forms.LANGUAGES,
            zones=all_zones(),
            common_zones=forms.COMMON_ZONES,
        )

    @get("/settings")
    async def settings_page(request: Request[Any, Any, Any], session: Session) -> Response[str]:
        return await _settings(request, session)

    @post("/settings/profile")
    async def settings_profile(request: Request[Any, Any, Any], session: Session) -> Response[str]:
        saved, errors, form = await _save_profile(request, session)
        if saved:
            return web.redirect("/mentor/settings?ok=saved")
        return await _settings(request, session, errors=errors, status=422, values=form)

    @post("/settings/timezone")
    async def settings_timezone(request: Request[Any, Any, Any], session: Session) -> Response[str]:
        errors = await _save_timezone(request, session)
        if not errors:
            return web.redirect("/mentor/settings?ok=saved#timezone")
        return await _settings(request, session, errors=errors, status=422)

    @post("/settings/notifications")
    async def settings_notify(
        request: Request[Any, Any, Any], session: Session, now: Now
    ) -> Response[str]:
        form = await request.form()
        try:
            await invitations.set_notify(session, me(request), forms.field(form, "notify", 10), now)
        except ValidationFailed:
            return await _settings(
                request,
                session,
                errors={
                    "notify": tr(language(request), "Choisissez une option.", "Choose an option.")
                },
                status=422,
            )
        return web.redirect("/mentor/settings?ok=saved#notifications")

    return Router(
        path=SESSION_PATH["mentor"],
        guards=[session_guard("mentor")],
        include_in_schema=False,
        route_handlers=[
            home,
            booking_page,
            cancel,
            no_show,
            report,
            onboarding_start,
            onboarding,
            onboarding_post,
            calendar_page,
            calendar_connect,
            calendar_choose,
            calendar_disconnect,
            resolve_warning,
            availability,
            save_weekly,
            save_policy,
            pause,
            overrides,
            save_override,
            settings_page,
            settings_profile,
            settings_timezone,
            settings_notify,
        ],
    )


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


class _Echo:
    """A submitted policy form shown back with its errors (attribute access like the record)."""

    def __init__(self, form: Any) -> None:
        self._form = form

    def __getattr__(self, name: str) -> str:
        return str(self._form.get(name) or "")
