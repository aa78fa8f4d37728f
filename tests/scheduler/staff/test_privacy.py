"""Privacy requests: everything held for an address is found and exported, and an erasure
leaves the address and its hash in no table (but a block), in one transaction."""

from __future__ import annotations

import hashlib
from datetime import timedelta

import pytest
from sqlalchemy import insert, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from scheduler import booking
from scheduler.booking import BookingRow, EmailBlock, feedback_token, record_feedback
from scheduler.platform import (
    Actor,
    AuditEntry,
    BookingGone,
    Database,
    rate_limits,
)
from scheduler.schema import metadata
from scheduler.staff import moderation, privacy, privacy_requests
from testkit.factories import NOW, TUESDAY_18H, count, make_mentor, visitor

STAFF = Actor.staff("equipe@thotis.fr")
SECRET = "s"
EMAIL = "lea1@lycee.example.fr"
# Between the two calls of _held_everywhere: the first has taken place, the second has not.
AFTER_FIRST = TUESDAY_18H + timedelta(days=1)


async def tables_holding(session: AsyncSession, *needles: str) -> set[str]:
    """The tables one of whose rows, as text (every column, bytea as hex), holds a needle."""
    found = set()
    for table in metadata.sorted_tables:
        for needle in needles:
            hit = await session.execute(
                text(f'SELECT 1 FROM "{table.name}" t WHERE t::text ILIKE :p LIMIT 1'),
                {"p": f"%{needle}%"},
            )
            if hit.first() is not None:
                found.add(table.name)
    return found


def needles(email: str) -> tuple[str, ...]:
    hashed = hashlib.sha256(email.encode()).hexdigest()
    return (email, hashed)


async def _held_everywhere(db: Database) -> tuple[booking.BookResult, booking.BookResult]:
    """A past booking with feedback and a mentor's report, a future one with the visitor's
    report, an idempotency key, a rate-limit window and a pending privacy request."""
    mentor = await make_mentor(db)
    async with db.sessions() as session:
        past = await booking.book(
            session,
            mentor_id=mentor.id,
            slot_start=TUESDAY_18H,
            visitor=visitor(1),
            now=NOW,
            idempotency_key="k-1",
            request_secret=SECRET,
        )
        future = await booking.book(
            session,
            mentor_id=mentor.id,
            slot_start=TUESDAY_18H + timedelta(days=7),
            visitor=visitor(1),
            now=NOW,
        )
        await record_feedback(
            session, SECRET, past.booking.id, feedback_token(SECRET, past.booking.id), True
        )
        await moderation.report_booking(session, past.booking.id, mentor.id, "Absent", NOW)
        await moderation.report_visitor(
            session, future.booking.id, future.manage_token, "Je ne veux plus", NOW
        )
        async with session.begin():
            await session.execute(
                insert(rate_limits.RateLimitRow).values(
                    key=rate_limits.email_key(EMAIL), window_start=NOW, hits=1
                )
            )
        assert await privacy_requests.request_by_visitor(session, past.booking.id, "export", NOW)
    return past, future


async def test_find_counts_what_is_held_in_every_place(db: Database) -> None:
    await _held_everywhere(db)
    async with db.sessions() as session:
        held = await privacy.find(session, "Lea1@Lycee.example.fr", NOW)
    assert (held.bookings, held.future_bookings, held.feedback, held.reports) == (2, 2, 1, 2)
    assert held.idempotency_keys == 1 and held.rate_limit_windows == 1
    assert held.privacy_requests == 1 and held.outbox_rows > 0 and not held.blocked


async def test_the_export_holds_the_bookings_and_names_no_address_in_the_trail(
    db: Database,
) -> None:
    past, _ = await _held_everywhere(db)
    async with db.sessions() as session:
        exported = await privacy.export(session, EMAIL, NOW, STAFF)
        trail = (await session.execute(select(AuditEntry.details, AuditEntry.entity_id))).all()
    assert exported["bookings"][0]["id"] == str(past.booking.id)
    assert exported["bookings"][0]["question"] == "Comment se passe la première année ?"
    assert exported["feedback"][0]["helpful"] is True
    assert {r["by"] for r in exported["reports"]} == {"mentor", "visitor"}
    assert EMAIL not in str(trail)


async def test_an_erasure_leaves_the_address_and_its_hash_in_no_table(db: Database) -> None:
    past, _ = await _held_everywhere(db)
    async with db.sessions() as session:
        assert await tables_holding(session, *needles(EMAIL))  # the check can see them
        erased = await privacy.erase(session, EMAIL, AFTER_FIRST, STAFF)
        assert (erased.bookings, erased.cancelled, erased.feedback, erased.reports) == (2, 1, 1, 1)
        assert await tables_holding(session, *needles(EMAIL)) == set()
        rows = (await session.execute(select(BookingRow))).scalars().all()
        with pytest.raises(BookingGone):
            await booking.booking_id_for_token(session, past.manage_token)
        again = await privacy.erase(session, EMAIL, AFTER_FIRST, STAFF)
    assert [r.visitor_question for r in rows] == [None, None]
    assert {r.status for r in rows} == {"confirmed", "cancelled"}  # an anonymous count stays
    assert again.bookings == 0 and not again.block_kept  # nothing left to find


async def test_an_erasure_keeps_the_block_of_a_blocked_address(db: Database) -> None:
    await _held_everywhere(db)
    async with db.sessions() as session:
        await moderation.block_email(session, EMAIL, "abus", STAFF)
        erased = await privacy.erase(session, EMAIL, NOW, STAFF)
        assert erased.block_kept
        assert await tables_holding(session, *needles(EMAIL)) == {"email_blocklist"}
    assert await count(db, EmailBlock) == 1
