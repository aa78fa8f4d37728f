"""Moderation through the staff services: a report resolved by blocking stops the visitor from
booking again, and the audit trail never names the address."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from scheduler import booking
from scheduler.platform import Actor, Database, EmailBlocked, NotFound
from scheduler.staff import moderation
from testkit import factories

NOW = datetime(2030, 1, 7, 6, 0, tzinfo=UTC)  # Monday 07:00 in Paris
STAFF = Actor.staff("equipe@thotis.fr")


async def test_blocking_a_reported_visitor_stops_their_next_booking(db: Database) -> None:
    mentor = await factories.make_mentor(db)
    other = await factories.make_mentor(db)
    visitor = booking.Visitor("Noé", "Noe@Example.fr", "Une question ?")
    slot = datetime(2030, 1, 7, 17, 0, tzinfo=UTC)  # Monday 18:00 in Paris
    async with db.session() as session:
        made = await booking.book(
            session, mentor_id=mentor.id, slot_start=slot, visitor=visitor, now=NOW
        )
        with pytest.raises(NotFound):
            await moderation.report_booking(session, made.booking.id, other.id, "pas à moi", NOW)
        report = await moderation.report_booking(
            session, made.booking.id, mentor.id, "Propos insultants", NOW
        )
        [line] = await moderation.open_reports(session)
        assert line.id == report and line.visitor_email == "noe@example.fr" and not line.blocked
        await moderation.resolve_report(session, report, "blocked", STAFF, NOW)
        assert await moderation.open_reports(session) == []
        with pytest.raises(EmailBlocked):
            await booking.book(
                session,
                mentor_id=other.id,
                slot_start=slot + timedelta(minutes=30),
                visitor=booking.Visitor("Noé", "noe@example.fr"),
                now=NOW,
            )
        actions = [a.action for a in await moderation.recent_audit(session, 10)]
        assert "block" in actions and "report" in actions
        # The audit trail names the block by a hash prefix, never by the address.
        assert all(
            "noe@" not in str(a.entity_id) + str(a.details)
            for a in await moderation.recent_audit(session, 50)
        )
