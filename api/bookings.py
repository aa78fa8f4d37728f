"""Public booking routes: book, and the visitor's manage link (view, cancel, reschedule, ICS)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from litestar import Controller, Request, Response, get, post
from litestar.di import Provide
from litestar.params import HeaderParameter
from sqlalchemy.ext.asyncio import AsyncSession

from api import schemas
from api.convert import booking_out, mentor_profile
from api.decoding import instant
from api.deps import AppSettings, Now, Session
from api.google import BusyChecker, provide_busy_check
from api.limits import check_booking, check_reschedule
from api.text import clean_text
from integrations.ics import Method, invite
from scheduler import booking as bookings
from scheduler import catalog
from scheduler.booking import LIVE_STATUS, BookingRecord, BookResult
from scheduler.platform import Settings, ValidationFailed

IdempotencyKey = Annotated[
    str | None,
    HeaderParameter(
        name="Idempotency-Key",
        description="A client-chosen key: a retry with the same key and body returns the same booking.",
        max_length=200,
    ),
]


def _created(settings: Settings, result: BookResult, mentor_name: str) -> schemas.BookingCreated:
    booking = result.booking
    base = settings.http.public_url.rstrip("/")
    return schemas.BookingCreated(
        booking=booking_out(booking, mentor_name),
        manage_url=bookings.manage_url(base, booking.id, result.manage_token),
        manage_token=result.manage_token,
        ics_url=f"{base}/v1/bookings/manage/{result.manage_token}/invite.ics",
        join_url=bookings.join_url(base, settings.secrets.secret_key, booking.series_id, "visitor"),
    )


def visitor_request(
    data: schemas.BookingRequest | schemas.VerificationRequest | schemas.FirstAvailableRequest,
) -> tuple[bookings.CheckedVisitor, datetime]:
    """The visitor and the slot start of a booking request, checked once for every route that
    books (``bookings.checked``: the email's syntax check is done here and nowhere after)."""
    if not data.consent:
        raise ValidationFailed("consent: the visitor must accept how their data is used")
    basis = bookings.consent_basis(data.age, data.parent_agreed)
    first_name = clean_text(data.first_name)
    if not first_name:
        raise ValidationFailed("first_name: required")
    question = clean_text(data.question, multiline=True) if data.question else None
    visitor = bookings.checked(
        bookings.Visitor(
            first_name=first_name,
            email=data.email,
            question=question or None,
            timezone=data.timezone,
            language=data.language,
            consent_basis=basis,
        )
    )
    return visitor, instant(data.start, "start")


async def verified_booker(
    session: AsyncSession, settings: Settings, now: datetime, *, email: str, proof: str | None
) -> None:
    """The step every booking route takes before booking (booker email verification and the
    cap on live bookings, ``scheduler.booking.verification.require_verified``): a new way of
    booking calls it too."""
    await bookings.verification.require_verified(
        session,
        email=email,
        proof=proof,
        now=now,
        secret_key=settings.secrets.secret_key,
        verification=settings.http.booking_email_verification,
        live_cap=settings.http.booking_live_per_email,
    )


class BookingController(Controller):
    path = "/v1/bookings"
    tags = ["bookings"]
    # Fresh Google busy time for the mentor being booked (None without Google: cache only).
    dependencies = {"busy_check": Provide(provide_busy_check, sync_to_thread=False)}

    @post("", summary="Book a slot", status_code=201)
    async def create(
        self,
        request: Request[Any, Any, Any],
        session: Session,
        settings: AppSettings,
        now: Now,
        data: schemas.BookingRequest,
        busy_check: BusyChecker,
        idempotency_key: IdempotencyKey = None,
    ) -> schemas.BookingCreated:
        visitor, slot_start = visitor_request(data)
        await check_booking(
            request,
            session,
            settings,
            now,
            email=visitor.email,
            mentor_id=data.mentor_id,
            slot_start=slot_start,
        )
        await verified_booker(session, settings, now, email=visitor.email, proof=data.email_proof)
        # The mentor is read by the booking's first statement (its name comes back with the
        # result): a lost race costs one read.
        result = await bookings.book(
            session,
            mentor_id=data.mentor_id,
            slot_start=slot_start,
            visitor=visitor,
            now=now,
            idempotency_key=idempotency_key,
            filiere=data.filiere,
            busy_check=busy_check,
            request_secret=settings.secrets.secret_key,
        )
        return _created(settings, result, result.mentor_name)

    @get("/manage/{token:str}", summary="A booking, seen through the visitor's manage link")
    async def view(
        self, session: Session, settings: AppSettings, now: Now, token: str
    ) -> schemas.ManagedBooking:
        booking_id = await bookings.booking_id_for_token(session, token)
        record = await bookings.get_booking_by_token(session, booking_id, token, now)
        return await self._managed(session, settings, record, now)

    @post("/manage/{token:str}/cancel", summary="Cancel through the manage link", status_code=200)
    async def cancel(
        self,
        session: Session,
        settings: AppSettings,
        now: Now,
        token: str,
        data: schemas.CancelRequest,
    ) -> schemas.ManagedBooking:
        reason = clean_text(data.reason, multiline=True) if data.reason else None
        booking_id = await bookings.booking_id_for_token(session, token)
        record = await bookings.cancel_by_token(session, booking_id, token, now, reason or None)
        return await self._managed(session, settings, record, now)

    @post(
        "/manage/{token:str}/reschedule",
        summary="Move to another slot through the manage link",
        status_code=200,
    )
    async def reschedule(
        self,
        request: Request[Any, Any, Any],
        session: Session,
        settings: AppSettings,
        now: Now,
        token: str,
        data: schemas.RescheduleRequest,
        busy_check: BusyChecker,
    ) -> schemas.BookingCreated:
        booking_id = await bookings.booking_id_for_token(session, token)
        start = instant(data.start, "start")
        await check_reschedule(request, session, settings, now, booking_id=booking_id)
        result = await bookings.reschedule_by_token(
            session, booking_id, token, start, now, busy_check=busy_check
        )
        mentor = await catalog.get_mentor(session, result.booking.mentor_id)
        return _created(settings, result, mentor.display_name)

    @get(
        "/manage/{token:str}/invite.ics",
        summary="The booking as an iCalendar invite (add to calendar)",
        media_type="text/calendar",
    )
    async def invite(
        self, session: Session, settings: AppSettings, now: Now, token: str
    ) -> Response[bytes]:
        booking_id = await bookings.booking_id_for_token(session, token)
        await bookings.get_booking_by_token(session, booking_id, token, now)
        view = await bookings.load_booking_view(
            session,
            booking_id,
            settings.http.public_url,
            now,
            issue_manage_token=False,
            secret_key=settings.secrets.secret_key,
        )
        method: Method = "REQUEST" if view.status == LIVE_STATUS else "CANCEL"
        return Response(
            invite(view, method, now, organizer=settings.smtp.mail_from),
            media_type="text/calendar; charset=utf-8",
            headers={"Content-Disposition": 'attachment; filename="thotis.ics"'},
        )

    async def _managed(
        self, session: AsyncSession, settings: Settings, record: BookingRecord, now: datetime
    ) -> schemas.ManagedBooking:
        mentor = await catalog.get_mentor(session, record.mentor_id)
        live = record.status == LIVE_STATUS and record.start > now
        return schemas.ManagedBooking(
            booking=booking_out(record, mentor.display_name),
            mentor=await mentor_profile(session, mentor),
            first_name=record.visitor_first_name or "",
            question=record.visitor_question,
            can_cancel=live,
            can_reschedule=live and mentor.active and not mentor.paused,
            join_url=bookings.join_url(
                settings.http.public_url, settings.secrets.secret_key, record.series_id, "visitor"
            ),
        )
