"""The composition of the outside world: the parts the app and the worker are built from (the
database, the adapters for mail and Google, the clock) and the outbox handlers that use them.
``api.cli`` builds the parts once and passes them down; so does a test, with fakes."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from uuid import UUID

from api.space.auth.link import sign_in_link_handler
from api.verification import verification_code_handler
from integrations.digest import compose_digest
from integrations.google import GoogleCalendarProvider
from integrations.mail import mailer_from_settings
from integrations.messages import RECIPIENTS, Brand, Kind, compose, message_id
from integrations.webhook_mail import endpoint_disabled
from integrations.webhooks import HttpWebhookSender
from scheduler import booking
from scheduler.booking import LIVE_STATUS, BookingView, feedback, purge_job
from scheduler.calendar import (
    CalendarProvider,
    CalendarService,
    SecretBox,
    SecretUnreadable,
    calendar_handlers,
    calendar_jobs,
    has_event_calendar,
)
from scheduler.messaging import (
    Mailer,
    UrlPolicy,
    WebhookSender,
    delivery,
    digest,
    webhook_delivery,
    webhooks,
)
from scheduler.platform import (
    Clock,
    Database,
    PeriodicJob,
    PermanentDeliveryError,
    Settings,
    Worker,
    outbox,
    rate_limits,
    system_clock,
)
from scheduler.staff import privacy_requests, theme_computation

log = logging.getLogger("thotis.wiring")


MAIL_KINDS: Mapping[str, Kind] = {
    outbox.MAIL_BOOKING_CONFIRMED: "booked",
    outbox.MAIL_BOOKING_CANCELLED: "cancelled",
    outbox.MAIL_BOOKING_RESCHEDULED: "rescheduled",
    outbox.MAIL_REMINDER_24H: "reminder_24h",
    outbox.MAIL_REMINDER_1H: "reminder_1h",
    outbox.MAIL_FOLLOWUP: "follow_up",
}
# Reminders and the follow-up only make sense for a meeting that still takes place.
_NEEDS_LIVE = {"reminder_24h", "reminder_1h", "follow_up"}
# What a mentor who chose the daily digest hears of in the digest instead of one mail each.
# Cancellations and reminders still go to them one by one: they need acting on that day.
_IN_DIGEST = {"booked", "rescheduled"}
DIGEST_EVERY = timedelta(hours=1)


# The booking-time re-check runs while a visitor waits: answer fast or fall back to the cache.
CHECK_TIMEOUT_SECONDS = 4.0
CHECK_RETRIES = 1


@dataclass(frozen=True, slots=True)
class Parts:
    """What the app and the worker are made of, built once by whoever composes them."""

    database: Database
    mailer: Mailer
    # Google Calendar, when the deployment has an OAuth client (GOOGLE_CLIENT_ID).
    calendar: CalendarProvider | None = None
    # The same provider with short retries, for the re-check while a visitor waits.
    calendar_check: CalendarProvider | None = None
    clock: Clock = system_clock
    # The webhooks' HTTP client; None: the real one built from the settings.
    webhooks: WebhookSender | None = None

    def calendar_service(self, settings: Settings) -> CalendarService | None:
        if self.calendar is None:
            return None
        return CalendarService(
            self.database,
            self.calendar,
            settings,
            check_provider=self.calendar_check or self.calendar,
            clock=self.clock,
        )


def build_parts(settings: Settings, database: Database, *, clock: Clock = system_clock) -> Parts:
    """The deployment's parts: SMTP (or the dev outbox) and, with an OAuth client, Google."""
    calendar = check = None
    if settings.google.client_id:
        calendar = GoogleCalendarProvider(settings.google)
        check = GoogleCalendarProvider(
            settings.google, num_retries=CHECK_RETRIES, timeout_seconds=CHECK_TIMEOUT_SECONDS
        )
    return Parts(
        database,
        mailer_from_settings(settings.smtp),
        calendar,
        check,
        clock,
        HttpWebhookSender(settings.webhooks, UrlPolicy.from_settings(settings)),
    )


def feedback_url(settings: Settings, booking_id: UUID) -> str:
    token = feedback.feedback_token(settings.secrets.secret_key, booking_id)
    return f"{settings.http.public_url.rstrip('/')}/v1/feedback/{booking_id}?token={token}"


def _mail_handler(
    kind: Kind, settings: Settings, database: Database, mailer: Mailer, clock: Clock
) -> outbox.Handler:
    brand = Brand.from_settings(settings)

    async def handle(message: outbox.OutboxMessage) -> None:
        booking_id = UUID(str(message.payload["booking_id"]))
        now = clock()
        # One session for everything the mails are made of (the view commits its manage
        # token and the reads after it start again): each session costs a checkout.
        async with database.session() as session:
            view: BookingView = await booking.load_booking_view(
                session,
                booking_id,
                settings.http.public_url,
                now,
                issue_manage_token=kind != "cancelled",
                secret_key=settings.secrets.secret_key,
            )
            if kind in _NEEDS_LIVE and view.status != LIVE_STATUS:
                log.info("skipped %s for booking %s: %s", kind, booking_id, view.status)
                return
            calendar_holds_event = await has_event_calendar(session, view.mentor_id)
            in_digest = kind in _IN_DIGEST and await digest.prefers_digest(session, view.mentor_id)
            wanted = ("visitor",) if in_digest else RECIPIENTS[kind]
            ids = {who: message_id(view, kind, who, brand.domain) for who in wanted}
            sent = await delivery.already_sent(session, list(ids.values()))
        # Only the mails a crash or a failure left unsent are composed again.
        letters = compose(
            kind,
            view,
            brand,
            recipients=[who for who in wanted if ids[who] not in sent],
            now=now,
            feedback_url=feedback_url(settings, booking_id) if kind == "follow_up" else None,
            # The engine writes the event into a connected Google calendar; a second invite
            # with another UID would give the mentor the meeting twice.
            mentor_invite=not calendar_holds_event,
        )
        failures = await delivery.send_letters(database, mailer, message, letters)
        if failures:
            transient = [f for f in failures if not isinstance(f, PermanentDeliveryError)]
            raise (transient or failures)[0]

    return handle


def digest_job(settings: Settings, database: Database, mailer: Mailer, clock: Clock) -> PeriodicJob:
    """Hourly: each mentor who chose the digest gets one per local day, at or after 07:00
    their time (``scheduler.messaging.digest``), and none when there is nothing to say."""
    brand = Brand.from_settings(settings)

    def mentor_join(series_id: UUID) -> str:
        return booking.join_url(
            settings.http.public_url, settings.secrets.secret_key, series_id, "mentor"
        )

    async def run() -> None:
        now = clock()
        async with database.session() as session:
            due = await digest.due_mentor_ids(session, now)
        for mentor_id in due:
            try:
                async with digest.claim(database, mentor_id, now) as content:
                    if content is not None and not content.empty:
                        await mailer.send(
                            compose_digest(content, brand, now=now, join_link=mentor_join)
                        )
            except Exception as error:
                # One mentor's refused mail must not hold back the others' digests; the
                # day stays unclaimed and the next run tries again. The error's type only:
                # an SMTP refusal quotes the address.
                log.warning("digest for mentor %s not sent: %s", mentor_id, type(error).__name__)

    return PeriodicJob("mentor_digest", run, DIGEST_EVERY)


async def _no_calendar(message: outbox.OutboxMessage) -> None:
    """Until a mentor connects Google Calendar there is no event to write: the invite attached
    to the mentor's email is their calendar entry."""
    log.info("no calendar connection: %s for %s skipped", message.kind, message.payload)


def build_handlers(
    settings: Settings, parts: Parts, calendar: CalendarService | None
) -> dict[str, outbox.Handler]:
    handlers: dict[str, outbox.Handler] = {
        kind: _mail_handler(mail_kind, settings, parts.database, parts.mailer, parts.clock)
        for kind, mail_kind in MAIL_KINDS.items()
    }
    handlers[outbox.MAIL_SIGN_IN_LINK] = sign_in_link_handler(
        settings, parts.database, parts.mailer, parts.clock
    )
    handlers[outbox.MAIL_VERIFICATION_CODE] = verification_code_handler(
        settings, parts.database, parts.mailer, parts.clock
    )
    handlers[outbox.CALENDAR_UPSERT_EVENT] = _no_calendar
    handlers[outbox.CALENDAR_CANCEL_EVENT] = _no_calendar
    handlers |= webhook_handlers(settings, parts)
    if calendar is not None:
        # A mentor without a connection is skipped inside (their invite is their entry).
        # The confirmation mail is queued before the event row and usually leaves before the
        # Meet link exists: the link reaches the visitor with the reminders (which load the
        # booking at send time) and through the mentor's calendar invitation.
        handlers |= calendar_handlers(calendar)
    return handlers


def webhook_handlers(settings: Settings, parts: Parts) -> dict[str, outbox.Handler]:
    """The fan-out of an event, the delivery of one message, the mail that tells staff an
    endpoint was switched off (``scheduler.messaging.webhook_delivery``)."""
    database, clock = parts.database, parts.clock
    box = SecretBox(settings.secrets)
    sender = parts.webhooks or HttpWebhookSender(
        settings.webhooks, UrlPolicy.from_settings(settings)
    )

    async def fan_out(message: outbox.OutboxMessage) -> None:
        await webhook_delivery.fan_out(database, message.id, message.payload, clock())

    async def deliver(message: outbox.OutboxMessage) -> None:
        try:
            await _deliver(message)
        except SecretUnreadable as error:
            raise PermanentDeliveryError(
                "the endpoint's signing secret cannot be opened"
            ) from error

    async def _deliver(message: outbox.OutboxMessage) -> None:
        await webhook_delivery.deliver(
            database,
            sender,
            str(message.payload["message_id"]),
            now=clock(),
            signed_at=system_clock(),
            attempt=message.attempts + 1,
            max_attempts=settings.worker.outbox_max_attempts,
            disable_after=settings.webhooks.disable_after,
            sealer=box,
        )

    async def tell_staff(message: outbox.OutboxMessage) -> None:
        if not settings.access.staff_emails:
            log.warning("webhook endpoint switched off; no STAFF_EMAILS to tell")
            return
        async with database.session() as session:
            endpoint = await webhooks.get_endpoint(
                session, UUID(str(message.payload["endpoint_id"])), box
            )
        await parts.mailer.send(
            endpoint_disabled(
                endpoint,
                settings.access.staff_emails,
                settings.smtp.mail_from,
                settings.http.public_url,
                message.id,
            )
        )

    return {
        outbox.WEBHOOK_EVENT: fan_out,
        outbox.WEBHOOK_DELIVER: deliver,
        outbox.MAIL_WEBHOOK_DISABLED: tell_staff,
    }


def build_worker(settings: Settings, parts: Parts) -> Worker:
    database, clock = parts.database, parts.clock
    periodic: list[PeriodicJob] = [
        purge_job(database, settings.privacy.retention_days, clock),
        webhook_delivery.log_purge_job(database, settings.webhooks.log_retention_days, clock),
        digest_job(settings, database, parts.mailer, clock),
        rate_limits.purge_job(database, clock),
        privacy_requests.purge_requests_job(database, clock),
        booking.verification.holds_purge_job(database, clock),
        theme_computation.themes_job(database, clock),
    ]
    service = parts.calendar_service(settings)
    if service is not None:
        periodic += calendar_jobs(service)
    return Worker(
        database,
        settings,
        build_handlers(settings, parts, service),
        periodic,
        clock=clock,
    )
