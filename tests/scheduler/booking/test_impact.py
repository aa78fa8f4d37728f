"""A mentor's impact and the attestations that record it: what counts as a call held, a
student helped, feedback received and time given."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import update

from scheduler import booking
from scheduler.booking import BookingRow
from scheduler.booking.models import Feedback
from scheduler.platform import Database
from testkit.factories import NOW, TUESDAY_18H, make_mentor, visitor


async def _book(db: Database, mentor_id, start, n: int) -> BookingRow:  # type: ignore[no-untyped-def]
    async with db.sessions() as session:
        made = await booking.book(
            session, mentor_id=mentor_id, slot_start=start, visitor=visitor(n), now=NOW
        )
    return made.booking  # type: ignore[return-value]


async def test_only_calls_that_took_place_count_and_each_student_once(db: Database) -> None:
    mentor = await make_mentor(db)
    other = await make_mentor(db)
    starts = [TUESDAY_18H + timedelta(minutes=15 * i) for i in range(6)]
    held = [await _book(db, mentor.id, s, n) for n, s in zip((1, 1, 2, 3), starts, strict=False)]
    cancelled = await _book(db, mentor.id, starts[4], 4)
    no_show = await _book(db, mentor.id, starts[5], 5)
    await _book(db, other.id, starts[0], 6)
    async with db.sessions() as session:
        await session.execute(
            update(BookingRow).where(BookingRow.id == cancelled.id).values(status="cancelled")
        )
        await session.execute(
            update(BookingRow).where(BookingRow.id == no_show.id).values(status="no_show")
        )
        # The third visitor's data was purged: still one student helped.
        await session.execute(
            update(BookingRow).where(BookingRow.id == held[3].id).values(visitor_email=None)
        )
        session.add_all(
            [
                Feedback(booking_id=held[0].id, helpful=True),
                Feedback(booking_id=held[2].id, helpful=False),
                Feedback(booking_id=cancelled.id, helpful=True),
            ]
        )
        await session.commit()
    after = TUESDAY_18H + timedelta(days=1)
    async with db.sessions() as session:
        before_calls = await booking.mentor_impact(session, mentor.id, TUESDAY_18H)
        impact = await booking.mentor_impact(session, mentor.id, after)
    assert before_calls.calls_held == 0 and before_calls.first_call is None
    assert impact.calls_held == 4
    assert impact.students_helped == 3  # visitor 1 came twice
    assert (impact.feedback_received, impact.feedback_helpful) == (2, 1)
    assert impact.minutes_given == 60 and impact.hours_given == 1.0
    assert impact.first_call == starts[0] and impact.last_call == starts[3]


async def test_an_attestation_keeps_the_figures_and_name_of_its_day(db: Database) -> None:
    mentor = await make_mentor(db, name="Léa Martin")
    await _book(db, mentor.id, TUESDAY_18H, 1)
    issued_at = TUESDAY_18H + timedelta(days=1)
    async with db.sessions() as session:
        made = await booking.issue_attestation(session, mentor.id, issued_at)
    await _book(db, mentor.id, TUESDAY_18H + timedelta(minutes=30), 2)
    async with db.sessions() as session:
        found = await booking.find_attestation(session, made.id)
        listed = await booking.mentor_attestations(session, mentor.id)
        later = await booking.mentor_impact(session, mentor.id, issued_at)
    assert found == made and listed == [made]
    assert found.mentor_name == "Léa Martin" and found.issued_at == issued_at
    assert found.impact.calls_held == 1 and later.calls_held == 2
