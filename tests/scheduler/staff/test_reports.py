"""The staff console's reports: rates per filière, empty ones included."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from scheduler import booking, catalog
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
