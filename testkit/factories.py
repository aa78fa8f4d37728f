"""Builders for scheduler tests: real rows made through the services themselves."""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, select

from scheduler import catalog
from scheduler.booking import Visitor
from scheduler.catalog import MentorRecord
from scheduler.platform import Actor, Database
from scheduler.schedules import PolicySettings
from scheduler.schedules import rules as schedules

# A Monday morning in winter (Paris = UTC+1): slots of the week ahead are within the horizon.
NOW = datetime(2030, 1, 7, 8, 0, tzinfo=UTC)
# Tuesday 2030-01-08 18:00 in Paris.
TUESDAY_18H = datetime(2030, 1, 8, 17, 0, tzinfo=UTC)
STAFF = Actor.staff("tests")
EVENINGS: Mapping[int, Iterable[tuple[str, str]]] = {
    day: [("18:00", "21:00")] for day in range(5)
} | {5: [("10:00", "13:00")]}


class Clock:
    """A clock a test can set; the code under test reads "now" from it."""

    def __init__(self, now: datetime = NOW) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


_serial = itertools.count(1)


async def ensure_filiere(db: Database, slug: str = "droit") -> None:
    async with db.sessions() as session:
        existing = await catalog.list_filieres(session)
        if any(f.slug == slug for f in existing):
            return
        await catalog.create_filiere(session, slug, slug.capitalize(), slug.capitalize(), STAFF)


async def make_mentor(
    db: Database,
    *,
    filiere: str = "droit",
    weekly: Mapping[int, Iterable[Any]] = EVENINGS,
    policy: PolicySettings | None = None,
    name: str | None = None,
    timezone: str = "Europe/Paris",
) -> MentorRecord:
    await ensure_filiere(db, filiere)
    n = next(_serial)
    async with db.sessions() as session:
        mentor = await catalog.create_mentor(
            session,
            catalog.MentorFields(
                display_name=name or f"Mentor {n}",
                email=f"mentor{n}@univ.example.fr",
                university="Université Paris Cité",
                year_of_study=3,
                filieres=(filiere,),
                timezone=timezone,
            ),
            STAFF,
        )
        await schedules.set_weekly_rules(session, mentor.id, weekly, STAFF)
        await schedules.set_policy(
            session,
            mentor.id,
            policy
            or PolicySettings(
                buffer_before_minutes=0, buffer_after_minutes=0, notice_minutes=120, horizon_days=30
            ),
            STAFF,
        )
    return mentor


def visitor(n: int = 1, **changes: Any) -> Visitor:
    values: dict[str, Any] = {
        "first_name": f"Léa{n}",
        "email": f"lea{n}@lycee.example.fr",
        "question": "Comment se passe la première année ?",
        "timezone": "Europe/Paris",
        "language": "fr",
    }
    values.update(changes)
    return Visitor(**values)


async def count(db: Database, model: Any, *where: Any) -> int:
    async with db.sessions() as session:
        return (
            await session.execute(select(func.count()).select_from(model).where(*where))
        ).scalar_one()
