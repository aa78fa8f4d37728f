"""The mentors' daily digest: who is due, the claim that makes a day's digest go once, and
what it lists. Composing and sending are the caller's (``api.wiring`` with integrations).

A mentor who chose ``digest`` gets no per-booking "booked"/"rescheduled" mail; cancellations
and reminders still go one by one (they need acting on). Once per local day, at or after
``DIGEST_HOUR`` in the mentor's timezone, the digest lists the bookings made since the last
one and the meetings of the next 24 hours.

Two workers never send the same day's digest: ``claim`` locks the preferences row with
``FOR UPDATE SKIP LOCKED`` while the mail goes and marks the day in the same transaction, so a
failed send leaves the day unclaimed (the next hourly run tries again) and the other worker
either skips the locked row or, once committed, finds the day taken.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from uuid import UUID
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, func, select, text, update
from sqlalchemy.ext.asyncio import AsyncSession

from scheduler.booking import LIVE_STATUS, BookingRow
from scheduler.catalog import Filiere, Mentor, MentorPreferences
from scheduler.platform import Database

DIGEST_HOUR = time(7, 0)
NEXT_REACH = timedelta(hours=24)
# First key of the advisory lock a worker holds while it sends one mentor's digest.
_DIGEST_LOCK = 0x7D16E57

__all__ = [
    "DIGEST_HOUR",
    "DigestBooking",
    "DigestContent",
    "claim",
    "due_mentor_ids",
    "prefers_digest",
]


@dataclass(frozen=True, slots=True)
class DigestBooking:
    booking_id: UUID
    start: datetime
    end: datetime
    visitor_first_name: str
    visitor_question: str | None
    filiere_name_fr: str | None
    filiere_name_en: str | None
    meet_url: str | None
    # A later booking of a series (sequence > 0) is a reschedule.
    rescheduled: bool
    # The series (the mentor's join link derives from it).
    series_id: UUID | None = None


@dataclass(frozen=True, slots=True)
class DigestContent:
    mentor_id: UUID
    mentor_name: str
    mentor_email: str
    mentor_timezone: str
    day: date
    booked_since: tuple[DigestBooking, ...]
    next_24h: tuple[DigestBooking, ...]

    @property
    def empty(self) -> bool:
        return not self.booked_since and not self.next_24h


async def prefers_digest(session: AsyncSession, mentor_id: UUID) -> bool:
    found = await session.scalar(
        select(MentorPreferences.notify).where(MentorPreferences.mentor_id == mentor_id)
    )
    return found == "digest"


# Local time in SQL: one query finds every mentor whose local day has reached DIGEST_HOUR and
# has no digest yet, whatever their timezones.
_DUE = text(
    """
    SELECT p.mentor_id
    FROM mentor_preferences p JOIN mentors m ON m.id = p.mentor_id
    WHERE p.notify = 'digest' AND m.active
      AND (:now AT TIME ZONE m.timezone)::time >= :hour
      AND (p.digest_sent_on IS NULL OR p.digest_sent_on < (:now AT TIME ZONE m.timezone)::date)
    ORDER BY p.mentor_id
    """
)


async def due_mentor_ids(session: AsyncSession, now: datetime) -> list[UUID]:
    rows = await session.execute(_DUE, {"now": now, "hour": DIGEST_HOUR})
    return [row.mentor_id for row in rows]


@asynccontextmanager
async def claim(
    database: Database, mentor_id: UUID, now: datetime
) -> AsyncIterator[DigestContent | None]:
    """Yields the mentor's digest for today, or None when another worker holds it, the day
    is already done or the mentor is no longer due. Leaving the block without an exception
    marks the day done (even when the digest was empty: nothing to say is said once);
    an exception leaves it for the next run."""
    async with database.transaction() as session:
        # Workers race for a mentor's day through an advisory lock, not the preferences row:
        # the row would stay locked through the SMTP send, holding up the mentor's sign-in and
        # settings, which write it. Taken before the read, so the read sees a finished day.
        locked = await session.execute(
            select(func.pg_try_advisory_xact_lock(_DIGEST_LOCK, func.hashtext(str(mentor_id))))
        )
        if not locked.scalar_one():
            yield None
            return
        row = (
            await session.execute(
                select(
                    MentorPreferences.digest_sent_on,
                    MentorPreferences.digest_sent_at,
                    MentorPreferences.updated_at,
                    MentorPreferences.notify,
                    Mentor.display_name,
                    Mentor.email,
                    Mentor.timezone,
                    Mentor.active,
                )
                .join(Mentor, Mentor.id == MentorPreferences.mentor_id)
                .where(MentorPreferences.mentor_id == mentor_id)
            )
        ).first()
        if row is None:
            yield None
            return
        local = now.astimezone(ZoneInfo(row.timezone))
        today = local.date()
        due = (
            row.notify == "digest"
            and row.active
            and local.time() >= DIGEST_HOUR
            and (row.digest_sent_on is None or row.digest_sent_on < today)
        )
        if not due:
            yield None
            return
        # Before a first digest, "since" starts when the preference last changed: per-booking
        # mails stopped then.
        since = row.digest_sent_at or row.updated_at
        content = DigestContent(
            mentor_id=mentor_id,
            mentor_name=row.display_name,
            mentor_email=row.email,
            mentor_timezone=row.timezone,
            day=today,
            booked_since=await _bookings(
                session,
                mentor_id,
                BookingRow.created_at > since,
                BookingRow.created_at <= now,
                BookingRow.end_at > now,
            ),
            next_24h=await _bookings(
                session,
                mentor_id,
                BookingRow.start_at >= now,
                BookingRow.start_at < now + NEXT_REACH,
            ),
        )
        yield content
        await session.execute(
            update(MentorPreferences)
            .where(MentorPreferences.mentor_id == mentor_id)
            .values(digest_sent_on=today, digest_sent_at=now)
        )


async def _bookings(
    session: AsyncSession, mentor_id: UUID, *conditions: ColumnElement[bool]
) -> tuple[DigestBooking, ...]:
    rows = await session.execute(
        select(
            BookingRow.id,
            BookingRow.start_at,
            BookingRow.end_at,
            BookingRow.visitor_first_name,
            BookingRow.visitor_question,
            BookingRow.meet_url,
            BookingRow.sequence,
            BookingRow.series_id,
            Filiere.name_fr,
            Filiere.name_en,
        )
        .outerjoin(Filiere, Filiere.id == BookingRow.filiere_id)
        .where(
            BookingRow.mentor_id == mentor_id,
            BookingRow.status == LIVE_STATUS,
            *conditions,
        )
        .order_by(BookingRow.start_at, BookingRow.id)
    )
    return tuple(
        DigestBooking(
            booking_id=r.id,
            start=r.start_at,
            end=r.end_at,
            visitor_first_name=r.visitor_first_name or "",
            visitor_question=r.visitor_question,
            filiere_name_fr=r.name_fr,
            filiere_name_en=r.name_en,
            meet_url=r.meet_url,
            rescheduled=r.sequence > 0,
            series_id=r.series_id,
        )
        for r in rows
    )
