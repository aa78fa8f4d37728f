"""Public routes of "Le premier étudiant disponible": a filière's merged calendar, and a booking
with whichever of its mentors is free at the chosen time (``scheduler.booking.first_free``)."""

from __future__ import annotations

from typing import Any

from litestar import Controller, MediaType, Request, Response, get, post
from litestar.di import Provide

from api import schemas
from api.bookings import IdempotencyKey, _created, verified_booker, visitor_request
from api.convert import filiere_out
from api.deps import AppSettings, Now, Session
from api.google import BusyChecker, provide_busy_check
from api.limits import check_first_available
from api.public import SlotsFrom, SlotsTo, Slug, Timezone, slot_range
from api.slot_json import filiere_answer
from availability import zone
from scheduler import booking as bookings
from scheduler import catalog


class FirstAvailableController(Controller):
    path = "/v1"
    tags = ["first available"]
    dependencies = {"busy_check": Provide(provide_busy_check, sync_to_thread=False)}

    @get(
        "/filieres/{slug:str}/slots",
        summary="Every time at which a mentor of the field of study is free, by local date",
    )
    async def filiere_slots(
        self,
        session: Session,
        now: Now,
        slug: Slug,
        tz: Timezone = "Europe/Paris",
        start: SlotsFrom = None,
        end: SlotsTo = None,
    ) -> Response[schemas.FiliereSlots]:
        zone(tz)
        begin, finish = slot_range(now, start, end)
        found = await bookings.filiere_calendar(session, slug, now, begin, finish)
        body = filiere_answer(filiere_out(found.filiere), tz, found.runs)
        # The body is a FiliereSlots already encoded; the annotation keeps it in the OpenAPI.
        return Response(body, media_type=MediaType.JSON)  # type: ignore[arg-type]

    @post(
        "/bookings/first-available",
        summary="Book a time with the first available mentor of a field of study",
        status_code=201,
    )
    async def book(
        self,
        request: Request[Any, Any, Any],
        session: Session,
        settings: AppSettings,
        now: Now,
        data: schemas.FirstAvailableRequest,
        busy_check: BusyChecker,
        idempotency_key: IdempotencyKey = None,
    ) -> schemas.BookingCreated:
        visitor, slot_start = visitor_request(data)
        email = visitor.email
        await check_first_available(
            request,
            session,
            settings,
            now,
            email=email,
            filiere=data.filiere,
            slot_start=slot_start,
        )
        # The same step as every booking route: the cap, then the proof of the address.
        await verified_booker(session, settings, now, email=email, proof=data.email_proof)
        result = await bookings.book_first_free(
            session,
            filiere=data.filiere,
            slot_start=slot_start,
            visitor=visitor,
            now=now,
            idempotency_key=idempotency_key,
            busy_check=busy_check,
            request_secret=settings.secrets.secret_key,
        )
        # The confirmation names the mentor the request went to.
        mentor = await catalog.get_mentor(session, result.booking.mentor_id)
        return _created(settings, result, mentor.display_name)
