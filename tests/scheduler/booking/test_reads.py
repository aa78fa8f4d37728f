"""Reading bookings back: a mentor's list, filtered and capped."""

from __future__ import annotations

from datetime import timedelta

from scheduler import booking
from scheduler.platform import Database
from testkit import factories


async def test_mentor_bookings_limit_and_ends_filter_the_rows_returned(db: Database) -> None:
    mentor = await factories.make_mentor(db)
    starts = [factories.TUESDAY_18H + timedelta(minutes=15 * i) for i in range(4)]
    for n, start in enumerate(starts, start=1):
        async with db.sessions() as session:
            await booking.book(
                session,
                mentor_id=mentor.id,
                slot_start=start,
                visitor=factories.visitor(n),
                now=factories.NOW,
            )
    window = (mentor.id, factories.NOW, factories.NOW + timedelta(days=7))
    async with db.sessions() as session:
        everything = await booking.list_mentor_bookings(session, *window)
        first_two = await booking.list_mentor_bookings(session, *window, limit=2)
        latest = await booking.list_mentor_bookings(session, *window, newest_first=True, limit=1)
        # At the second meeting's start the first has ended: out of "ahead", in "ended",
        # and the cap counts only the rows that pass.
        at = starts[1]
        ahead = await booking.list_mentor_bookings(session, *window, ends_after=at, limit=2)
        ended = await booking.list_mentor_bookings(session, *window, ends_by=at)
    assert [b.start for b in everything] == starts
    assert [b.start for b in first_two] == starts[:2]
    assert [b.start for b in latest] == starts[-1:]
    assert [b.start for b in ahead] == starts[1:3]
    assert [b.start for b in ended] == starts[:1]
