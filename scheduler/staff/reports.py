"""What the Thotis team reads of the bookings: the ledger (listing and export) and aggregate
statistics; the visitors' questions are ``scheduler.staff.questions``. Read-only; each function
is a fixed number of queries, whatever the number of bookings, mentors or filières.

Counting rule: a rescheduled booking is replaced by a new one of the same series, so statistics
and questions leave out the ``rescheduled`` rows (the series is counted once, as its latest
booking). The ledger shows every row.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVarTuple
from uuid import UUID

from sqlalchemy import Select, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from availability import supported_instant
from availability.intervals import as_utc
from scheduler.booking import BookingRow, BookingStatus
from scheduler.catalog import Filiere, Mentor
from scheduler.platform import ValidationFailed

# Beyond this the export should be cut by dates; it keeps one response bounded in memory.
EXPORT_MAX_ROWS = 100_000
MAX_PAGE = 500

# The columns of a query that BookingFilter.apply narrows: it adds WHERE clauses, never columns.
_Columns = TypeVarTuple("_Columns")


def _instant(value: datetime, name: str) -> datetime:
    return supported_instant(value, name)


@dataclass(frozen=True, slots=True)
class BookingFilter:
    """Which bookings: starting in ``[start, end)`` (either bound optional), booked from the
    filière ``filiere`` (slug), with ``mentor_id``, in ``status``."""

    start: datetime | None = None
    end: datetime | None = None
    filiere: str | None = None
    mentor_id: UUID | None = None
    status: str | None = None

    def __post_init__(self) -> None:
        if self.start is not None:
            object.__setattr__(self, "start", _instant(self.start, "from"))
        if self.end is not None:
            object.__setattr__(self, "end", _instant(self.end, "to"))
        if self.start is not None and self.end is not None and self.end <= self.start:
            raise ValidationFailed("'to' must be after 'from'")
        if self.status is not None and self.status not in set(BookingStatus):
            raise ValidationFailed(f"status must be one of {', '.join(BookingStatus)}")

    def apply(self, query: Select[*_Columns]) -> Select[*_Columns]:
        if self.start is not None:
            query = query.where(BookingRow.start_at >= self.start)
        if self.end is not None:
            query = query.where(BookingRow.start_at < self.end)
        if self.filiere is not None:
            query = query.where(Filiere.slug == self.filiere)
        if self.mentor_id is not None:
            query = query.where(BookingRow.mentor_id == self.mentor_id)
        if self.status is not None:
            query = query.where(BookingRow.status == self.status)
        return query


def check_page(limit: int, offset: int) -> None:
    """ValidationFailed unless ``limit`` and ``offset`` make a page the readers serve."""
    if not 1 <= limit <= MAX_PAGE or offset < 0:
        raise ValidationFailed(f"limit must be 1..{MAX_PAGE} and offset >= 0")


# --- the ledger ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class BookingLine:
    id: UUID
    series_id: UUID
    mentor_id: UUID
    mentor_name: str
    filiere: str | None  # slug of the page the visitor booked from
    start: datetime
    end: datetime
    status: str
    visitor_first_name: str | None  # None once personal data is purged
    visitor_email: str | None
    visitor_question: str | None
    visitor_timezone: str
    language: str
    cancelled_by: str | None
    cancel_reason: str | None
    cancelled_at: datetime | None
    created_at: datetime


def _ledger_query(flt: BookingFilter, newest_first: bool = False) -> Select[*tuple[Any, ...]]:
    query = (
        select(
            BookingRow.id,
            BookingRow.series_id,
            BookingRow.mentor_id,
            Mentor.display_name.label("mentor_name"),
            Filiere.slug.label("filiere"),
            BookingRow.start_at,
            BookingRow.end_at,
            BookingRow.status,
            BookingRow.visitor_first_name,
            BookingRow.visitor_email,
            BookingRow.visitor_question,
            BookingRow.visitor_timezone,
            BookingRow.language,
            BookingRow.cancelled_by,
            BookingRow.cancel_reason,
            BookingRow.cancelled_at,
            BookingRow.created_at,
        )
        .join(Mentor, Mentor.id == BookingRow.mentor_id)
        .outerjoin(Filiere, Filiere.id == BookingRow.filiere_id)
    )
    if newest_first:
        return flt.apply(query).order_by(BookingRow.start_at.desc(), BookingRow.id.desc())
    return flt.apply(query).order_by(BookingRow.start_at, BookingRow.id)


def _line(row: Any) -> BookingLine:
    return BookingLine(
        id=row.id,
        series_id=row.series_id,
        mentor_id=row.mentor_id,
        mentor_name=row.mentor_name,
        filiere=row.filiere,
        start=row.start_at,
        end=row.end_at,
        status=row.status,
        visitor_first_name=row.visitor_first_name,
        visitor_email=row.visitor_email,
        visitor_question=row.visitor_question,
        visitor_timezone=row.visitor_timezone,
        language=row.language,
        cancelled_by=row.cancelled_by,
        cancel_reason=row.cancel_reason,
        cancelled_at=row.cancelled_at,
        created_at=row.created_at,
    )


async def list_bookings(
    session: AsyncSession,
    flt: BookingFilter,
    *,
    limit: int = 100,
    offset: int = 0,
    newest_first: bool = False,
) -> list[BookingLine]:
    """One page of the ledger, by start time."""
    check_page(limit, offset)
    rows = await session.execute(_ledger_query(flt, newest_first).limit(limit).offset(offset))
    return [_line(row) for row in rows]


async def count_bookings(session: AsyncSession, flt: BookingFilter) -> int:
    """How many bookings the ledger holds under ``flt`` (for its pages)."""
    query = flt.apply(
        select(func.count(BookingRow.id)).outerjoin(Filiere, Filiere.id == BookingRow.filiere_id)
    )
    return int((await session.execute(query)).scalar_one())


async def export_bookings(
    session: AsyncSession, flt: BookingFilter, *, max_rows: int = EXPORT_MAX_ROWS
) -> list[BookingLine]:
    """The whole ledger under ``flt`` (ValidationFailed past ``max_rows``: narrow the dates)."""
    rows = (await session.execute(_ledger_query(flt).limit(max_rows + 1))).all()
    if len(rows) > max_rows:
        raise ValidationFailed(f"more than {max_rows} bookings: narrow the period")
    return [_line(row) for row in rows]


# --- statistics ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Counts:
    """``bookings`` = confirmed + cancelled + no_show; ``held`` = bookings that have started
    and were not cancelled (confirmed or no-show)."""

    bookings: int = 0
    confirmed: int = 0
    cancelled: int = 0
    no_show: int = 0
    held: int = 0

    @property
    def cancellation_rate(self) -> float | None:
        return self.cancelled / self.bookings if self.bookings else None

    @property
    def no_show_rate(self) -> float | None:
        return self.no_show / self.held if self.held else None

    def __add__(self, other: Counts) -> Counts:
        return Counts(
            self.bookings + other.bookings,
            self.confirmed + other.confirmed,
            self.cancelled + other.cancelled,
            self.no_show + other.no_show,
            self.held + other.held,
        )


@dataclass(frozen=True, slots=True)
class FiliereCounts:
    slug: str | None  # None: booked without a filière page (e.g. a mentor's own link)
    name_fr: str | None
    name_en: str | None
    counts: Counts


@dataclass(frozen=True, slots=True)
class MentorCounts:
    mentor_id: UUID
    display_name: str
    active: bool
    counts: Counts


@dataclass(frozen=True, slots=True)
class Statistics:
    start: datetime | None
    end: datetime | None
    total: Counts
    per_filiere: tuple[FiliereCounts, ...]
    per_mentor: tuple[MentorCounts, ...]


def _count_columns(now: datetime) -> list[Any]:
    status = BookingRow.status
    return [
        func.count(BookingRow.id).label("bookings"),
        func.count(BookingRow.id).filter(status == BookingStatus.CONFIRMED).label("confirmed"),
        func.count(BookingRow.id).filter(status == "cancelled").label("cancelled"),
        func.count(BookingRow.id).filter(status == "no_show").label("no_show"),
        func.count(BookingRow.id)
        .filter(
            status.in_((BookingStatus.CONFIRMED, BookingStatus.NO_SHOW)), BookingRow.start_at <= now
        )
        .label("held"),
    ]


def _counts(row: Any) -> Counts:
    return Counts(row.bookings, row.confirmed, row.cancelled, row.no_show, row.held)


def _booking_conditions(start: datetime | None, end: datetime | None) -> list[Any]:
    conditions: list[Any] = [BookingRow.status != "rescheduled"]
    if start is not None:
        conditions.append(BookingRow.start_at >= start)
    if end is not None:
        conditions.append(BookingRow.start_at < end)
    return conditions


async def statistics(
    session: AsyncSession,
    now: datetime,
    start: datetime | None = None,
    end: datetime | None = None,
) -> Statistics:
    """Bookings per filière and per mentor (every filière and mentor listed, zeros included),
    cancellation and no-show rates, over bookings starting in ``[start, end)``. Three queries,
    one of which reads the bookings: a single scan counts them per mentor and per filière
    (``GROUPING SETS``) where a query per grouping read them twice."""
    now = as_utc(now, "now")
    period = BookingFilter(start, end)
    counted = (
        await session.execute(
            select(
                BookingRow.mentor_id,
                BookingRow.filiere_id,
                func.grouping(BookingRow.mentor_id).label("per_filiere"),
                *_count_columns(now),
            )
            .where(*_booking_conditions(period.start, period.end))
            .group_by(func.grouping_sets(BookingRow.mentor_id, BookingRow.filiere_id))
        )
    ).all()
    filieres = (
        await session.execute(
            select(Filiere.id, Filiere.slug, Filiere.name_fr, Filiere.name_en).order_by(
                Filiere.name_fr
            )
        )
    ).all()
    mentors = (
        await session.execute(
            select(Mentor.id, Mentor.display_name, Mentor.active).order_by(
                Mentor.display_name, Mentor.id
            )
        )
    ).all()

    by_filiere = {row.filiere_id: _counts(row) for row in counted if row.per_filiere}
    by_mentor = {row.mentor_id: _counts(row) for row in counted if not row.per_filiere}
    per_filiere = [
        FiliereCounts(f.slug, f.name_fr, f.name_en, by_filiere.get(f.id, Counts()))
        for f in filieres
    ]
    if None in by_filiere:
        per_filiere.append(FiliereCounts(None, None, None, by_filiere[None]))
    per_mentor = tuple(
        MentorCounts(m.id, m.display_name, m.active, by_mentor.get(m.id, Counts())) for m in mentors
    )
    total = sum((m.counts for m in per_mentor), Counts())
    return Statistics(period.start, period.end, total, tuple(per_filiere), per_mentor)
