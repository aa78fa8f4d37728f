"""Retention that really forgets: past the retention period nothing links a question, a cancel
reason, a feedback or an idempotency hash to a person, and the links of a purged booking
answer "gone" without issuing anything."""

from __future__ import annotations

import hashlib
import json
import logging
from datetime import timedelta
from uuid import UUID

import pytest
from sqlalchemy import select

from scheduler import booking
from scheduler.booking import (
    BookingRow,
    Feedback,
    FeedbackTally,
    IdempotencyKey,
    ManageToken,
    RetainedQuestion,
    feedback_token,
    join_token,
    purge_job,
    purge_personal_data,
    record_feedback,
    resolve_join,
)
from scheduler.platform import BookingGone, Database, OutboxRow
from scheduler.staff import questions
from testkit.factories import NOW, TUESDAY_18H, count, make_mentor, visitor

SECRET = "test-secret"
LATER = TUESDAY_18H + timedelta(days=200)


async def _book(db: Database, mentor_id: UUID, n: int = 1, key: str | None = None):  # type: ignore[no-untyped-def]
    async with db.sessions() as session:
        return await booking.book(
            session,
            mentor_id=mentor_id,
            slot_start=TUESDAY_18H + timedelta(minutes=30 * (n - 1)),
            visitor=visitor(n),
            now=NOW,
            filiere="droit",
            idempotency_key=key,
            request_secret=SECRET if key else None,
        )


async def _purge(db: Database, now=LATER):  # type: ignore[no-untyped-def]
    async with db.sessions() as session:
        return await purge_personal_data(session, now, 180)


async def test_the_purge_empties_name_email_question_and_cancel_reason(db: Database) -> None:
    mentor = await make_mentor(db)
    kept = await _book(db, mentor.id, 1)
    cancelled = await _book(db, mentor.id, 2)
    async with db.sessions() as session:
        await booking.cancel_by_token(
            session, cancelled.booking.id, cancelled.manage_token, NOW, "malade"
        )
    assert not await _purge(db, kept.booking.end + timedelta(days=179))
    counts = await _purge(db)
    assert counts.bookings == 2
    async with db.sessions() as session:
        rows = (await session.execute(select(BookingRow))).scalars().all()
    for row in rows:
        assert (row.visitor_first_name, row.visitor_email) == (None, None)
        assert (row.visitor_question, row.cancel_reason) == (None, None)
        assert row.personal_data_purged_at == LATER


async def test_the_question_is_kept_alone_by_filiere_and_month(db: Database) -> None:
    mentor = await make_mentor(db)
    await _book(db, mentor.id)
    await _purge(db)
    async with db.sessions() as session:
        retained = (await session.execute(select(RetainedQuestion))).scalars().all()
        lines = await questions.questions(session)
    assert [(r.question, r.month.isoformat()) for r in retained] == [
        ("Comment se passe la première année ?", "2030-01-01")
    ]
    assert [(line.question, line.filiere, line.booking_id, line.mentor_name) for line in lines] == [
        ("Comment se passe la première année ?", "droit", None, None)
    ]


async def test_feedback_is_counted_per_mentor_and_month_and_its_row_deleted(
    db: Database,
) -> None:
    mentor = await make_mentor(db)
    made = await _book(db, mentor.id)
    async with db.sessions() as session:
        token = feedback_token(SECRET, made.booking.id)
        await record_feedback(session, SECRET, made.booking.id, token, True)
    counts = await _purge(db)
    assert counts.feedback_tallied == 1
    assert await count(db, Feedback) == 0
    async with db.sessions() as session:
        tally = (await session.execute(select(FeedbackTally))).scalar_one()
    assert (tally.mentor_id, tally.helpful, tally.not_helpful) == (mentor.id, 1, 0)
    with pytest.raises(BookingGone):
        async with db.sessions() as session:
            await record_feedback(session, SECRET, made.booking.id, token, False)


async def test_the_purge_is_idempotent_and_counts_zeros_the_second_time(db: Database) -> None:
    mentor = await make_mentor(db)
    await _book(db, mentor.id, key="k-1")
    first = await _purge(db)
    assert (first.bookings, first.questions_kept_anonymously, first.idempotency_keys) == (1, 1, 1)
    assert first.outbox_rows > 0
    again = await _purge(db, LATER + timedelta(days=1))
    assert not again and again.bookings == 0
    assert await count(db, RetainedQuestion) == 1
    assert await count(db, OutboxRow) == 0


async def test_the_idempotency_hash_is_keyed_with_the_secret(db: Database) -> None:
    mentor = await make_mentor(db)
    await _book(db, mentor.id, key="k-1")
    async with db.sessions() as session:
        stored = (await session.execute(select(IdempotencyKey.request_hash))).scalar_one()
    body = {
        "mentor_id": str(mentor.id),
        "slot_start": TUESDAY_18H.isoformat(),
        "first_name": "Léa1",
        "email": "lea1@lycee.example.fr",
        "question": "Comment se passe la première année ?",
        "timezone": "Europe/Paris",
        "language": "fr",
        "filiere": "droit",
    }
    plain = hashlib.sha256(json.dumps(body, sort_keys=True).encode()).hexdigest()
    assert stored is not None and stored != plain


async def test_a_replayed_key_of_a_purged_booking_is_gone_and_issues_nothing(db: Database) -> None:
    mentor = await make_mentor(db)
    await _book(db, mentor.id, key="k-1")
    await _purge(db)
    async with db.sessions() as session:
        key = (await session.execute(select(IdempotencyKey))).scalar_one()
    assert (key.request_hash, key.booking_id) == (None, None)
    tokens = await count(db, ManageToken)
    with pytest.raises(BookingGone):
        await _book(db, mentor.id, key="k-1")
    assert await count(db, ManageToken) == tokens
    assert await count(db, BookingRow) == 1


async def test_the_manage_and_join_links_of_a_purged_booking_are_gone(db: Database) -> None:
    mentor = await make_mentor(db)
    made = await _book(db, mentor.id)
    await _purge(db)
    async with db.sessions() as session:
        with pytest.raises(BookingGone):
            await booking.booking_id_for_token(session, made.manage_token)
        with pytest.raises(BookingGone):
            await resolve_join(
                session,
                token=join_token(SECRET, made.booking.series_id, "visitor"),
                secret=SECRET,
                jitsi_base_url="https://meet.jit.si",
                now=LATER,
            )


async def test_the_purge_logs_counts_and_no_personal_data(
    db: Database, caplog: pytest.LogCaptureFixture
) -> None:
    mentor = await make_mentor(db)
    await _book(db, mentor.id)
    job = purge_job(db, 180, lambda: LATER)
    with caplog.at_level(logging.INFO, logger="thotis.retention"):
        await job.run()
    (line,) = [r for r in caplog.records if r.name == "thotis.retention"]
    assert line.purge["bookings"] == 1  # type: ignore[attr-defined]
    text = json.dumps(line.purge) + line.getMessage()  # type: ignore[attr-defined]
    assert "lea1" not in text.lower() and "première" not in text
