"""Storage of a mentor's availability: weekly rules, date overrides and booking policy.

Input is validated by building the engine's value types, so its ``AvailabilityError``s
(invalid_range, range_out_of_order, invalid_weekday, invalid_policy, ...) reach the caller as
they are, and nothing is written when they do.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any
from uuid import UUID

from sqlalchemy import delete, func, insert, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession

from availability import (
    DateOverride,
    InvalidRange,
    Policy,
    Schedule,
    TimeRange,
    WeeklyRules,
    supported_date,
)
from scheduler.catalog import Mentor, PolicyRow
from scheduler.platform import Actor, NotFound, ValidationFailed, record, unit_of_work
from scheduler.schedules.models import AvailabilityRule, DateOverrideRow

# A range as the API gives it: ("18:00", "20:30"), minutes (1080, 1230) or a TimeRange. JSON
# arrays arrive as lists, which time_range() accepts; a pair's length is checked there.
RangeInput = TimeRange | tuple[str, str] | tuple[int, int] | list[str] | list[int]


def time_range(item: RangeInput) -> TimeRange:
    if isinstance(item, TimeRange):
        return item
    if not isinstance(item, (tuple, list)) or len(item) != 2:
        raise InvalidRange(f"{item!r} is not a (start, end) pair")
    start, end = item
    if isinstance(start, str) and isinstance(end, str):
        return TimeRange.parse(start, end)
    # Minutes, or a mix of minutes and text: TimeRange itself rejects what is not minutes.
    return TimeRange(start, end)  # type: ignore[arg-type]


@dataclass(frozen=True, slots=True)
class PolicySettings:
    """A mentor's booking policy as stored: whole minutes and days."""

    buffer_before_minutes: int = 5
    buffer_after_minutes: int = 5
    notice_minutes: int = 120
    horizon_days: int = 30
    day_cap: int | None = None
    week_cap: int | None = None

    def to_policy(self) -> Policy:
        """The engine's Policy (raises InvalidPolicy for a bad value)."""
        for name in (
            "buffer_before_minutes",
            "buffer_after_minutes",
            "notice_minutes",
            "horizon_days",
        ):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int):
                raise ValidationFailed(f"{name} must be a whole number")
        return Policy(
            buffer_before=timedelta(minutes=self.buffer_before_minutes),
            buffer_after=timedelta(minutes=self.buffer_after_minutes),
            notice=timedelta(minutes=self.notice_minutes),
            horizon=timedelta(days=self.horizon_days),
            day_cap=self.day_cap,
            week_cap=self.week_cap,
        )

    @classmethod
    def from_row(cls, row: Any) -> PolicySettings:
        return cls(
            buffer_before_minutes=row.buffer_before_minutes,
            buffer_after_minutes=row.buffer_after_minutes,
            notice_minutes=row.notice_minutes,
            horizon_days=row.horizon_days,
            day_cap=row.day_cap,
            week_cap=row.week_cap,
        )


@dataclass(frozen=True, slots=True)
class StoredAvailability:
    schedule: Schedule
    policy: PolicySettings


async def _lock_mentor(session: AsyncSession, mentor_id: UUID) -> None:
    found = (
        await session.execute(select(Mentor.id).where(Mentor.id == mentor_id).with_for_update())
    ).first()
    if found is None:
        raise NotFound("no such mentor")


async def set_weekly_rules(
    session: AsyncSession,
    mentor_id: UUID,
    weekly: Mapping[int, Iterable[RangeInput]],
    actor: Actor,
) -> WeeklyRules:
    """Replace all weekly rules of a mentor (weekday Monday = 0 -> ranges)."""
    if not isinstance(weekly, Mapping):
        raise ValidationFailed("weekly rules must map weekdays to ranges")
    rules = WeeklyRules(
        {day: tuple(time_range(r) for r in ranges) for day, ranges in weekly.items()}
    )
    rows = [
        {"mentor_id": mentor_id, "weekday": day, "start_minute": r.start, "end_minute": r.end}
        for day, ranges in rules.days.items()
        for r in ranges
    ]
    async with unit_of_work(session):
        await _lock_mentor(session, mentor_id)
        await session.execute(
            delete(AvailabilityRule).where(AvailabilityRule.mentor_id == mentor_id)
        )
        if rows:
            await session.execute(insert(AvailabilityRule), rows)
        await record(
            session,
            actor,
            "set_weekly_rules",
            "mentor",
            mentor_id,
            {"rules": {str(d): [str(r) for r in rs] for d, rs in rules.days.items()}},
        )
    return rules


async def set_date_override(
    session: AsyncSession,
    mentor_id: UUID,
    day: date,
    ranges: Iterable[RangeInput],
    actor: Actor,
) -> DateOverride:
    """Replace the weekly rules of one local date; no ranges = day off."""
    if not isinstance(day, date):
        raise ValidationFailed("an override needs a date")
    supported_date(day, "day")
    override = DateOverride(day, tuple(time_range(r) for r in ranges))
    stored = [[r.start, r.end] for r in override.ranges]
    async with unit_of_work(session):
        await _lock_mentor(session, mentor_id)
        statement = pg_insert(DateOverrideRow).values(mentor_id=mentor_id, day=day, ranges=stored)
        await session.execute(
            statement.on_conflict_do_update(
                index_elements=[DateOverrideRow.mentor_id, DateOverrideRow.day],
                set_={"ranges": statement.excluded.ranges},
            )
        )
        await record(
            session,
            actor,
            "set_date_override",
            "mentor",
            mentor_id,
            {"day": day.isoformat(), "ranges": [str(r) for r in override.ranges]},
        )
    return override


async def delete_date_override(
    session: AsyncSession, mentor_id: UUID, day: date, actor: Actor
) -> None:
    supported_date(day, "day")
    async with unit_of_work(session):
        result = await session.execute(
            delete(DateOverrideRow)
            .where(DateOverrideRow.mentor_id == mentor_id, DateOverrideRow.day == day)
            .returning(DateOverrideRow.day)
        )
        if result.first() is None:
            raise NotFound("no override on that date")
        await record(
            session, actor, "delete_date_override", "mentor", mentor_id, {"day": day.isoformat()}
        )


async def set_policy(
    session: AsyncSession, mentor_id: UUID, policy: PolicySettings, actor: Actor
) -> PolicySettings:
    policy.to_policy()  # validates; InvalidPolicy propagates before anything is written
    values = {
        "buffer_before_minutes": policy.buffer_before_minutes,
        "buffer_after_minutes": policy.buffer_after_minutes,
        "notice_minutes": policy.notice_minutes,
        "horizon_days": policy.horizon_days,
        "day_cap": policy.day_cap,
        "week_cap": policy.week_cap,
    }
    async with unit_of_work(session):
        await _lock_mentor(session, mentor_id)
        statement = pg_insert(PolicyRow).values(mentor_id=mentor_id, **values)
        await session.execute(
            statement.on_conflict_do_update(
                index_elements=[PolicyRow.mentor_id], set_={**values, "updated_at": func.now()}
            )
        )
        await record(session, actor, "set_policy", "mentor", mentor_id, values)
    return policy


async def load_availability(
    session: AsyncSession, mentor_id: UUID, overrides_from: date | None = None
) -> StoredAvailability:
    """A mentor's stored schedule (overrides from ``overrides_from`` on, all when None) and
    policy, for the mentor's own pages."""
    mentor = (
        await session.execute(
            select(Mentor.timezone, PolicyRow)
            .outerjoin(PolicyRow, PolicyRow.mentor_id == Mentor.id)
            .where(Mentor.id == mentor_id)
        )
    ).first()
    if mentor is None:
        raise NotFound("no such mentor")
    rules = await session.execute(
        select(
            AvailabilityRule.weekday, AvailabilityRule.start_minute, AvailabilityRule.end_minute
        ).where(AvailabilityRule.mentor_id == mentor_id)
    )
    overrides_query = select(DateOverrideRow.day, DateOverrideRow.ranges).where(
        DateOverrideRow.mentor_id == mentor_id
    )
    if overrides_from is not None:
        overrides_query = overrides_query.where(DateOverrideRow.day >= overrides_from)
    overrides = await session.execute(overrides_query)
    schedule = build_schedule(mentor.timezone, rules, overrides)
    policy = PolicySettings.from_row(mentor.PolicyRow) if mentor.PolicyRow else PolicySettings()
    return StoredAvailability(schedule, policy)


def build_schedule(timezone: str, rules: Iterable[Any], overrides: Iterable[Any]) -> Schedule:
    """A Schedule from rule rows (weekday, start_minute, end_minute) and override rows
    (day, ranges)."""
    days: dict[int, list[TimeRange]] = {}
    for rule in rules:
        days.setdefault(rule.weekday, []).append(TimeRange(rule.start_minute, rule.end_minute))
    return Schedule(
        timezone,
        WeeklyRules({day: tuple(ranges) for day, ranges in days.items()}),
        {
            row.day: DateOverride(row.day, tuple(TimeRange(a, b) for a, b in row.ranges))
            for row in overrides
        },
    )
