"""The mentor's bookings: the home page (upcoming and past), one booking, and what the mentor
does to one (cancel, record a no-show, report). Another mentor's booking is answered like an
unknown one (404)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

from litestar import Controller, Request, Response, get, post
from litestar.di import NamedDependency, Provide
from sqlalchemy.ext.asyncio import AsyncSession

from api.deps import Now, Session
from api.space import forms
from api.space.deps import MaybeCalendar, Pages
from api.space.forms import tr
from api.space.mentor.common import calendar_status, me, not_onboarded, page
from api.space.web import Web, error_text, language
from api.text import clean_text
from availability import AvailabilityError
from scheduler import booking as booking_service
from scheduler import catalog
from scheduler.calendar import CalendarService
from scheduler.platform import Actor, NotFound, SchedulingError
from scheduler.staff import moderation, question_themes

UPCOMING_REACH = timedelta(days=366)
PAST_REACH = timedelta(days=120)
PAST_SHOWN = 30
# A page lists this many upcoming bookings at most (the next ones first), whatever is ahead.
UPCOMING_SHOWN = 50


@dataclass(frozen=True)
class _OneBooking:
    """A request on one of the signed-in mentor's bookings, with what showing it needs."""

    web: Web
    request: Request[Any, Any, Any]
    session: AsyncSession
    calendar_service: CalendarService | None
    now: datetime
    booking_id: UUID

    async def show(
        self, *, status: int = 200, error: str | None = None, opened: str | None = None
    ) -> Response[str]:
        """The booking's page (another mentor's booking is a 404, like an unknown one);
        ``opened`` names the folded form shown open again (``cancel``, ``report``)."""
        mentor_id = me(self.request)
        found = await booking_service.get_booking(self.session, self.booking_id)
        if found.mentor_id != mentor_id:
            raise NotFound("no such booking")
        mentor = await catalog.get_mentor(self.session, mentor_id)
        reported = self.booking_id in await moderation.reported_booking_ids(self.session, mentor_id)
        filieres = {f.id: f for f in await catalog.list_filieres(self.session)}
        conn = await calendar_status(self.calendar_service, mentor_id)
        warning = next(
            (w for w in (conn.warnings if conn else ()) if w.booking_id == self.booking_id), None
        )
        return page(
            self.web,
            self.request,
            "mentor/booking.html",
            mentor,
            http_status=status,
            b=found,
            reported=reported,
            filieres=filieres,
            warning=warning,
            error=error,
            cancel_error=opened == "cancel",
            report_error=opened == "report",
            now=self.now,
        )

    async def act(self, action: Callable[[], Awaitable[None]], ok: str) -> Response[str]:
        """Run ``action``; a refusal shows the booking again with the reason, a success goes
        home with ``ok`` as the flash message."""
        try:
            await action()
        except NotFound:
            raise
        except (SchedulingError, AvailabilityError) as error:
            return await self.show(
                status=error.status if isinstance(error, SchedulingError) else 422,
                error=error_text(error, language(self.request)),
            )
        return self.web.redirect(f"/mentor?ok={ok}")


def _one_booking(
    request: Request[Any, Any, Any],
    session: Session,
    now: Now,
    web: Pages,
    calendar_service: MaybeCalendar,
    booking_id: UUID,
) -> _OneBooking:
    return _OneBooking(web, request, session, calendar_service, now, booking_id)


OneBooking = NamedDependency[_OneBooking]


class MentorBookingsController(Controller):
    path = "/"
    # The booking pages' handlers are given the booking's request as one value.
    dependencies = {"here": Provide(_one_booking, sync_to_thread=False)}

    @get("/")
    async def home(
        self,
        request: Request[Any, Any, Any],
        session: Session,
        now: Now,
        web: Pages,
        calendar_service: MaybeCalendar,
    ) -> Response[str]:
        elsewhere = await not_onboarded(web, request, session, "profile")
        if elsewhere is not None:
            return elsewhere
        mentor_id = me(request)
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
        asked = await question_themes.mentor_themes(session, mentor_id)
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
            asked=asked,
        )

    @get("/bookings/{booking_id:uuid}")
    async def booking_page(
        self, request: Request[Any, Any, Any], here: OneBooking
    ) -> Response[str]:
        return await here.show()

    @post("/bookings/{booking_id:uuid}/cancel")
    async def cancel(self, request: Request[Any, Any, Any], here: OneBooking) -> Response[str]:
        reason = await _reason(request)
        if not reason:
            problem = tr(
                language(request),
                "Dites au visiteur pourquoi vous annulez.",
                "Tell the visitor why you cancel.",
            )
            return await here.show(status=422, error=problem, opened="cancel")

        async def action() -> None:
            await booking_service.cancel_by_mentor(
                here.session, here.booking_id, me(request), here.now, reason
            )

        return await here.act(action, "cancelled")

    @post("/bookings/{booking_id:uuid}/no-show")
    async def no_show(self, request: Request[Any, Any, Any], here: OneBooking) -> Response[str]:
        async def action() -> None:
            await booking_service.mark_no_show(
                here.session,
                here.booking_id,
                here.now,
                Actor.mentor(me(request)),
                mentor_id=me(request),
            )

        return await here.act(action, "no_show")

    @post("/bookings/{booking_id:uuid}/report")
    async def report(self, request: Request[Any, Any, Any], here: OneBooking) -> Response[str]:
        reason = await _reason(request)
        if not reason:
            problem = tr(
                language(request), "Décrivez ce qui s'est passé.", "Describe what happened."
            )
            return await here.show(status=422, error=problem, opened="report")

        async def action() -> None:
            await moderation.report_booking(
                here.session, here.booking_id, me(request), reason, here.now
            )

        return await here.act(action, "reported")


async def _reason(request: Request[Any, Any, Any]) -> str:
    """The form's ``reason`` (a cancellation's, a report's), cleaned; empty when missing."""
    return clean_text(forms.field(await request.form(), "reason", 600), multiline=True)
