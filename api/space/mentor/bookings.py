"""The mentor's bookings: the home page (upcoming and past), one booking, and what the mentor
does to one (cancel, record a no-show, report). Another mentor's booking is answered like an
unknown one (404)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

from litestar import Controller, Request, Response, get, post
from sqlalchemy.ext.asyncio import AsyncSession

from api.deps import Now, Session
from api.space import forms
from api.space.deps import MaybeCalendar, Pages
from api.space.forms import tr
from api.space.mentor.common import calendar_status, me, page
from api.space.web import Web, error_text, language
from api.text import clean_text
from availability import AvailabilityError
from scheduler import booking as booking_service
from scheduler import catalog
from scheduler.calendar import CalendarService
from scheduler.identity import invitations
from scheduler.platform import Actor, NotFound, SchedulingError
from scheduler.staff import moderation

UPCOMING_REACH = timedelta(days=366)
PAST_REACH = timedelta(days=120)
PAST_SHOWN = 30
# A page lists this many upcoming bookings at most (the next ones first), whatever is ahead.
UPCOMING_SHOWN = 50


class MentorBookingsController(Controller):
    path = "/"

    @get("/")
    async def home(
        self,
        request: Request[Any, Any, Any],
        session: Session,
        now: Now,
        web: Pages,
        calendar_service: MaybeCalendar,
    ) -> Response[str]:
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
        status = await calendar_status(calendar_service, mentor_id)
        warned = {w.booking_id: w for w in (status.warnings if status else ()) if w.booking_id}
        return page(
            web,
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
        self,
        request: Request[Any, Any, Any],
        session: Session,
        now: Now,
        web: Pages,
        calendar_service: MaybeCalendar,
        booking_id: UUID,
    ) -> Response[str]:
        return await self._booking(web, request, session, calendar_service, now, booking_id)

    @post("/bookings/{booking_id:uuid}/cancel")
    async def cancel(
        self,
        request: Request[Any, Any, Any],
        session: Session,
        now: Now,
        web: Pages,
        calendar_service: MaybeCalendar,
        booking_id: UUID,
    ) -> Response[str]:
        form = await request.form()
        reason = clean_text(forms.field(form, "reason", 600), multiline=True)
        if not reason:
            problem = tr(
                language(request),
                "Dites au visiteur pourquoi vous annulez.",
                "Tell the visitor why you cancel.",
            )
            return await self._booking(
                web, request, session, calendar_service, now, booking_id, status=422, error=problem
            )

        async def action() -> None:
            await booking_service.cancel_by_mentor(session, booking_id, me(request), now, reason)

        return await self._act(
            web, request, session, calendar_service, now, booking_id, action, "cancelled"
        )

    @post("/bookings/{booking_id:uuid}/no-show")
    async def no_show(
        self,
        request: Request[Any, Any, Any],
        session: Session,
        now: Now,
        web: Pages,
        calendar_service: MaybeCalendar,
        booking_id: UUID,
    ) -> Response[str]:
        async def action() -> None:
            await booking_service.mark_no_show(
                session, booking_id, now, Actor.mentor(me(request)), mentor_id=me(request)
            )

        return await self._act(
            web, request, session, calendar_service, now, booking_id, action, "no_show"
        )

    @post("/bookings/{booking_id:uuid}/report")
    async def report(
        self,
        request: Request[Any, Any, Any],
        session: Session,
        now: Now,
        web: Pages,
        calendar_service: MaybeCalendar,
        booking_id: UUID,
    ) -> Response[str]:
        form = await request.form()
        reason = clean_text(forms.field(form, "reason", 600), multiline=True)
        if not reason:
            problem = tr(
                language(request), "Décrivez ce qui s'est passé.", "Describe what happened."
            )
            return await self._booking(
                web, request, session, calendar_service, now, booking_id, status=422, error=problem
            )

        async def action() -> None:
            await moderation.report_booking(session, booking_id, me(request), reason, now)

        return await self._act(
            web, request, session, calendar_service, now, booking_id, action, "reported"
        )

    async def _booking(
        self,
        web: Web,
        request: Request[Any, Any, Any],
        session: AsyncSession,
        calendar_service: CalendarService | None,
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
        conn = await calendar_status(calendar_service, mentor_id)
        warning = next(
            (w for w in (conn.warnings if conn else ()) if w.booking_id == booking_id), None
        )
        return page(
            web,
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
        self,
        web: Web,
        request: Request[Any, Any, Any],
        session: AsyncSession,
        calendar_service: CalendarService | None,
        now: datetime,
        booking_id: UUID,
        action: Callable[[], Awaitable[None]],
        ok: str,
    ) -> Response[str]:
        """Run ``action``; a refusal shows the booking again with the reason, a success goes
        home with ``ok`` as the flash message."""
        try:
            await action()
        except NotFound:
            raise
        except (SchedulingError, AvailabilityError) as error:
            return await self._booking(
                web,
                request,
                session,
                calendar_service,
                now,
                booking_id,
                status=error.status if isinstance(error, SchedulingError) else 422,
                error=error_text(error, language(request)),
            )
        return web.redirect(f"/mentor?ok={ok}")
