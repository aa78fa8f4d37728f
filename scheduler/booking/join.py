"""What a join link leads to when it is opened: the series' current booking and its venue.

Read at click time, so a reschedule (a new booking in the same series), a Meet link written
back late or a mentor's new own link are followed without any message being sent again.

**The Meet-late race.** A mentor with Google connected gets a Meet link once the worker has
written the calendar event. If a party opens the link in that gap, sending them to Jitsi would
let the two parties end up in different places (one in the Jitsi room, the other in Meet a
minute later). So while the event is still due (its outbox row pending) and the mentor's
calendar connection is active, the state is ``preparing``: a page that refreshes itself until
the Meet link is there. Only when the event is given up (the row failed), the connection is
gone, or the event came back without a Meet link, does the series fall back to its Jitsi room.
Both parties read the same rows, so both are sent to the same place.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
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
from scheduler.platform import BookingGone, InvalidToken, OutboxRow, outbox
from scheduler.schedules import BookingStatus

# ``cancelled``: the series was cancelled; ``expired``: a day after the call's end;
# ``preparing``: open, but the Meet link is still being made (see the module docstring).
JoinState = Literal["waiting", "open", "preparing", "ended", "cancelled", "expired"]
# Whether the mentor's bookings get a Google event (and so a Meet link): given by the caller,
# as the calendar domain sits above this one.
MeetExpected = Callable[[AsyncSession, UUID], Awaitable[bool]]


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
    meet_expected: MeetExpected | None = None,
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
                BookingRow.mentor_id,
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
    if (
        state == "open"
        and not row.meeting_url
        and not row.meet_url
        and meet_expected is not None
        and await _event_due(session, row.id)
        and await meet_expected(session, row.mentor_id)
    ):
        state = "preparing"
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


async def _event_due(session: AsyncSession, booking_id: UUID) -> bool:
    """Whether the booking's calendar event is still to be written (not yet done, not given up)."""
    found = await session.execute(
        select(OutboxRow.id)
        .where(
            OutboxRow.kind == outbox.CALENDAR_UPSERT_EVENT,
            OutboxRow.status == "pending",
            OutboxRow.payload["booking_id"].astext == str(booking_id),
        )
        .limit(1)
    )
    return found.first() is not None
