"""The loader hands the engine exactly what is stored: bookings and busy time decoded from
PostgreSQL's binary timestamps equal what the validating constructors build from the rows."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from availability import Booking, BookingSpans, Interval
from scheduler import booking
from scheduler.booking import BookingRow
from scheduler.platform import Database
from scheduler.schedules import ExternalBusy, PolicySettings, load_mentor_states
from testkit.factories import NOW, TUESDAY_18H, make_mentor, visitor

WEEK = (NOW, NOW + timedelta(days=7))


def _by_start(spans: BookingSpans) -> list[tuple[int, int, int]]:
    # The loader gives bookings in no particular order (the engine sorts what it needs).
    return sorted(zip(spans.starts, spans.occupied_starts, spans.occupied_ends, strict=True))


async def test_loaded_bookings_are_the_stored_ones_with_their_buffers(db: Database) -> None:
    mentor = await make_mentor(
        db, policy=PolicySettings(buffer_before_minutes=10, buffer_after_minutes=5)
    )
    for n, start in enumerate((TUESDAY_18H, TUESDAY_18H + timedelta(days=1, minutes=30))):
        async with db.sessions() as session:
            await booking.book(
                session, mentor_id=mentor.id, slot_start=start, visitor=visitor(n), now=NOW
            )
    async with db.sessions() as session:
        rows = (await session.execute(select(BookingRow).order_by(BookingRow.start_at))).scalars()
        expected = BookingSpans.of(
            Booking(
                row.start_at,
                row.end_at,
                timedelta(minutes=row.buffer_before_minutes),
                timedelta(minutes=row.buffer_after_minutes),
            )
            for row in rows
        )
        states = await load_mentor_states(session, [mentor.id], NOW, *WEEK)
    assert len(expected) == 2
    assert _by_start(states[mentor.id].bookings) == _by_start(expected)


async def test_loaded_busy_time_equals_validated_intervals_to_the_microsecond(
    db: Database,
) -> None:
    mentor = await make_mentor(db)
    odd = TUESDAY_18H + timedelta(seconds=7, microseconds=123_457)
    async with db.sessions() as session:
        session.add(
            ExternalBusy(mentor_id=mentor.id, start_at=odd, end_at=odd + timedelta(hours=1))
        )
        await session.commit()
        states = await load_mentor_states(session, [mentor.id], NOW, *WEEK)
    busy = states[mentor.id].busy
    assert busy == (Interval(odd, odd + timedelta(hours=1)),)
    assert busy[0].start.utcoffset() == timedelta(0)


async def test_a_booking_far_from_the_range_is_not_loaded_without_caps(db: Database) -> None:
    mentor = await make_mentor(db)
    async with db.sessions() as session:
        await booking.book(
            session, mentor_id=mentor.id, slot_start=TUESDAY_18H, visitor=visitor(1), now=NOW
        )
        later = (TUESDAY_18H + timedelta(days=1), TUESDAY_18H + timedelta(days=2))
        states = await load_mentor_states(session, [mentor.id], NOW, *later)
    assert len(states[mentor.id].bookings) == 0


async def test_a_booking_of_the_same_iso_week_is_loaded_under_a_week_cap(db: Database) -> None:
    mentor = await make_mentor(db, policy=PolicySettings(week_cap=3))
    async with db.sessions() as session:
        await booking.book(
            session, mentor_id=mentor.id, slot_start=TUESDAY_18H, visitor=visitor(1), now=NOW
        )
        later = (TUESDAY_18H + timedelta(days=2), TUESDAY_18H + timedelta(days=3))
        states = await load_mentor_states(session, [mentor.id], NOW, *later)
    assert len(states[mentor.id].bookings) == 1
