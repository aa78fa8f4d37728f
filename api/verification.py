"""Booker email verification at the HTTP door (issue 18; the rules are
``scheduler.booking.verification``'s).

    POST /v1/bookings/verifications        the booking request → 202: the slot is held and a
                                           6-digit code mailed to the visitor (429
                                           ``too_many_verifications`` past the hourly limit of
                                           its client address, ``too_many_holds`` when the
                                           mentor has all the holds they may have)
    POST /v1/bookings/verifications/{id}   the code → 201: the booking, with ``email_proof``

``api.bookings.verified_booker`` is the step every booking route calls before booking (the cap
on a visitor's live bookings, then a valid ``email_proof`` when ``BOOKING_EMAIL_VERIFICATION``
is on), so any new way of booking applies the same rule by calling it.
"""

from __future__ import annotations

from datetime import datetime
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from typing import Any
from uuid import UUID, uuid4

from litestar import Controller, Request, post
from litestar.di import Provide

from api import schemas
from api.bookings import _created, visitor_request
from api.deps import AppSettings, Now, Session
from api.google import BusyChecker, provide_busy_check
from api.limits import (
    check_booking,
    check_first_available,
    check_verification,
    check_verification_start,
)
from integrations.mail_policy import MAIL_POLICY
from integrations.messages import Brand
from scheduler import booking as bookings
from scheduler import catalog
from scheduler.booking import verification
from scheduler.calendar import SecretBox, SecretUnreadable
from scheduler.messaging import Mailer
from scheduler.platform import (
    Clock,
    Database,
    PermanentDeliveryError,
    Settings,
    SlotTaken,
    TooManyHolds,
    ValidationFailed,
    outbox,
)


class VerificationController(Controller):
    path = "/v1/bookings/verifications"
    tags = ["bookings"]
    dependencies = {"busy_check": Provide(provide_busy_check, sync_to_thread=False)}

    @post(
        "",
        summary="Hold a slot and mail the visitor a code to confirm their address",
        status_code=202,
    )
    async def start(
        self,
        request: Request[Any, Any, Any],
        session: Session,
        settings: AppSettings,
        now: Now,
        data: schemas.VerificationRequest,
        busy_check: BusyChecker,
    ) -> schemas.VerificationStarted:
        visitor, slot_start = visitor_request(data)
        await check_verification_start(request, session, settings, now)
        if data.mentor_id is None:
            if data.filiere is None:
                raise ValidationFailed("mentor_id or filiere: one of them is required")
            await check_first_available(
                request,
                session,
                settings,
                now,
                email=visitor.email,
                filiere=data.filiere,
                slot_start=slot_start,
            )
        else:
            await check_booking(
                request,
                session,
                settings,
                now,
                email=visitor.email,
                mentor_id=data.mentor_id,
                slot_start=slot_start,
            )
        await verification.check_live_cap(
            session, visitor.email, now, settings.http.booking_live_per_email
        )
        # With only a filière, the slot of its first free mentor (in the first-available
        # booking's fair order) is held; one taken meanwhile, or with all the holds they may
        # have, passes to the next.
        mentors = (
            [data.mentor_id]
            if data.mentor_id is not None
            else await bookings.candidates(
                session, data.filiere or "", slot_start, now, uuid4().hex
            )
        )
        for index, mentor_id in enumerate(mentors):
            try:
                pending = await verification.start_verification(
                    session,
                    mentor_id=mentor_id,
                    slot_start=slot_start,
                    visitor=visitor,
                    now=now,
                    secret_key=settings.secrets.secret_key,
                    sealer=SecretBox(settings.secrets),
                    filiere=data.filiere,
                    busy_check=busy_check,
                    holds_per_mentor=settings.http.verification_holds_per_mentor,
                )
                break
            except (SlotTaken, TooManyHolds):
                if index == len(mentors) - 1:
                    raise
        return schemas.VerificationStarted(
            verification_id=pending.hold_id,
            expires_at=pending.expires_at,
            code_length=verification.CODE_DIGITS,
            max_attempts=verification.MAX_ATTEMPTS,
        )

    @post(
        "/{verification_id:uuid}",
        summary="Confirm the address with the mailed code: the booking is made",
        status_code=201,
    )
    async def confirm(
        self,
        request: Request[Any, Any, Any],
        session: Session,
        settings: AppSettings,
        now: Now,
        verification_id: UUID,
        data: schemas.VerificationCode,
    ) -> schemas.BookingCreated:
        await check_verification(request, session, settings, now, verification_id=verification_id)
        result = await verification.confirm_verification(
            session,
            hold_id=verification_id,
            code=data.code,
            now=now,
            secret_key=settings.secrets.secret_key,
            live_cap=settings.http.booking_live_per_email,
        )
        mentor = await catalog.get_mentor(session, result.booking.mentor_id)
        created = _created(settings, result, mentor.display_name)
        created.email_proof = verification.email_proof(
            settings.secrets.secret_key, result.booking.visitor_email or "", now
        )
        return created


def code_message(
    brand: Brand, *, to_email: str, code: str, minutes: int, language: str, now: datetime
) -> EmailMessage:
    """The code mail: the visitor's language first, then the other one. Nothing else in it
    (no mentor, no slot): whoever reads it learns only that someone typed this address."""
    french = (
        f"Ton code de confirmation Thotis : {code}\n\n"
        f"Saisis-le dans le formulaire de réservation. Il est valable {minutes} minutes.\n"
        "Si tu n'as rien demandé, ignore ce message : aucun rendez-vous ne sera pris."
    )
    english = (
        f"Your Thotis confirmation code: {code}\n\n"
        f"Type it in the booking form. It is valid for {minutes} minutes.\n"
        "If you did not ask for it, ignore this message: no booking will be made."
    )
    first, second = (english, french) if language == "en" else (french, english)
    message = EmailMessage(policy=MAIL_POLICY)
    message["Subject"] = (
        f"{code} : ton code Thotis / your Thotis code"
        if language != "en"
        else f"{code}: your Thotis code / ton code Thotis"
    )
    message["From"] = brand.mail_from
    local_part, _, domain = to_email.rpartition("@")
    message["To"] = Address(username=local_part, domain=domain)
    message["Date"] = format_datetime(now)
    message["Message-ID"] = make_msgid(domain=brand.domain)
    message["Auto-Submitted"] = "auto-generated"
    message["X-Thotis-Kind"] = "verification_code"
    message["Content-Language"] = "en, fr" if language == "en" else "fr, en"
    message.set_content(f"{first}\n\n— — —\n\n{second}\n\nThotis\n", charset="utf-8")
    return message


def verification_code_handler(
    settings: Settings, database: Database, mailer: Mailer, clock: Clock
) -> outbox.Handler:
    """The outbox handler of ``MAIL_VERIFICATION_CODE``: mail the code while its hold waits."""
    box = SecretBox(settings.secrets)
    brand = Brand.from_settings(settings)

    async def handle(message: outbox.OutboxMessage) -> None:
        now = clock()
        try:
            async with database.session() as session:
                mail = await verification.code_mail(
                    session, dict(message.payload), sealer=box, now=now
                )
        except SecretUnreadable as error:
            raise PermanentDeliveryError("the sealed code cannot be opened") from error
        if mail is None:  # confirmed or expired meanwhile
            return
        minutes = max(1, int((mail.expires_at - now).total_seconds() // 60))
        await mailer.send(
            code_message(
                brand,
                to_email=mail.email,
                code=mail.code,
                minutes=minutes,
                language=mail.language,
                now=now,
            )
        )

    return handle
