"""A mentor's own routes (``/v1/me``): availability, booking policy, bookings, slot preview.

Every route acts on the mentor the bearer token belongs to (``me``, set by ``mentor_guard``);
no route takes a mentor id, so there is nothing to point at another mentor. A booking id of
another mentor is answered exactly like an unknown one (404 ``not_found``).
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Annotated, Literal
from uuid import UUID

from litestar import Controller, delete, get, post, put
from litestar.di import Provide
from litestar.params import Parameter, QueryParameter
from sqlalchemy.ext.asyncio import AsyncSession

from api import admin_schemas as out
from api import schemas
from api.auth import MENTOR_SCHEME, Me, mentor_guard, provide_mentor_id
from api.convert import response
from api.decoding import TIMEZONE_PATTERN
from api.deps import AppSettings, Now, Session
from api.text import clean_text
from availability import TimeRange, group_by_local_date, supported_date, zone
from availability.rules import format_wall_time
from scheduler import booking as booking_service
from scheduler import catalog
from scheduler.booking import BookingRecord, BookingStatus
from scheduler.catalog import MentorRecord
from scheduler.platform import Actor, Settings, ValidationFailed
from scheduler.schedules import mentor_slots
from scheduler.schedules import rules as schedules

PREVIEW_DAYS = 7
# How far back "past" and ahead "upcoming" reach: a year either way.
LIST_REACH = timedelta(days=366)
LIVE_LIST_STATUSES = (BookingStatus.CONFIRMED, BookingStatus.CANCELLED)
PAST_LIST_STATUSES = (BookingStatus.CONFIRMED, BookingStatus.NO_SHOW, BookingStatus.CANCELLED)

# Named ``when`` in Python: Litestar reserves ``scope`` for the ASGI scope.
Scope = Annotated[
    Literal["upcoming", "past"],
    QueryParameter(
        name="scope",
        description=(
            "upcoming: meetings that have not ended, soonest first (cancelled ones included, "
            "with their reason); past: meetings that have ended, latest first."
        ),
    ),
]
Limit = Annotated[int, Parameter(ge=1, le=500, description="At most this many bookings.")]


def _ranges(ranges: tuple[TimeRange, ...]) -> list[list[str]]:
    return [[format_wall_time(r.start), format_wall_time(r.end)] for r in ranges]


def mentor_account(mentor: MentorRecord) -> out.MentorAccount:
    return response(out.MentorAccount, mentor)


def _policy_out(policy: schedules.PolicySettings) -> out.PolicyBody:
    return response(out.PolicyBody, policy)


async def _slugs(session: AsyncSession) -> dict[UUID, str]:
    return {f.id: f.slug for f in await catalog.list_filieres(session)}


def _booking_out(
    record: BookingRecord, slugs: dict[UUID, str], settings: Settings
) -> out.MentorBooking:
    filiere = slugs.get(record.filiere_id) if record.filiere_id else None
    join = booking_service.join_url(
        settings.http.public_url, settings.secrets.secret_key, record.series_id, "mentor"
    )
    return response(out.MentorBooking, record, filiere=filiere, join_url=join)


class MentorController(Controller):
    path = "/v1/me"
    tags = ["mentor"]
    guards = [mentor_guard]
    dependencies = {"me": Provide(provide_mentor_id, sync_to_thread=False)}
    security = [{MENTOR_SCHEME: []}]

    @get("", summary="My mentor account")
    async def account(self, session: Session, me: Me) -> out.MentorAccount:
        return mentor_account(await catalog.get_mentor(session, me))

    @put(
        "/meeting-link",
        summary="Set or remove my own video call link",
        description=(
            'Body: {"meeting_url": "https://zoom.us/j/…"} — an https link used for all my calls '
            "instead of Google Meet or Jitsi; null or an empty string removes it. Visitors "
            "never see it before the call: their join link leads to it when the call opens."
        ),
    )
    async def set_meeting_link(
        self, session: Session, me: Me, data: out.MeetingLink
    ) -> out.MentorAccount:
        changes = catalog.MentorChanges(meeting_url=data.meeting_url or "")
        return mentor_account(await catalog.update_mentor(session, me, changes, Actor.mentor(me)))

    # --- weekly rules ---------------------------------------------------------------------

    @get("/rules", summary="My weekly rules")
    async def rules(self, session: Session, me: Me) -> out.WeeklyRulesOut:
        return await self._rules_out(session, me)

    @put(
        "/rules",
        summary="Replace my weekly rules",
        description=(
            'Body: {"rules": {"0": [["18:00", "20:00"]], "3": [["12:00", "13:30"]]}} — weekday '
            '"0" (Monday) to "6" (Sunday), wall-clock ranges [start, end) in my timezone on '
            '5-minute steps ("24:00" may end a range). Weekdays left out are off. One invalid '
            "range rejects the whole request and the previous rules stay."
        ),
    )
    async def replace_rules(
        self, session: Session, me: Me, data: out.WeeklyRulesIn
    ) -> out.WeeklyRulesOut:
        await schedules.set_weekly_rules(session, me, data.rules.by_weekday(), Actor.mentor(me))
        return await self._rules_out(session, me)

    async def _rules_out(self, session: AsyncSession, me: UUID) -> out.WeeklyRulesOut:
        stored = await schedules.load_availability(session, me, overrides_from=date.max)
        days = {day: _ranges(ranges) for day, ranges in stored.schedule.weekly.days.items()}
        return out.WeeklyRulesOut(
            timezone=stored.schedule.timezone, rules=out.WeeklyRanges.from_weekdays(days)
        )

    # --- date overrides -------------------------------------------------------------------

    @get("/overrides", summary="My date overrides")
    async def overrides(
        self,
        session: Session,
        now: Now,
        me: Me,
        since: Annotated[
            date | None,
            QueryParameter(name="from", description="First local date; default today (mine)"),
        ] = None,
    ) -> out.Overrides:
        if since is not None:
            supported_date(since, "from")
        # A day of margin: "today" is the mentor's local date, which UTC may not have reached.
        first = since or (now - timedelta(days=1)).date()
        stored = await schedules.load_availability(session, me, overrides_from=first)
        today = now.astimezone(zone(stored.schedule.timezone)).date()
        first = since or today
        return out.Overrides(
            timezone=stored.schedule.timezone,
            overrides=[
                out.Override(date=day, ranges=_ranges(o.ranges), day_off=not o.ranges)
                for day, o in sorted(stored.schedule.overrides.items())
                if day >= first
            ],
        )

    @put(
        "/overrides/{day:date}",
        summary="Set the ranges of one date (empty = day off)",
        description=(
            'Body: {"ranges": [["09:00", "12:00"]]} replaces my weekly rules on that local '
            'date; {"ranges": []} makes it a day off.'
        ),
    )
    async def set_override(
        self, session: Session, me: Me, day: date, data: out.OverrideIn
    ) -> out.Override:
        override = await schedules.set_date_override(
            session, me, day, list(data.ranges), Actor.mentor(me)
        )
        return out.Override(
            date=override.day, ranges=_ranges(override.ranges), day_off=not override.ranges
        )

    @delete(
        "/overrides/{day:date}",
        summary="Remove the override of one date (the weekly rules apply again)",
    )
    async def delete_override(self, session: Session, me: Me, day: date) -> None:
        await schedules.delete_date_override(session, me, day, Actor.mentor(me))

    # --- policy ---------------------------------------------------------------------------

    @get("/policy", summary="My booking policy")
    async def policy(self, session: Session, me: Me) -> out.PolicyBody:
        stored = await schedules.load_availability(session, me, overrides_from=date.max)
        return _policy_out(stored.policy)

    @put("/policy", summary="Replace my booking policy")
    async def replace_policy(
        self, session: Session, me: Me, data: out.PolicyBody
    ) -> out.PolicyBody:
        saved = await schedules.set_policy(
            session,
            me,
            schedules.PolicySettings(
                buffer_before_minutes=data.buffer_before_minutes,
                buffer_after_minutes=data.buffer_after_minutes,
                notice_minutes=data.notice_minutes,
                horizon_days=data.horizon_days,
                day_cap=data.day_cap,
                week_cap=data.week_cap,
            ),
            Actor.mentor(me),
        )
        return _policy_out(saved)

    # --- bookings -------------------------------------------------------------------------

    @get("/bookings", summary="My upcoming or past bookings")
    async def bookings(
        self,
        session: Session,
        settings: AppSettings,
        now: Now,
        me: Me,
        when: Scope = "upcoming",
        limit: Limit = 100,
    ) -> list[out.MentorBooking]:
        if when == "upcoming":
            # From a day back: a meeting in progress has started but not ended.
            found = await booking_service.list_mentor_bookings(
                session, me, now - timedelta(days=1), now + LIST_REACH, LIVE_LIST_STATUSES
            )
            chosen = [b for b in found if b.end > now]
        else:
            found = await booking_service.list_mentor_bookings(
                session, me, now - LIST_REACH, now, PAST_LIST_STATUSES
            )
            chosen = [b for b in reversed(found) if b.end <= now]
        slugs = await _slugs(session)
        return [_booking_out(b, slugs, settings) for b in chosen[:limit]]

    @post(
        "/bookings/{booking_id:uuid}/cancel",
        summary="Cancel one of my bookings, with a reason for the visitor",
        status_code=200,
    )
    async def cancel(
        self,
        session: Session,
        settings: AppSettings,
        now: Now,
        me: Me,
        booking_id: UUID,
        data: out.MentorCancelRequest,
    ) -> out.MentorBooking:
        reason = clean_text(data.reason, multiline=True)
        if not reason:
            raise ValidationFailed("reason: the visitor needs to know why")
        record = await booking_service.cancel_by_mentor(session, booking_id, me, now, reason)
        return _booking_out(record, await _slugs(session), settings)

    @post(
        "/bookings/{booking_id:uuid}/no-show",
        summary="Record that the visitor did not come (once the meeting has started)",
        status_code=200,
    )
    async def no_show(
        self, session: Session, settings: AppSettings, now: Now, me: Me, booking_id: UUID
    ) -> out.MentorBooking:
        record = await booking_service.mark_no_show(
            session, booking_id, now, Actor.mentor(me), mentor_id=me
        )
        return _booking_out(record, await _slugs(session), settings)

    # --- preview --------------------------------------------------------------------------

    @get(
        "/slots/preview",
        summary="My free slots over the next 7 days, as visitors see them",
    )
    async def preview(
        self,
        session: Session,
        now: Now,
        me: Me,
        tz: Annotated[
            str | None,
            Parameter(
                description="IANA timezone to group by; default mine",
                min_length=1,
                max_length=64,
                pattern=TIMEZONE_PATTERN,
            ),
        ] = None,
    ) -> schemas.MentorSlots:
        mentor = await catalog.get_mentor(session, me)
        timezone = tz or mentor.timezone
        shown = zone(timezone)
        found = await mentor_slots(session, me, now, now, now + timedelta(days=PREVIEW_DAYS))
        return schemas.MentorSlots(
            mentor_id=me,
            timezone=timezone,
            days=[
                schemas.SlotDay(
                    date=day,
                    slots=[
                        schemas.Slot(
                            start=slot,
                            local_start=slot.astimezone(shown),
                            label=slot.astimezone(shown).strftime("%H:%M"),
                        )
                        for slot in slots
                    ],
                )
                for day, slots in group_by_local_date(found.slots, timezone).items()
            ],
        )
