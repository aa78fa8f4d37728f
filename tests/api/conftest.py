"""The real app (create_app) on a fresh real PostgreSQL per test, driven through HTTP.

``client`` is Litestar's AsyncTestClient around the ASGI app; ``clock`` lets a test move "now".
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from uuid import UUID

import pytest
import pytest_asyncio
from litestar.testing import AsyncTestClient

from api.app import create_app
from api.wiring import build_parts
from scheduler import catalog
from scheduler.platform import Actor, Database, Settings
from scheduler.schedules import rules as schedules
from testkit.factories import Clock
from testkit.settings import settings_of


@pytest.fixture
def logging_left_as_found() -> Iterator[None]:
    """For the command line's tests: main() configures logging for the whole process, as the
    command line should; the tests after them must not inherit it."""
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    yield
    root.handlers[:] = handlers
    root.setLevel(level)


@pytest.fixture
def clock() -> Clock:
    # A Monday morning in Paris, far from any DST change.
    return Clock(datetime(2026, 11, 30, 7, 0, tzinfo=UTC))


@pytest.fixture
def settings(database_url: str) -> Settings:
    return settings_of(
        database_url=database_url,
        public_url="http://testserver.local",
        cors_origins=("https://www.thotis.fr",),
        booking_limit_per_address=0,
        booking_limit_per_email=0,
        booking_limit_per_slot=0,
        filiere_cache_seconds=0,
        seed_demo=False,
        # Tests that need the worker run it themselves, so each one controls when mail goes.
        embedded_worker=False,
    )


@pytest_asyncio.fixture(loop_scope="session")
async def client(settings: Settings, db: Database, clock: Clock) -> AsyncIterator[AsyncTestClient]:  # type: ignore[type-arg]
    app = create_app(
        settings, build_parts(settings, Database.from_url(settings.db.url or ""), clock=clock)
    )
    async with AsyncTestClient(app=app, base_url="http://testserver.local") as test_client:
        yield test_client


@dataclass(frozen=True)
class World:
    filiere: str
    mentor_id: UUID
    other_mentor_id: UUID


@pytest_asyncio.fixture(loop_scope="session")
async def world(db: Database) -> World:
    """Droit with two mentors in Paris, available weekdays 18:00–20:00, 5-minute buffers."""
    staff = Actor.staff("tests")
    async with db.session() as session:
        await catalog.create_filiere(session, "droit", "Droit", "Law", staff)
        ids = []
        for name, email in (("Léa", "lea@example.org"), ("Hugo", "hugo@example.org")):
            mentor = await catalog.create_mentor(
                session,
                catalog.MentorFields(
                    display_name=name,
                    email=email,
                    university="Université Paris Cité",
                    year_of_study=3,
                    filieres=("droit",),
                    bio="Étudiante en droit",
                ),
                staff,
            )
            await schedules.set_weekly_rules(
                session, mentor.id, {d: [("18:00", "20:00")] for d in range(5)}, staff
            )
            await schedules.set_policy(
                session,
                mentor.id,
                schedules.PolicySettings(
                    buffer_before_minutes=5,
                    buffer_after_minutes=5,
                    notice_minutes=120,
                    horizon_days=30,
                ),
                staff,
            )
            ids.append(mentor.id)
        await session.commit()
    return World("droit", ids[0], ids[1])
