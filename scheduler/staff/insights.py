"""What the staff console shows beyond ``scheduler.staff.reports``: bookings per week per filière,
mentor utilisation (booked vs offered slots, the offer computed by the engine) and each mentor's
connection health. Each function is a fixed number of queries whatever the number of mentors
or bookings.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from uuid import UUID

from sqlalchemy import Date, cast, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from availability import free_slot_runs_for_many
from availability.intervals import as_utc
from scheduler.booking import BookingRow
from scheduler.calendar import BusyFetchState, CalendarConnection, CalendarWarning
from scheduler.catalog import (
    Filiere,
    Mentor,
    MentorPreferences,
    MentorRecord,
    mentor_query,
    mentor_record,
)
from scheduler.identity import MentorInvitation
from scheduler.platform import compiled, driver_connection, fetch_all
from scheduler.schedules import load_states, mentor_policy_query

__all__ = [
    "MentorHealth",
    "Utilisation",
    "WeekCount",
    "mentor_health",
    "utilisation",
    "weekly_bookings",
]

# Weeks are the team's weeks: Monday to Sunday in Paris.
TEAM_TIMEZONE = "Europe/Paris"


@dataclass(frozen=True, slots=True)
class WeekCount:
    week: date  # the Monday
    filiere: str | None  # slug; None: booked without a filière page
    bookings: int


async def weekly_bookings(session: AsyncSession, now: datetime, weeks: int = 12) -> list[WeekCount]:
    """Bookings (rescheduled rows left out: a series counts once) per week and filière over the
    ``weeks`` weeks up to the current one. One query."""
    now = as_utc(now, "now")
    local = func.timezone(TEAM_TIMEZONE, BookingRow.start_at)
    week = cast(func.date_trunc("week", local), Date).label("week")
    first = now - timedelta(weeks=weeks)
    rows = await session.execute(
        select(week, Filiere.slug, func.count(BookingRow.id).label("n"))
        .outerjoin(Filiere, Filiere.id == BookingRow.filiere_id)
        .where(
            BookingRow.status != "rescheduled",
            BookingRow.start_at >= first,
            BookingRow.start_at < now + timedelta(weeks=1),
        )
        .group_by(week, Filiere.slug)
        .order_by(week, Filiere.slug)
    )
    return [WeekCount(row.week, row.slug, row.n) for row in rows]


@dataclass(frozen=True, slots=True)
class Utilisation:
    mentor_id: UUID
    display_name: str
    booked: int  # live bookings starting in the window
    free: int  # slots the engine still offers in the window

    @property
    def offered(self) -> int:
        return self.booked + self.free

    @property
    def rate(self) -> float | None:
        return self.booked / self.offered if self.offered else None


# The active, visible mentors with what ``load_states`` needs, in the order the page lists them.
_OFFERING = compiled(
    mentor_policy_query()
    .add_columns(Mentor.display_name)
    .where(Mentor.active.is_(True), Mentor.paused.is_(False))
    .order_by(Mentor.display_name, Mentor.id)
)
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_US = timedelta(microseconds=1)


async def utilisation(session: AsyncSession, now: datetime, days: int = 28) -> list[Utilisation]:
    """Booked vs offered slots of each active, visible mentor over the next ``days`` days:
    offered = booked + what the engine still offers. Two round trips: the mentors with their
    policies, then the engine's inputs, whose live bookings are also the ones counted as booked
    (a third query for those counts read every booking of the window again). The free slots
    are counted from the engine's runs: no datetime is made for a slot only counted."""
    now = as_utc(now, "now")
    end = now + timedelta(days=days)
    mentors = await fetch_all(await driver_connection(session), _OFFERING, {})
    states = await load_states(session, mentors, now, now, end)
    runs = free_slot_runs_for_many(
        {mid: s.engine_input for mid, s in states.items()}, now, now, end
    )
    low, high = (now - _EPOCH) // _US, (end - _EPOCH) // _US
    return [
        Utilisation(
            m.id,
            m.display_name,
            sum(1 for start in states[m.id].bookings.starts if low <= start < high),
            sum(count for _, _, count in runs[m.id]),
        )
        for m in mentors
    ]


@dataclass(frozen=True, slots=True)
class MentorHealth:
    mentor: MentorRecord
    google_email: str | None
    connection: str | None  # "active", "reconnect_required" or None (not connected)
    busy_fetched_at: datetime | None
    stale: bool
    last_error: str | None
    open_warnings: int
    invited_at: datetime | None
    accepted_at: datetime | None
    onboarded_at: datetime | None
    last_sign_in_at: datetime | None


async def mentor_health(session: AsyncSession) -> list[MentorHealth]:
    """Every mentor (deactivated ones included) with their calendar connection's state and
    their way through the space. One query."""
    warnings = (
        select(func.count(CalendarWarning.id))
        .where(CalendarWarning.mentor_id == Mentor.id, CalendarWarning.resolved_at.is_(None))
        .scalar_subquery()
        .label("open_warnings")
    )
    query = (
        mentor_query()
        .add_columns(
            CalendarConnection.google_email,
            CalendarConnection.status.label("connection"),
            CalendarConnection.last_error,
            BusyFetchState.fetched_at,
            BusyFetchState.stale,
            warnings,
            MentorInvitation.invited_at,
            MentorInvitation.accepted_at,
            MentorPreferences.onboarded_at,
            MentorPreferences.last_sign_in_at,
        )
        .outerjoin(CalendarConnection, CalendarConnection.mentor_id == Mentor.id)
        .outerjoin(BusyFetchState, BusyFetchState.mentor_id == Mentor.id)
        .outerjoin(MentorInvitation, MentorInvitation.mentor_id == Mentor.id)
        .outerjoin(MentorPreferences, MentorPreferences.mentor_id == Mentor.id)
        .order_by(Mentor.active.desc(), Mentor.display_name, Mentor.id)
    )
    rows = await session.execute(query)
    return [
        MentorHealth(
            mentor=mentor_record(row),
            google_email=row.google_email,
            connection=row.connection,
            busy_fetched_at=row.fetched_at,
            stale=bool(row.connection is not None and (row.stale is None or row.stale)),
            last_error=row.last_error,
            open_warnings=row.open_warnings or 0,
            invited_at=row.invited_at,
            accepted_at=row.accepted_at,
            onboarded_at=row.onboarded_at,
            last_sign_in_at=row.last_sign_in_at,
        )
        for row in rows
    ]
