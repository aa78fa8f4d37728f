"""Personal data is kept only as long as needed: ``personal_data_retention_days`` after a
booking's end, nothing links it to a person any more.

What the purge does to each such booking, in one transaction:

- the first name, the email, the question and the cancel reason are emptied on the booking;
- the question is copied, alone, to ``retained_questions`` with its filière and month (the
  frequent questions): no booking, mentor or visitor behind it;
- the feedback answer is added to the mentor's count of the month (``feedback_tallies``) and
  its row, which named the booking, is deleted;
- its idempotency keys lose their request hash and their booking: the key stays as a
  tombstone, so a replay answers ``booking_gone`` (410) instead of booking again;
- its outbox rows and their sent-message records are deleted;
- its manage tokens stay (only their SHA-256, which names nobody) so that an old link answers
  ``booking_gone`` too, never "invalid" nor a page of the booking.

Idempotent: a second run finds nothing left to do and counts zeros. The same steps serve the
erasure of one address (``erase_bookings``), which the privacy requests call.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from uuid import UUID

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from availability.intervals import as_utc
from scheduler.platform import Actor, Clock, Database, PeriodicJob, record, unit_of_work

log = logging.getLogger("thotis.retention")


@dataclass(frozen=True, slots=True)
class PurgeCounts:
    """What one purge changed; counts only, so that its log line holds no personal data."""

    bookings: int = 0
    questions_kept_anonymously: int = 0
    feedback_tallied: int = 0
    idempotency_keys: int = 0
    outbox_rows: int = 0
    sent_messages: int = 0

    def __bool__(self) -> bool:
        return any(asdict(self).values())


# Bookings whose end is past the cutoff and that still hold something linked to a person (a
# booking purged before revision 0011 kept its question: it is found and finished here).
_DUE = """
    SELECT b.id FROM bookings b
     WHERE b.end_at < :cutoff
       AND (b.personal_data_purged_at IS NULL
            OR b.visitor_question IS NOT NULL
            OR b.cancel_reason IS NOT NULL
            OR EXISTS (SELECT 1 FROM feedback f WHERE f.booking_id = b.id)
            OR EXISTS (SELECT 1 FROM idempotency_keys k
                        WHERE k.booking_id = b.id))
     FOR UPDATE OF b SKIP LOCKED
"""

_STEPS: tuple[tuple[str, str], ...] = (
    (
        # A rescheduled booking handed its question to the next booking of its series: the
        # series' question is kept once.
        "questions_kept_anonymously",
        """
        INSERT INTO retained_questions (filiere_id, month, language, question)
        SELECT b.filiere_id, date_trunc('month', b.created_at AT TIME ZONE 'Europe/Paris')::date,
               b.language, b.visitor_question
          FROM bookings b
         WHERE b.id = ANY(:ids) AND b.status <> 'rescheduled'
           AND b.visitor_question IS NOT NULL AND b.visitor_question <> ''
        """,
    ),
    (
        "feedback_tallied",
        """
        WITH gone AS (
          DELETE FROM feedback f USING bookings b
           WHERE f.booking_id = b.id AND b.id = ANY(:ids)
          RETURNING b.mentor_id,
                    date_trunc('month', b.start_at AT TIME ZONE 'Europe/Paris')::date AS month,
                    f.helpful
        ), counted AS (
          INSERT INTO feedback_tallies AS t (mentor_id, month, helpful, not_helpful)
          SELECT mentor_id, month, count(*) FILTER (WHERE helpful),
                 count(*) FILTER (WHERE NOT helpful)
            FROM gone GROUP BY mentor_id, month
          ON CONFLICT (mentor_id, month) DO UPDATE
             SET helpful = t.helpful + excluded.helpful,
                 not_helpful = t.not_helpful + excluded.not_helpful
        )
        SELECT count(*) FROM gone
        """,
    ),
    (
        "idempotency_keys",
        """
        UPDATE idempotency_keys SET request_hash = NULL, booking_id = NULL
         WHERE booking_id = ANY(:ids)
        """,
    ),
    (
        "sent_messages",
        """
        DELETE FROM sent_messages s USING outbox o
         WHERE s.outbox_id = o.id AND (o.payload ->> 'booking_id') = ANY(:id_texts)
        """,
    ),
    (
        "outbox_rows",
        """
        DELETE FROM outbox WHERE (payload ->> 'booking_id') = ANY(:id_texts)
        """,
    ),
)

_EMPTY = """
    UPDATE bookings
       SET visitor_first_name = NULL, visitor_email = NULL, visitor_question = NULL,
           cancel_reason = NULL,
           personal_data_purged_at = coalesce(personal_data_purged_at, :now)
     WHERE id = ANY(:ids)
"""


async def erase_bookings(
    session: AsyncSession, ids: Sequence[UUID], now: datetime, *, keep_questions: bool = True
) -> PurgeCounts:
    """Unlink ``ids`` from their visitor (the steps above), inside the caller's transaction.
    ``keep_questions=False`` (a visitor asked for erasure): the questions go too."""
    if not ids:
        return PurgeCounts()
    params = {"ids": list(ids), "id_texts": [str(i) for i in ids], "now": now}
    counts: dict[str, int] = {"questions_kept_anonymously": 0}
    for name, statement in _STEPS:
        if name == "questions_kept_anonymously" and not keep_questions:
            continue
        result = await session.execute(text(statement), params)
        if statement.strip().startswith("WITH"):
            counts[name] = int(result.scalar_one())
        else:
            counts[name] = int(getattr(result, "rowcount", 0) or 0)
    await session.execute(text(_EMPTY), params)
    return PurgeCounts(bookings=len(ids), **counts)


async def purge_personal_data(
    session: AsyncSession, now: datetime, retention_days: int
) -> PurgeCounts:
    """Unlink from their visitor the bookings that ended more than ``retention_days`` ago."""
    now = as_utc(now, "now")
    cutoff = now - timedelta(days=retention_days)
    async with unit_of_work(session):
        due = (await session.execute(text(_DUE), {"cutoff": cutoff})).scalars().all()
        counts = await erase_bookings(session, due, now)
        if counts.bookings:
            await record(
                session, Actor.system(), "purge_personal_data", "bookings", "*", asdict(counts)
            )
    return counts


def purge_job(db: Database, retention_days: int, clock: Clock) -> PeriodicJob:
    """The worker's daily purge (at start, then every day)."""

    async def run() -> None:
        async with db.sessions() as session:
            counts = await purge_personal_data(session, clock(), retention_days)
        # Counts only: the line says how much was forgotten, never whose.
        log.info("retention purge", extra={"purge": asdict(counts)})

    return PeriodicJob("purge", run, timedelta(days=1))
