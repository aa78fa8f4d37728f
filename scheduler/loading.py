"""Load what the engine needs for many mentors at once, in a fixed number of queries
(independent of the number of mentors): mentors + policies, weekly rules, date overrides,
live bookings, cached busy time."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from availability import Booking, Interval, MentorInput, Policy, Schedule, bookings_window
from scheduler.models import (
    LIVE_STATUS,
    AvailabilityRule,
    BookingRow,
    DateOverrideRow,
    ExternalBusy,
    Mentor,
    PolicyRow,
)
from scheduler.schedules import PolicySettings, build_schedule

# Local dates around a UTC range that may hold its overrides (timezones reach ±14 h).
_DATE_MARGIN = timedelta(days=2)


@dataclass(frozen=True, slots=True)
class MentorState:
    """One mentor's inputs for the engine, with the flags that decide whether to offer them."""

    mentor_id: UUID
    active: bool
    paused: bool
    schedule: Schedule
    policy: Policy
    settings: PolicySettings
    busy: tuple[Interval, ...]
    bookings: tuple[Booking, ...]

    @property
    def engine_input(self) -> MentorInput:
        return MentorInput(self.schedule, self.policy, self.busy, self.bookings)


def _booking(row: Any) -> Booking:
    return Booking(
        row.start_at,
        row.end_at,
        timedelta(minutes=row.buffer_before_minutes),
        timedelta(minutes=row.buffer_after_minutes),
    )


async def load_mentor_states(
    session: AsyncSession,
    mentor_ids: Sequence[UUID],
    now: datetime,
    start: datetime,
    end: datetime,
    *,
    to_horizon: bool = False,
    exclude_booking: UUID | None = None,
) -> dict[UUID, MentorState]:
    """Engine inputs for ``mentor_ids`` over ``[start, end)`` (and up to each mentor's horizon
    when ``to_horizon``, for ``next_free``). Unknown ids are left out.

    ``exclude_booking``: a live booking to leave out (the one being rescheduled).
    """
    if not mentor_ids:
        return {}
    ids = list(mentor_ids)
    mentors = (
        await session.execute(
            select(Mentor.id, Mentor.timezone, Mentor.active, Mentor.paused, PolicyRow)
            .outerjoin(PolicyRow, PolicyRow.mentor_id == Mentor.id)
            .where(Mentor.id.in_(ids))
        )
    ).all()
    if not mentors:
        return {}
    settings = {
        m.id: PolicySettings.from_row(m.PolicyRow) if m.PolicyRow else PolicySettings()
        for m in mentors
    }
    policies = {mid: s.to_policy() for mid, s in settings.items()}
    latest = max(
        (max(end, now + p.horizon) if to_horizon else end for p in policies.values()), default=end
    )
    rules = (
        await session.execute(
            select(
                AvailabilityRule.mentor_id,
                AvailabilityRule.weekday,
                AvailabilityRule.start_minute,
                AvailabilityRule.end_minute,
            ).where(AvailabilityRule.mentor_id.in_(ids))
        )
    ).all()
    overrides = (
        await session.execute(
            select(DateOverrideRow.mentor_id, DateOverrideRow.day, DateOverrideRow.ranges).where(
                DateOverrideRow.mentor_id.in_(ids),
                DateOverrideRow.day >= (start - _DATE_MARGIN).date(),
                DateOverrideRow.day <= (latest + _DATE_MARGIN).date(),
            )
        )
    ).all()
    rules_of: dict[UUID, list[Any]] = {}
    for rule in rules:
        rules_of.setdefault(rule.mentor_id, []).append(rule)
    overrides_of: dict[UUID, list[Any]] = {}
    for override in overrides:
        overrides_of.setdefault(override.mentor_id, []).append(override)
    schedules = {
        m.id: build_schedule(m.timezone, rules_of.get(m.id, ()), overrides_of.get(m.id, ()))
        for m in mentors
    }
    windows = [
        bookings_window(
            schedules[m.id], start, max(end, now + policies[m.id].horizon) if to_horizon else end
        )
        for m in mentors
    ]
    window_start = min(w.start for w in windows)
    window_end = max(w.end for w in windows)
    span = func.tstzrange(window_start, window_end, "[)")
    booking_query = select(
        BookingRow.mentor_id,
        BookingRow.start_at,
        BookingRow.end_at,
        BookingRow.buffer_before_minutes,
        BookingRow.buffer_after_minutes,
    ).where(
        BookingRow.mentor_id.in_(ids),
        BookingRow.status == LIVE_STATUS,
        BookingRow.occupied.op("&&")(span),
    )
    if exclude_booking is not None:
        booking_query = booking_query.where(BookingRow.id != exclude_booking)
    bookings = (await session.execute(booking_query)).all()
    busy = (
        await session.execute(
            select(ExternalBusy.mentor_id, ExternalBusy.start_at, ExternalBusy.end_at).where(
                ExternalBusy.mentor_id.in_(ids),
                ExternalBusy.start_at < window_end,
                ExternalBusy.end_at > window_start,
            )
        )
    ).all()
    by_mentor_bookings: dict[UUID, list[Booking]] = {}
    for row in bookings:
        by_mentor_bookings.setdefault(row.mentor_id, []).append(_booking(row))
    by_mentor_busy: dict[UUID, list[Interval]] = {}
    for row in busy:
        by_mentor_busy.setdefault(row.mentor_id, []).append(Interval(row.start_at, row.end_at))
    return {
        m.id: MentorState(
            mentor_id=m.id,
            active=m.active,
            paused=m.paused,
            schedule=schedules[m.id],
            policy=policies[m.id],
            settings=settings[m.id],
            busy=tuple(by_mentor_busy.get(m.id, ())),
            bookings=tuple(by_mentor_bookings.get(m.id, ())),
        )
        for m in mentors
    }
