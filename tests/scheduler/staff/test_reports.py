"""The staff console's reports: rates per filière, empty ones included."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import update

from scheduler import booking, catalog
from scheduler.booking import BookingRow
from scheduler.platform import Actor, Database
from scheduler.staff import reports
from testkit import factories

NOW = datetime(2030, 1, 7, 6, 0, tzinfo=UTC)  # Monday 07:00 in Paris
STAFF = Actor.staff("equipe@thotis.fr")


async def test_rates_list_every_filiere_even_without_bookings(db: Database) -> None:
    mentor = await factories.make_mentor(db)
    async with db.session() as session:
        await catalog.create_filiere(session, "medecine", "Médecine", "Medicine", STAFF)
        made = await booking.book(
            session,
            mentor_id=mentor.id,
            slot_start=datetime(2030, 1, 7, 17, 0, tzinfo=UTC),
            visitor=booking.Visitor("Noé", "noe@example.fr", "Comment réviser le 100% partiel ?"),
            now=NOW,
            filiere="droit",
        )
        await booking.cancel_by_mentor(session, made.booking.id, mentor.id, NOW, "Empêchement")
        stats = await reports.statistics(session, NOW, NOW - timedelta(days=7))
        rates = {r.slug: r.counts for r in stats.per_filiere}
        assert set(rates) == {"droit", "medecine"}
        assert (rates["droit"].bookings, rates["droit"].cancellation_rate) == (1, 1.0)
        assert rates["medecine"].bookings == 0 and rates["medecine"].cancellation_rate is None


async def test_each_booking_counts_once_per_mentor_and_once_per_filiere_or_none(
    db: Database,
) -> None:
    busy = await factories.make_mentor(db, name="Alice")
    idle = await factories.make_mentor(db, name="Zoé")
    async with db.session() as session:
        made = [
            await booking.book(
                session,
                mentor_id=busy.id,
                slot_start=datetime(2030, 1, 7, 17, minute, tzinfo=UTC),
                visitor=booking.Visitor("Noé", f"noe{minute}@example.fr"),
                now=NOW,
                filiere="droit",
            )
            for minute in (0, 30)
        ]
        # A booking kept in no filière (a mentor of two, booked without a page).
        await session.execute(
            update(BookingRow).where(BookingRow.id == made[1].booking.id).values(filiere_id=None)
        )
        await session.commit()
        stats = await reports.statistics(session, NOW, NOW - timedelta(days=7))
    assert [(f.slug, f.counts.bookings) for f in stats.per_filiere] == [("droit", 1), (None, 1)]
    assert [(m.display_name, m.counts.bookings) for m in stats.per_mentor] == [
        ("Alice", 2),
        ("Zoé", 0),
    ]
    assert (stats.total.bookings, stats.total.confirmed, idle.id) == (
        2,
        2,
        stats.per_mentor[1].mentor_id,
    )
