"""What a join link leads to when it is opened: the series' current booking and its venue.

Read at click time, so a reschedule (a new booking in the same series), a Meet link written
back late or a mentor's new own link are followed without any message being sent again.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal
from uuid import UUID

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from availability.intervals import as_utc
from scheduler.booking.models import BookingRow
from scheduler.booking.venue import (
    JOIN_GRACE,
    InvalidJoinToken,
    Party,
    Phase,
    Venue,
    choose_venue,
    join_phase,
    read_join_token,
)
from scheduler.catalog import Mentor
from scheduler.platform import BookingGone, InvalidToken
from scheduler.schedules import BookingStatus

# ``cancelled``: the series was cancelled; ``expired``: a day after the call's end.
JoinState = Literal["waiting", "open", "ended", "cancelled", "expired"]


@dataclass(frozen=True, slots=True)
class JoinTarget:
    booking_id: UUID
    series_id: UUID
    party: Party
    state: JoinState
    start: datetime
    end: datetime
    venue: Venue
    mentor_name: str
    # The zone and language the page shows the time in: the visitor's own, or the mentor's.
    timezone: str
    language: Literal["fr", "en"]


async def resolve_join(
    session: AsyncSession,
    *,
    token: str,
    secret: str,
    jitsi_base_url: str,
    now: datetime,
) -> JoinTarget:
    """The join link's target now; InvalidToken for a token no series was given, BookingGone
    once the series' personal data is erased (its page names the mentor and the time)."""
    now = as_utc(now, "now")
    try:
        series_id, party = read_join_token(secret, token)
    except InvalidJoinToken as error:
        raise InvalidToken("this join link is not valid") from error
    row = (
        await session.execute(
            select(
                BookingRow.id,
                BookingRow.status,
                BookingRow.start_at,
                BookingRow.end_at,
                BookingRow.meet_url,
                BookingRow.visitor_timezone,
                BookingRow.language,
                BookingRow.personal_data_purged_at,
                Mentor.display_name,
                Mentor.timezone,
                Mentor.meeting_url,
            )
            .join(Mentor, Mentor.id == BookingRow.mentor_id)
            .where(BookingRow.series_id == series_id)
            # The series' last booking is the current one (a reschedule adds one, sequence + 1).
            .order_by(BookingRow.sequence.desc(), BookingRow.created_at.desc())
            .limit(1)
        )
    ).first()
    if row is None:
        # A token signed with our key for a series that no longer exists (or never did).
        raise InvalidToken("this join link is not valid")
    if row.personal_data_purged_at is not None:
        raise BookingGone("this call's data has been erased")
    state: JoinState
    phase: Phase = join_phase(row.start_at, row.end_at, now)
    if row.status == BookingStatus.CANCELLED:
        state = "cancelled"
    elif now >= row.end_at + JOIN_GRACE:
        state = "expired"
    else:
        state = phase
    venue = choose_venue(
        own_link=row.meeting_url,
        meet_url=row.meet_url,
        jitsi_base_url=jitsi_base_url,
        secret=secret,
        series_id=series_id,
    )
    visitor = party == "visitor"
    return JoinTarget(
        booking_id=row.id,
        series_id=series_id,
        party=party,
        state=state,
        start=row.start_at,
        end=row.end_at,
        venue=venue,
        mentor_name=row.display_name,
        timezone=row.visitor_timezone if visitor else row.timezone,
        language="en" if visitor and row.language == "en" else "fr",
    )
