"""The staff console's insights count what they say: booked, free and offered slots, bookings
per week and filière."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import update

from scheduler import booking
from scheduler.catalog import Mentor
from scheduler.platform import Database
from scheduler.staff import insights
from testkit import factories

NOW = datetime(2030, 1, 7, 6, 0, tzinfo=UTC)  # Monday 07:00 in Paris


async def test_utilisation_counts_booked_and_free_slots(db: Database) -> None:
    # Mondays 18–20 in Paris, no buffers: eight slots in the week ahead.
    mentor = await factories.make_mentor(db, weekly={0: [("18:00", "20:00")]})
    async with db.session() as session:
        before = {u.mentor_id: u for u in await insights.utilisation(session, NOW, days=7)}
        assert before[mentor.id].booked == 0 and before[mentor.id].free == 8  # Monday 18–20
        await booking.book(
            session,
            mentor_id=mentor.id,
            slot_start=datetime(2030, 1, 7, 17, 0, tzinfo=UTC),
            visitor=booking.Visitor("Noé", "noe@example.fr"),
            now=NOW,
            filiere="droit",
        )
        after = {u.mentor_id: u for u in await insights.utilisation(session, NOW, days=7)}
        assert (after[mentor.id].booked, after[mentor.id].free, after[mentor.id].offered) == (
            1,
            7,
            8,
        )
        weeks = await insights.weekly_bookings(session, NOW)
        assert [(w.week.isoformat(), w.filiere, w.bookings) for w in weeks] == [
            ("2030-01-07", "droit", 1)
        ]


async def test_utilisation_lists_only_active_visible_mentors_by_name(db: Database) -> None:
    shown = [await factories.make_mentor(db, name=name) for name in ("Zoé", "Alice")]
    paused = await factories.make_mentor(db, name="Bruno")
    gone = await factories.make_mentor(db, name="Chloé")
    async with db.session() as session:
        await session.execute(update(Mentor).where(Mentor.id == paused.id).values(paused=True))
        await session.execute(update(Mentor).where(Mentor.id == gone.id).values(active=False))
        await session.commit()
        listed = await insights.utilisation(session, NOW, days=7)
    assert [u.mentor_id for u in listed] == [shown[1].id, shown[0].id]
