"""What the bench scripts share: a throw-away migrated database, mentors with weekly hours, and
the percentile they all print. Importing it loads the project (it is on the path once a script
has put the project root there)."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import datetime, timedelta
from typing import Any

from scheduler import catalog
from scheduler.identity import Role, sessions
from scheduler.platform import (
    PROJECT_ROOT,
    Actor,
    EmbeddedPostgres,
    create_database,
    url_to_string,
)
from scheduler.platform import migrations as migrate
from scheduler.schedules import rules as schedules

STAFF = Actor.staff("bench")
STAFF_EMAIL = "bench@thotis.fr"
Week = Mapping[int, Sequence[tuple[str, str]]]


async def exchange(
    reader: asyncio.StreamReader, writer: asyncio.StreamWriter, request: bytes
) -> int:
    """Send one raw HTTP/1.1 request on a keep-alive connection and read the whole answer: its
    status. The load generators use it rather than httpx, whose per-request cost (~1–2 ms)
    would measure the client on the 2 cores it shares with the server."""
    writer.write(request)
    await writer.drain()
    head = await reader.readuntil(b"\r\n\r\n")
    length = 0
    for line in head.split(b"\r\n"):
        if line.lower().startswith(b"content-length:"):
            length = int(line.split(b":", 1)[1])
    await reader.readexactly(length)
    return int(head.split(b" ", 2)[1])


async def staff_session(session: Any, now: datetime) -> str:
    """A day-long staff session's raw cookie value, for bench@thotis.fr (the address the
    scripts' settings make staff)."""
    raw, _ = await sessions.open_session(
        session, role=Role.STAFF, now=now, lifetime=timedelta(days=1), staff_email=STAFF_EMAIL
    )
    return raw


def percentile(values: list[float], fraction: float) -> float:
    """The value below which ``fraction`` of ``values`` fall (nearest rank, no interpolation)."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


@contextmanager
def migrated_database(prefix: str, name: str = "bench", *, durable: bool = False) -> Iterator[str]:
    """The URL of database ``name`` on a throw-away embedded PostgreSQL under var/bench-pg,
    migrated; the server is stopped and removed on exit. ``durable``: fsync on, as in
    production (the figures that include commits)."""
    server = EmbeddedPostgres.throwaway_under(
        PROJECT_ROOT / "var" / "bench-pg", prefix=prefix, durable=durable
    )
    with server:
        if name != "postgres":
            create_database(server.url(), name)
        url = url_to_string(server.url(name))
        migrate.upgrade(url)
        yield url


async def add_mentors(
    session: Any,
    filiere: str,
    count: int,
    week: Week,
    *,
    name: str = "Mentor {i:02d}",
    email: str = "mentor{i}@univ.example.fr",
    policy: schedules.PolicySettings | None = None,
) -> list[Any]:
    """``count`` mentors of ``filiere`` (an existing slug), each open ``week`` (weekday ->
    wall-time ranges) under ``policy`` (the default one if None)."""
    mentors = []
    for i in range(count):
        mentor = await catalog.create_mentor(
            session,
            catalog.MentorFields(
                display_name=name.format(i=i),
                email=email.format(i=i),
                university="Université Paris Cité",
                year_of_study=3,
                filieres=(filiere,),
            ),
            STAFF,
        )
        await schedules.set_weekly_rules(session, mentor.id, dict(week), STAFF)
        if policy is not None:
            await schedules.set_policy(session, mentor.id, policy, STAFF)
        mentors.append(mentor)
    return mentors
