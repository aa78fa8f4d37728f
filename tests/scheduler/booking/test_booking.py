"""The booking lifecycle against real PostgreSQL: book, idempotency, tokens, cancel,
reschedule, no-show, the outbox rows and the exclusion constraint."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from uuid import UUID, uuid4

import psycopg
import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import IntegrityError

from availability import Interval, InvalidTimezone, NaiveDatetime
from scheduler import booking
from scheduler.booking import BookingRow, EmailBlock, ManageToken
from scheduler.platform import (
    Actor,
    AuditEntry,
    BookingNotLive,
    Database,
    EmailBlocked,
    IdempotencyConflict,
    InvalidToken,
    MentorUnavailable,
    NotFound,
    OutboxRow,
    OutsideAvailability,
    SlotTaken,
    TokenExpired,
    ValidationFailed,
    constraint_name,
    driver_connection,
    outbox,
    translate_integrity_error,
)
from scheduler.schedules import ExternalBusy, PolicySettings, mentor_slots
from testkit.factories import NOW, TUESDAY_18H, count, ensure_filiere, make_mentor, visitor

DAY = (TUESDAY_18H - timedelta(hours=1), TUESDAY_18H + timedelta(hours=5))


async def _slots(db: Database, mentor_id: UUID) -> tuple[datetime, ...]:
    async with db.sessions() as session:
        return (await mentor_slots(session, mentor_id, NOW, *DAY)).slots


async def _book(db: Database, mentor_id: UUID, start: datetime = TUESDAY_18H, n: int = 1, **kw):  # type: ignore[no-untyped-def]
    async with db.sessions() as session:
        return await booking.book(
            session, mentor_id=mentor_id, slot_start=start, visitor=visitor(n), now=NOW, **kw
        )


async def test_a_booking_takes_its_slot_and_a_cancelled_slot_is_offered_again(db: Database) -> None:
    mentor = await make_mentor(db)
    assert TUESDAY_18H in await _slots(db, mentor.id)

    made = await _book(db, mentor.id, filiere="droit")
    assert made.booking.status == "confirmed"
    assert made.booking.start == TUESDAY_18H
    assert made.booking.end == TUESDAY_18H + timedelta(minutes=15)
    assert made.booking.series_id == made.booking.id and made.booking.sequence == 0
    assert made.booking.visitor_email == "lea1@lycee.example.fr"
    assert TUESDAY_18H not in await _slots(db, mentor.id)
    with pytest.raises(SlotTaken):
        await _book(db, mentor.id, n=2)

    async with db.sessions() as session:
        cancelled = await booking.cancel_by_token(
            session, made.booking.id, made.manage_token, NOW, reason="Empêchement"
        )
    assert cancelled.status == "cancelled" and cancelled.cancelled_by == "visitor"
    assert TUESDAY_18H in await _slots(db, mentor.id)
    again = await _book(db, mentor.id, n=3)
    assert again.booking.id != made.booking.id


async def test_only_the_hash_of_the_manage_token_is_stored(db: Database) -> None:
    mentor = await make_mentor(db)
    made = await _book(db, mentor.id)
    assert len(made.manage_token) >= 43
    async with db.sessions() as session:
        hashes = (await session.execute(select(ManageToken.token_hash))).scalars().all()
        dump = (
            await session.execute(text("SELECT string_agg(t::text, '') FROM manage_tokens t"))
        ).scalar()
    assert len(hashes) == 1 and len(hashes[0]) == 32
    assert made.manage_token not in (dump or "")


async def test_book_writes_its_outbox_rows_and_audit_in_the_same_transaction(db: Database) -> None:
    mentor = await make_mentor(db)
    made = await _book(db, mentor.id)
    async with db.sessions() as session:
        rows = (
            await session.execute(select(OutboxRow.kind, OutboxRow.available_at, OutboxRow.payload))
        ).all()
    by_kind = {row.kind: row for row in rows}
    assert set(by_kind) == {
        outbox.MAIL_BOOKING_CONFIRMED,
        outbox.CALENDAR_UPSERT_EVENT,
        outbox.MAIL_REMINDER_24H,
        outbox.MAIL_REMINDER_1H,
        outbox.MAIL_FOLLOWUP,
        outbox.WEBHOOK_EVENT,
    }
    assert all(row.payload["booking_id"] == str(made.booking.id) for row in rows)
    assert by_kind[outbox.WEBHOOK_EVENT].payload["event"] == "booking.created"
    assert by_kind[outbox.MAIL_REMINDER_24H].available_at == TUESDAY_18H - timedelta(hours=24)
    assert by_kind[outbox.MAIL_REMINDER_1H].available_at == TUESDAY_18H - timedelta(hours=1)
    assert by_kind[outbox.MAIL_FOLLOWUP].available_at > made.booking.end
    assert await count(db, AuditEntry, AuditEntry.action == "book") == 1


async def test_a_booking_made_less_than_a_day_ahead_has_no_24h_reminder(db: Database) -> None:
    mentor = await make_mentor(db)
    async with db.sessions() as session:
        made = await booking.book(
            session,
            mentor_id=mentor.id,
            slot_start=TUESDAY_18H,
            visitor=visitor(),
            now=TUESDAY_18H - timedelta(hours=5),
        )
    kinds = await count(db, OutboxRow, OutboxRow.kind == outbox.MAIL_REMINDER_24H)
    assert kinds == 0 and made.booking.status == "confirmed"


async def test_idempotent_retry_returns_the_same_booking(db: Database) -> None:
    mentor = await make_mentor(db)
    first = await _book(db, mentor.id, idempotency_key="key-1", request_secret="s")
    retry = await _book(db, mentor.id, idempotency_key="key-1", request_secret="s")
    assert retry.replayed and not first.replayed
    assert retry.booking.id == first.booking.id
    assert retry.manage_token != first.manage_token
    async with db.sessions() as session:
        seen = await booking.get_booking_by_token(
            session, first.booking.id, retry.manage_token, NOW
        )
    assert seen.id == first.booking.id
    assert await count(db, BookingRow) == 1
    assert await count(db, OutboxRow, OutboxRow.kind == outbox.MAIL_BOOKING_CONFIRMED) == 1


async def test_same_idempotency_key_with_another_body_is_refused(db: Database) -> None:
    mentor = await make_mentor(db)
    await _book(db, mentor.id, idempotency_key="key-2", request_secret="s")
    with pytest.raises(IdempotencyConflict):
        await _book(
            db,
            mentor.id,
            start=TUESDAY_18H + timedelta(minutes=30),
            idempotency_key="key-2",
            request_secret="s",
        )
    with pytest.raises(IdempotencyConflict):
        await _book(db, mentor.id, n=9, idempotency_key="key-2", request_secret="s")
    assert await count(db, BookingRow) == 1


async def test_a_token_cannot_cancel_another_booking(db: Database) -> None:
    mentor = await make_mentor(db)
    first = await _book(db, mentor.id)
    second = await _book(db, mentor.id, start=TUESDAY_18H + timedelta(minutes=30), n=2)
    async with db.sessions() as session:
        with pytest.raises(InvalidToken):
            await booking.cancel_by_token(session, second.booking.id, first.manage_token, NOW)
        with pytest.raises(InvalidToken):
            await booking.cancel_by_token(session, second.booking.id, "not-a-token", NOW)
        with pytest.raises(InvalidToken):
            await booking.reschedule_by_token(
                session,
                second.booking.id,
                first.manage_token,
                TUESDAY_18H + timedelta(hours=1),
                NOW,
            )
        assert (await booking.get_booking(session, second.booking.id)).status == "confirmed"


async def test_an_expired_token_is_refused(db: Database) -> None:
    mentor = await make_mentor(db)
    made = await _book(db, mentor.id)
    later = made.booking.end + booking.TOKEN_GRACE
    async with db.sessions() as session:
        with pytest.raises(TokenExpired):
            await booking.get_booking_by_token(session, made.booking.id, made.manage_token, later)
        with pytest.raises(TokenExpired):
            await booking.cancel_by_token(session, made.booking.id, made.manage_token, later)
        assert (await booking.get_booking(session, made.booking.id)).status == "confirmed"


async def test_a_cancelled_booking_cannot_be_cancelled_or_moved_again(db: Database) -> None:
    mentor = await make_mentor(db)
    made = await _book(db, mentor.id)
    async with db.sessions() as session:
        await booking.cancel_by_token(session, made.booking.id, made.manage_token, NOW)
        with pytest.raises(BookingNotLive):
            await booking.cancel_by_token(session, made.booking.id, made.manage_token, NOW)
        with pytest.raises(BookingNotLive):
            await booking.reschedule_by_token(
                session, made.booking.id, made.manage_token, TUESDAY_18H + timedelta(hours=1), NOW
            )
    kinds = await count(db, OutboxRow, OutboxRow.kind.in_(outbox.TIMED_KINDS))
    assert kinds == 0  # reminders and follow-up of a cancelled booking are dropped
    assert await count(db, OutboxRow, OutboxRow.kind == outbox.MAIL_BOOKING_CANCELLED) == 1
    assert await count(db, OutboxRow, OutboxRow.kind == outbox.CALENDAR_CANCEL_EVENT) == 1


async def test_reschedule_moves_the_booking_in_one_series(db: Database) -> None:
    mentor = await make_mentor(db)
    made = await _book(db, mentor.id)
    later = TUESDAY_18H + timedelta(minutes=15)  # overlaps nothing once the old one is moved
    async with db.sessions() as session:
        moved = await booking.reschedule_by_token(
            session, made.booking.id, made.manage_token, later, NOW
        )
        old = await booking.get_booking(session, made.booking.id)
    assert old.status == "rescheduled" and old.rescheduled_to == moved.booking.id
    new = moved.booking
    assert (new.series_id, new.sequence, new.start) == (made.booking.series_id, 1, later)
    assert new.visitor_email == made.booking.visitor_email
    assert TUESDAY_18H in await _slots(db, mentor.id)
    assert later not in await _slots(db, mentor.id)
    async with db.sessions() as session:
        with pytest.raises(BookingNotLive):
            await booking.cancel_by_token(session, made.booking.id, made.manage_token, NOW)
        view = await booking.load_booking_view(session, new.id, "https://rdv.thotis.fr", NOW)
    assert view.previous_start == TUESDAY_18H and view.sequence == 1
    assert await count(db, OutboxRow, OutboxRow.kind == outbox.MAIL_BOOKING_RESCHEDULED) == 1
    reminders = await count(db, OutboxRow, OutboxRow.kind == outbox.MAIL_REMINDER_1H)
    assert reminders == 1  # the old booking's reminder is gone, the new one's is there


async def test_a_failed_reschedule_changes_nothing(db: Database) -> None:
    mentor = await make_mentor(db)
    made = await _book(db, mentor.id)
    other = await _book(db, mentor.id, start=TUESDAY_18H + timedelta(hours=1), n=2)
    async with db.sessions() as session:
        with pytest.raises(SlotTaken):
            await booking.reschedule_by_token(
                session, made.booking.id, made.manage_token, other.booking.start, NOW
            )
        with pytest.raises(OutsideAvailability):
            await booking.reschedule_by_token(
                session, made.booking.id, made.manage_token, TUESDAY_18H + timedelta(hours=6), NOW
            )
        assert (await booking.get_booking(session, made.booking.id)).status == "confirmed"
    assert await count(db, BookingRow) == 2


async def test_mentor_cancels_and_reschedules_only_their_own(db: Database) -> None:
    mentor = await make_mentor(db)
    stranger = await make_mentor(db)
    made = await _book(db, mentor.id)
    async with db.sessions() as session:
        with pytest.raises(NotFound):
            await booking.cancel_by_mentor(session, made.booking.id, stranger.id, NOW)
        moved = await booking.reschedule_by_mentor(
            session, made.booking.id, mentor.id, TUESDAY_18H + timedelta(hours=2), NOW
        )
        cancelled = await booking.cancel_by_mentor(
            session, moved.booking.id, mentor.id, NOW, "Malade"
        )
    assert cancelled.cancelled_by == "mentor" and cancelled.cancel_reason == "Malade"


async def test_no_show_only_after_the_start(db: Database) -> None:
    mentor = await make_mentor(db)
    made = await _book(db, mentor.id)
    async with db.sessions() as session:
        with pytest.raises(BookingNotLive):
            await booking.mark_no_show(
                session, made.booking.id, NOW, Actor.mentor(mentor.id), mentor.id
            )
        done = await booking.mark_no_show(
            session,
            made.booking.id,
            TUESDAY_18H + timedelta(minutes=10),
            Actor.mentor(mentor.id),
            mentor.id,
        )
    assert done.status == "no_show"
    assert TUESDAY_18H in await _slots(db, mentor.id)


async def test_slots_outside_availability_and_inactive_mentors_are_refused(db: Database) -> None:
    mentor = await make_mentor(db)
    with pytest.raises(OutsideAvailability):
        await _book(db, mentor.id, start=TUESDAY_18H + timedelta(minutes=5))  # off the grid
    with pytest.raises(OutsideAvailability):
        await _book(db, mentor.id, start=TUESDAY_18H - timedelta(hours=3))  # before 18:00
    async with db.sessions() as session:
        with pytest.raises(OutsideAvailability):  # too short notice
            await booking.book(
                session,
                mentor_id=mentor.id,
                slot_start=TUESDAY_18H,
                visitor=visitor(),
                now=TUESDAY_18H - timedelta(minutes=30),
            )
    with pytest.raises(NotFound):
        await _book(db, uuid4())
    from scheduler import catalog
    from testkit.factories import STAFF

    async with db.sessions() as session:
        await catalog.deactivate_mentor(session, mentor.id, STAFF)
    with pytest.raises(MentorUnavailable):
        await _book(db, mentor.id)
    assert await count(db, BookingRow) == 0


async def test_bad_visitor_input_changes_nothing(db: Database) -> None:
    mentor = await make_mentor(db)
    async with db.sessions() as session:
        for bad, error in [
            (visitor(email="pas-un-email"), ValidationFailed),
            (visitor(first_name="  "), ValidationFailed),
            (visitor(timezone="Mars/Olympus"), InvalidTimezone),
            (visitor(language="de"), ValidationFailed),
            (visitor(question="?" * 5000), ValidationFailed),
        ]:
            with pytest.raises(error):
                await booking.book(
                    session, mentor_id=mentor.id, slot_start=TUESDAY_18H, visitor=bad, now=NOW
                )
        with pytest.raises(NaiveDatetime):
            await booking.book(
                session,
                mentor_id=mentor.id,
                slot_start=TUESDAY_18H.replace(tzinfo=None),
                visitor=visitor(),
                now=NOW,
            )
        with pytest.raises(ValidationFailed):
            await booking.book(
                session,
                mentor_id=mentor.id,
                slot_start=TUESDAY_18H,
                visitor=visitor(),
                now=NOW,
                filiere="medecine",
            )
    assert await count(db, BookingRow) == 0
    assert await count(db, OutboxRow) == 0


async def test_a_blocked_email_cannot_book(db: Database) -> None:
    import hashlib

    mentor = await make_mentor(db)
    async with db.sessions() as session:
        session.add(EmailBlock(email_hash=hashlib.sha256(b"lea1@lycee.example.fr").digest()))
        await session.commit()
    with pytest.raises(EmailBlocked):
        await _book(db, mentor.id)


async def test_cached_and_fresh_busy_time_are_respected(db: Database) -> None:
    mentor = await make_mentor(db)
    async with db.sessions() as session:
        session.add(
            ExternalBusy(
                mentor_id=mentor.id,
                start_at=TUESDAY_18H,
                end_at=TUESDAY_18H + timedelta(minutes=30),
            )
        )
        await session.commit()
    assert TUESDAY_18H not in await _slots(db, mentor.id)
    with pytest.raises(OutsideAvailability):
        await _book(db, mentor.id)

    class Fresh:
        def __init__(self, busy: list[Interval] | None) -> None:
            self.busy = busy
            self.calls: list[tuple[UUID, datetime, datetime]] = []

        async def fresh_busy(
            self, mentor_id: UUID, start: datetime, end: datetime
        ) -> list[Interval] | None:
            self.calls.append((mentor_id, start, end))
            return self.busy

    # Google now says the cached event is gone: fresh busy time replaces the cache there.
    freed = Fresh([])
    made = await _book(db, mentor.id, busy_check=freed)
    assert made.booking.start == TUESDAY_18H
    assert freed.calls == [(mentor.id, TUESDAY_18H, TUESDAY_18H + timedelta(minutes=15))]

    # A new event not in the cache yet blocks the booking.
    later = TUESDAY_18H + timedelta(hours=1)
    blocked = Fresh([Interval(later, later + timedelta(minutes=15))])
    with pytest.raises(OutsideAvailability):
        await _book(db, mentor.id, start=later, n=2, busy_check=blocked)
    # None = no fresh answer: the cache decides.
    await _book(db, mentor.id, start=later, n=2, busy_check=Fresh(None))


async def test_load_booking_view_gives_a_working_manage_link(db: Database) -> None:
    mentor = await make_mentor(db)
    made = await _book(db, mentor.id, filiere="droit")
    async with db.sessions() as session:
        view = await booking.load_booking_view(
            session, made.booking.id, "https://rdv.thotis.fr/", NOW
        )
    assert view.mentor_name == mentor.display_name and view.mentor_email == mentor.email
    assert view.filiere_name_fr == "Droit" and view.visitor_first_name == "Léa1"
    assert view.start == TUESDAY_18H and view.status == "confirmed" and view.previous_start is None
    prefix = "https://rdv.thotis.fr/manage/"
    assert view.manage_url.startswith(prefix)
    token = view.manage_url.removeprefix(prefix)
    async with db.sessions() as session:
        cancelled = await booking.cancel_by_token(session, made.booking.id, token, NOW)
        assert cancelled.status == "cancelled"
        after = await booking.load_booking_view(
            session, made.booking.id, "https://rdv.thotis.fr", NOW
        )
    assert after.manage_url == "https://rdv.thotis.fr" and after.cancelled_by == "visitor"


async def test_an_overlap_refused_on_the_driver_connection_also_reads_as_slot_taken(
    db: Database,
) -> None:
    """Booking's statements bypass SQLAlchemy (scheduler.platform.driver), so psycopg's own error for the
    exclusion constraint must read as slot_taken too."""
    mentor = await make_mentor(db)
    made = await _book(db, mentor.id)
    async with db.sessions() as session:
        connection = await driver_connection(session)
        with pytest.raises(psycopg.IntegrityError) as caught:
            await connection.execute(
                "INSERT INTO bookings (id, series_id, mentor_id, start_at, end_at,"
                " buffer_before_minutes, buffer_after_minutes, visitor_timezone, consent_at)"
                " VALUES (%(id)s, %(id)s, %(m)s, %(s)s, %(e)s, 0, 0, 'Europe/Paris', now())",
                {"id": uuid4(), "m": mentor.id, "s": made.booking.start, "e": made.booking.end},
            )
        await session.rollback()
    assert constraint_name(caught.value) == "bookings_no_overlap"
    assert isinstance(translate_integrity_error(caught.value), SlotTaken)
    assert await count(db, BookingRow) == 1


async def test_the_exclusion_constraint_is_the_last_line_of_defence(db: Database) -> None:
    """Two overlapping live rows written behind the services' back: the database refuses the
    second, and the refusal reads as slot_taken."""
    mentor = await make_mentor(
        db, policy=PolicySettings(buffer_before_minutes=10, buffer_after_minutes=10)
    )
    insert = text(
        "INSERT INTO bookings (id, series_id, mentor_id, start_at, end_at, buffer_before_minutes,"
        " buffer_after_minutes, visitor_timezone, consent_at)"
        " VALUES (:id, :id, :m, :s, :e, 10, 10, 'Europe/Paris', now())"
    )
    async with db.sessions() as session:
        first = uuid4()
        await session.execute(
            insert,
            {
                "id": first,
                "m": mentor.id,
                "s": TUESDAY_18H,
                "e": TUESDAY_18H + timedelta(minutes=15),
            },
        )
        await session.commit()
        start = TUESDAY_18H + timedelta(minutes=30)  # touches nothing, but buffers overlap
        with pytest.raises(IntegrityError) as caught:
            await session.execute(
                insert,
                {"id": uuid4(), "m": mentor.id, "s": start, "e": start + timedelta(minutes=15)},
            )
        await session.rollback()
        assert isinstance(translate_integrity_error(caught.value), SlotTaken)
        # Once the first is cancelled, the same row is accepted.
        await session.execute(
            text("UPDATE bookings SET status = 'cancelled' WHERE id = :id"), {"id": first}
        )
        await session.execute(
            insert, {"id": uuid4(), "m": mentor.id, "s": start, "e": start + timedelta(minutes=15)}
        )
        await session.commit()
        occupied = (
            await session.execute(
                text(
                    "SELECT lower(occupied), upper(occupied) FROM bookings WHERE status = 'confirmed'"
                )
            )
        ).one()
    assert occupied[0] == start - timedelta(minutes=10) and occupied[1] == start + timedelta(
        minutes=25
    )
    _ = UTC


async def test_the_booking_returned_is_the_booking_stored(db: Database) -> None:
    # book() builds its record without reading the row back: the two must never drift apart.
    mentor = await make_mentor(db)
    async with db.sessions() as session:
        made = await booking.book(
            session,
            mentor_id=mentor.id,
            slot_start=TUESDAY_18H,
            visitor=visitor(),
            now=NOW,
            filiere="droit",
        )
        stored = await booking.get_booking(session, made.booking.id)
    assert made.booking == stored


async def test_a_booking_without_a_page_is_kept_in_the_mentors_only_filiere(db: Database) -> None:
    mentor = await make_mentor(db)
    made = await _book(db, mentor.id)
    async with db.sessions() as session:
        view = await booking.load_booking_view(session, made.booking.id, "https://x.example", NOW)
    assert view.filiere_name_fr == "Droit"


async def test_the_first_manage_link_follows_the_series_after_a_reschedule(db: Database) -> None:
    mentor = await make_mentor(db)
    made = await _book(db, mentor.id)
    later = TUESDAY_18H + timedelta(days=7)
    async with db.sessions() as session:
        moved = await booking.reschedule_by_token(
            session, made.booking.id, made.manage_token, later, NOW
        )
    async with db.sessions() as session:
        # The link from the first mail now names the new booking and acts on it.
        current = await booking.booking_id_for_token(session, made.manage_token)
        assert current == moved.booking.id
        seen = await booking.get_booking_by_token(session, current, made.manage_token, NOW)
        assert seen.start == later and seen.status == "confirmed"
        # It lives until a day after the moved call, past the first call's own expiry.
        after_first = made.booking.end + booking.TOKEN_GRACE + timedelta(hours=1)
        await booking.get_booking_by_token(session, current, made.manage_token, after_first)
        with pytest.raises(TokenExpired):
            await booking.get_booking_by_token(
                session, current, made.manage_token, moved.booking.end + booking.TOKEN_GRACE
            )
        cancelled = await booking.cancel_by_token(session, current, made.manage_token, NOW)
    assert cancelled.status == "cancelled" and cancelled.id == moved.booking.id


async def test_a_mentor_of_two_filieres_booked_without_a_page_is_kept_in_neither(
    db: Database,
) -> None:
    mentor = await make_mentor(db)
    await ensure_filiere(db, "medecine")
    async with db.sessions() as session:
        from scheduler.catalog import Filiere, MentorFiliere

        medecine = (
            await session.execute(select(Filiere.id).where(Filiere.slug == "medecine"))
        ).scalar_one()
        session.add(MentorFiliere(mentor_id=mentor.id, filiere_id=medecine))
        await session.commit()
    made = await _book(db, mentor.id)
    assert made.booking.filiere_id is None
    again = await _book(
        db, mentor.id, start=TUESDAY_18H + timedelta(minutes=30), n=2, filiere="medecine"
    )
    assert again.booking.filiere_id == medecine
