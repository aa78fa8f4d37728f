"""Attestations of volunteer mentoring: a dated record of a mentor's impact that a university
can check through a link (``{PUBLIC_URL}/attestation/{id}``).

An attestation is stored as it was issued (the mentor's name and figures of that day), so the
link shows what the document says even after more calls or a change of name; its id is a
random UUID (122 random bits), which is what makes the link unguessable. The verification page
reads the row and nothing else.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from sqlalchemy import CheckConstraint, DateTime, ForeignKey, Integer, Text, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from scheduler.booking.impact import Impact, mentor_impact
from scheduler.catalog import Mentor
from scheduler.platform import Actor, Base, NotFound, audit, unit_of_work, uuid_pk


class AttestationRow(Base):
    __tablename__ = "attestations"
    __table_args__ = (
        CheckConstraint(
            "calls_held >= 0 AND students_helped >= 0 AND feedback_received >= 0"
            " AND feedback_helpful >= 0 AND minutes_given >= 0",
            name="figures",
        ),
    )

    id: Mapped[uuid.UUID] = uuid_pk()
    mentor_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("mentors.id", ondelete="CASCADE"), index=True
    )
    mentor_name: Mapped[str] = mapped_column(Text)
    university: Mapped[str] = mapped_column(Text)
    issued_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    calls_held: Mapped[int] = mapped_column(Integer)
    students_helped: Mapped[int] = mapped_column(Integer)
    feedback_received: Mapped[int] = mapped_column(Integer)
    feedback_helpful: Mapped[int] = mapped_column(Integer)
    minutes_given: Mapped[int] = mapped_column(Integer)
    first_call: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    last_call: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


@dataclass(frozen=True, slots=True)
class Attestation:
    id: UUID
    mentor_id: UUID
    mentor_name: str
    university: str
    issued_at: datetime
    impact: Impact


def _record(row: AttestationRow) -> Attestation:
    return Attestation(
        id=row.id,
        mentor_id=row.mentor_id,
        mentor_name=row.mentor_name,
        university=row.university,
        issued_at=row.issued_at,
        impact=Impact(
            calls_held=row.calls_held,
            students_helped=row.students_helped,
            feedback_received=row.feedback_received,
            feedback_helpful=row.feedback_helpful,
            minutes_given=row.minutes_given,
            first_call=row.first_call,
            last_call=row.last_call,
        ),
    )


async def issue_attestation(session: AsyncSession, mentor_id: UUID, now: datetime) -> Attestation:
    """A new attestation of the mentor's impact as of ``now`` (NotFound for an unknown mentor)."""
    async with unit_of_work(session):
        mentor = (
            await session.execute(
                select(Mentor.display_name, Mentor.university).where(Mentor.id == mentor_id)
            )
        ).first()
        if mentor is None:
            raise NotFound("no such mentor")
        impact = await mentor_impact(session, mentor_id, now)
        row = AttestationRow(
            id=uuid.uuid4(),
            mentor_id=mentor_id,
            mentor_name=mentor.display_name,
            university=mentor.university,
            issued_at=now,
            calls_held=impact.calls_held,
            students_helped=impact.students_helped,
            feedback_received=impact.feedback_received,
            feedback_helpful=impact.feedback_helpful,
            minutes_given=impact.minutes_given,
            first_call=impact.first_call,
            last_call=impact.last_call,
        )
        session.add(row)
        await session.flush()
        await audit.record(
            session,
            Actor.mentor(mentor_id),
            "issue_attestation",
            "attestation",
            str(row.id),
        )
        return _record(row)


async def find_attestation(session: AsyncSession, attestation_id: UUID) -> Attestation | None:
    """The attestation with this id, or None: the verification page says "unknown"."""
    row = await session.get(AttestationRow, attestation_id)
    return None if row is None else _record(row)


async def mentor_attestations(session: AsyncSession, mentor_id: UUID) -> list[Attestation]:
    """The mentor's attestations, newest first."""
    rows = await session.scalars(
        select(AttestationRow)
        .where(AttestationRow.mentor_id == mentor_id)
        .order_by(AttestationRow.issued_at.desc())
    )
    return [_record(row) for row in rows]
