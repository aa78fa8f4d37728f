"""Bookings read back: by id, by manage token, a mentor's list, and the view mails and invites are built from."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy import (
    Row,
    select,
    update,
)
from sqlalchemy.ext.asyncio import AsyncSession

from availability.intervals import as_utc
from scheduler.booking.models import BookingRow
from scheduler.booking.records import BookingRecord
from scheduler.booking.tokens import _check_token, _issue_token, manage_url
from scheduler.booking.venue import join_url
from scheduler.booking.views import BookingView
from scheduler.catalog import Filiere, Mentor, MentorFiliere
from scheduler.platform import (
    NotFound,
    ValidationFailed,
    unit_of_work,
)
from scheduler.schedules import LIVE_STATUS

_BOOKING_COLUMNS = (
    BookingRow.id,
    BookingRow.series_id,
    BookingRow.sequence,
    BookingRow.mentor_id,
    BookingRow.filiere_id,
    BookingRow.start_at,
    BookingRow.end_at,
    BookingRow.buffer_before_minutes,
    BookingRow.buffer_after_minutes,
    BookingRow.status,
    BookingRow.visitor_first_name,
    BookingRow.visitor_email,
    BookingRow.visitor_question,
    BookingRow.visitor_timezone,
    BookingRow.language,
    BookingRow.consent_at,
    BookingRow.cancel_reason,
    BookingRow.cancelled_by,
    BookingRow.cancelled_at,
    BookingRow.rescheduled_to,
    BookingRow.meet_url,
    BookingRow.created_at,
    BookingRow.consent_basis,
)


def _record(row: Row[*tuple[Any, ...]]) -> BookingRecord:
    return BookingRecord(
        id=row.id,
        series_id=row.series_id,
        sequence=row.sequence,
        mentor_id=row.mentor_id,
        filiere_id=row.filiere_id,
        start=row.start_at,
        end=row.end_at,
        buffer_before_minutes=row.buffer_before_minutes,
        buffer_after_minutes=row.buffer_after_minutes,
        status=row.status,
        visitor_first_name=row.visitor_first_name,
        visitor_email=row.visitor_email,
        visitor_question=row.visitor_question,
        visitor_timezone=row.visitor_timezone,
        language=row.language,
        consent_at=row.consent_at,
        cancel_reason=row.cancel_reason,
        cancelled_by=row.cancelled_by,
        cancelled_at=row.cancelled_at,
        rescheduled_to=row.rescheduled_to,
        meet_url=row.meet_url,
        created_at=row.created_at,
        consent_basis=row.consent_basis,
    )


async def get_booking(session: AsyncSession, booking_id: UUID) -> BookingRecord:
    row = (
        await session.execute(select(*_BOOKING_COLUMNS).where(BookingRow.id == booking_id))
    ).first()
    if row is None:
        raise NotFound("no such booking")
    return _record(row)


async def get_booking_by_token(
    session: AsyncSession, booking_id: UUID, token: str, now: datetime
) -> BookingRecord:
    """The booking a visitor's manage link shows (InvalidToken / TokenExpired otherwise)."""
    await _check_token(session, booking_id, token, now)
    return await get_booking(session, booking_id)


async def list_mentor_bookings(
    session: AsyncSession,
    mentor_id: UUID,
    start: datetime,
    end: datetime,
    statuses: Sequence[str] = (LIVE_STATUS,),
    *,
    limit: int | None = None,
    newest_first: bool = False,
    ends_after: datetime | None = None,
    ends_by: datetime | None = None,
) -> list[BookingRecord]:
    """The mentor's bookings starting in ``[start, end)``, by start (``newest_first``: latest
    first). ``limit`` caps the rows read: a page showing the first N of 1000 bookings must not
    load the other 990. ``ends_after`` / ``ends_by`` (``end > t`` / ``end <= t``) keep a
    meeting in progress out of (or in) a list in the database, so the cap counts only rows
    the page shows."""
    query = select(*_BOOKING_COLUMNS).where(
        BookingRow.mentor_id == mentor_id,
        BookingRow.start_at >= as_utc(start, "start"),
        BookingRow.start_at < as_utc(end, "end"),
        BookingRow.status.in_(list(statuses)),
    )
    if ends_after is not None:
        query = query.where(BookingRow.end_at > as_utc(ends_after, "ends_after"))
    if ends_by is not None:
        query = query.where(BookingRow.end_at <= as_utc(ends_by, "ends_by"))
    order = BookingRow.start_at.desc() if newest_first else BookingRow.start_at
    query = query.order_by(order, BookingRow.id)
    if limit is not None:
        if limit < 0:
            raise ValidationFailed("limit must not be negative")
        query = query.limit(limit)
    rows = await session.execute(query)
    return [_record(row) for row in rows]


async def load_booking_view(
    session: AsyncSession,
    booking_id: UUID,
    public_url: str,
    now: datetime,
    *,
    issue_manage_token: bool = True,
    secret_key: str | None = None,
) -> BookingView:
    """Everything an email, an invite or a calendar event needs about a booking.

    The raw manage token is never stored, so a live booking's view carries a *new* manage link:
    its token is written and **committed here** (each message its own link, all expiring a day
    after the meeting). Pass ``issue_manage_token=False`` to get the site's address instead.
    With ``secret_key``, the view carries both parties' join links (derived, nothing written).
    """
    row = (
        await session.execute(
            select(
                *_BOOKING_COLUMNS,
                Mentor.display_name.label("mentor_name"),
                Mentor.email.label("mentor_email"),
                Mentor.timezone.label("mentor_timezone"),
                Mentor.allow_reply_to,
            )
            .join(Mentor, Mentor.id == BookingRow.mentor_id)
            .where(BookingRow.id == booking_id)
        )
    ).first()
    if row is None:
        raise NotFound("no such booking")
    filiere = (
        await session.execute(
            select(Filiere.name_fr, Filiere.name_en, Filiere.slug)
            .where(
                Filiere.id == row.filiere_id
                if row.filiere_id is not None
                else Filiere.id.in_(
                    select(MentorFiliere.filiere_id).where(MentorFiliere.mentor_id == row.mentor_id)
                )
            )
            .order_by(Filiere.name_fr)
            .limit(1)
        )
    ).first()
    previous_start = (
        await session.execute(
            select(BookingRow.start_at).where(BookingRow.rescheduled_to == booking_id)
        )
    ).scalar()
    url = public_url.rstrip("/")
    if issue_manage_token and row.status == LIVE_STATUS and row.end_at > now:
        async with unit_of_work(session):
            token = await _issue_token(session, booking_id, row.end_at)
        url = manage_url(public_url, booking_id, token)
    return BookingView(
        booking_id=row.id,
        series_id=row.series_id,
        sequence=row.sequence,
        status=row.status,
        start=row.start_at,
        end=row.end_at,
        mentor_id=row.mentor_id,
        mentor_name=row.mentor_name,
        mentor_email=row.mentor_email,
        mentor_timezone=row.mentor_timezone,
        mentor_allows_reply_to=row.allow_reply_to,
        filiere_name_fr=filiere.name_fr if filiere else "",
        filiere_name_en=filiere.name_en if filiere else "",
        visitor_first_name=row.visitor_first_name or "",
        visitor_email=row.visitor_email or "",
        visitor_question=row.visitor_question,
        visitor_timezone=row.visitor_timezone,
        language=row.language,
        manage_url=url,
        meet_url=row.meet_url,
        cancel_reason=row.cancel_reason,
        cancelled_by=row.cancelled_by,
        previous_start=previous_start,
        filiere_slug=filiere.slug if filiere else None,
        visitor_join_url=(
            join_url(public_url, secret_key, row.series_id, "visitor") if secret_key else None
        ),
        mentor_join_url=(
            join_url(public_url, secret_key, row.series_id, "mentor") if secret_key else None
        ),
    )


async def set_meeting_details(
    session: AsyncSession, booking_id: UUID, *, meet_url: str | None, calendar_event_id: str | None
) -> None:
    """Written back by the calendar integration once the event (and its Meet link) exists."""
    async with unit_of_work(session):
        await session.execute(
            update(BookingRow)
            .where(BookingRow.id == booking_id)
            .values(meet_url=meet_url, calendar_event_id=calendar_event_id)
        )
