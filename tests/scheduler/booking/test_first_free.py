"""The first available mentor of a filière: the merged calendar, the fair choice, and the race
(visitors on separate connections released together, as in test_races)."""

from __future__ import annotations

import asyncio
import random
from collections import Counter
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

from sqlalchemy import select

from availability import zone
from scheduler import booking
from scheduler.booking import BookingRow
from scheduler.booking.first_free import ranked, week_span
from scheduler.platform import Database, OutsideAvailability, SlotTaken
from scheduler.schedules import PolicySettings, mentor_slots
from testkit.factories import NOW, TUESDAY_18H, count, make_mentor, visitor

WEEK = timedelta(days=7)


async def test_the_filiere_calendar_is_the_union_of_its_mentors_slots(db: Database) -> None:
    early = await make_mentor(db, weekly={1: [("09:00", "10:00")]})
    late = await make_mentor(db, weekly={1: [("09:30", "11:00")]})
    await make_mentor(db, filiere="medecine", weekly={1: [("14:00", "15:00")]})
    end = NOW + WEEK
    async with db.sessions() as session:
        merged = await booking.filiere_calendar(session, "droit", NOW, NOW, end)
        each = [(await mentor_slots(session, m.id, NOW, NOW, end)).slots for m in (early, late)]
    assert merged.filiere.slug == "droit"
    assert merged.slots == tuple(sorted(set(each[0]) | set(each[1])))
    assert len(merged.slots) == 8  # 09:00–11:00 every 15 minutes, each once


async def test_a_time_no_mentor_of_the_filiere_offers_is_outside_availability(
    db: Database,
) -> None:
    await make_mentor(db)
    async with db.sessions() as session:
        try:
            await booking.book_first_free(
                session,
                filiere="droit",
                slot_start=TUESDAY_18H + timedelta(hours=5),
                visitor=visitor(1),
                now=NOW,
            )
        except OutsideAvailability:
            pass
        else:
            raise AssertionError("booked a time nobody offers")
    assert await count(db, BookingRow) == 0


async def test_a_retry_with_the_same_key_returns_the_same_booking(db: Database) -> None:
    for _ in range(3):
        await make_mentor(db)
    async with db.sessions() as session:
        first = await booking.book_first_free(
            session,
            filiere="droit",
            slot_start=TUESDAY_18H,
            visitor=visitor(1),
            now=NOW,
            idempotency_key="k-1",
            request_secret="test-secret",
        )
        again = await booking.book_first_free(
            session,
            filiere="droit",
            slot_start=TUESDAY_18H,
            visitor=visitor(1),
            now=NOW,
            idempotency_key="k-1",
            request_secret="test-secret",
        )
    assert again.replayed and again.booking.id == first.booking.id
    assert await count(db, BookingRow) == 1


def test_the_tie_break_is_stable_for_a_request_and_differs_between_requests() -> None:
    mentors = {UUID(int=i): 0 for i in range(1, 9)}
    assert ranked(mentors, "request-a") == ranked(dict(reversed(mentors.items())), "request-a")
    orders = {tuple(ranked(mentors, f"request-{n}")) for n in range(20)}
    assert len(orders) > 1
    # Fewer bookings that week always comes first, whatever the hash says.
    assert ranked({UUID(int=1): 2, UUID(int=2): 0, UUID(int=3): 1}, "x") == [
        UUID(int=2),
        UUID(int=3),
        UUID(int=1),
    ]


async def _race(database_url: str, starts: list[datetime]) -> tuple[Counter[str], list[Any]]:
    clients = Database.from_url(database_url, pool_size=len(starts), max_overflow=0)
    gate = asyncio.Event()
    made: list[Any] = []
    try:
        sessions = [clients.sessions() for _ in starts]
        for session in sessions:
            await session.connection()
            await session.commit()

        async def client(n: int, session: Any, start: datetime) -> str:
            await gate.wait()
            try:
                result = await booking.book_first_free(
                    session,
                    filiere="droit",
                    slot_start=start,
                    visitor=visitor(n),
                    now=NOW,
                    idempotency_key=f"visitor-{n}",
                    request_secret="test-secret",
                )
            except SlotTaken:
                return "slot_taken"
            finally:
                await session.close()
            made.append(result)
            return "booked"

        tasks = [
            asyncio.create_task(client(n, s, start))
            for n, (s, start) in enumerate(zip(sessions, starts, strict=True))
        ]
        await asyncio.sleep(0)
        gate.set()
        # Any other exception propagates and fails the test.
        return Counter(await asyncio.gather(*tasks)), made
    finally:
        await clients.dispose()


async def test_64_visitors_racing_across_5_mentors_get_5_bookings_each_on_another_mentor(
    db: Database, database_url: str
) -> None:
    mentors = {(await make_mentor(db)).id for _ in range(5)}
    outcome, made = await _race(database_url, [TUESDAY_18H] * 64)
    assert outcome == Counter({"booked": 5, "slot_taken": 59})
    assert {r.booking.mentor_id for r in made} == mentors
    assert await count(db, BookingRow) == 5


async def test_concurrent_duplicates_of_one_request_make_one_booking(
    db: Database, database_url: str
) -> None:
    for _ in range(5):
        await make_mentor(db)
    clients = Database.from_url(database_url, pool_size=16, max_overflow=0)
    try:

        async def attempt() -> Any:
            async with clients.sessions() as session:
                return await booking.book_first_free(
                    session,
                    filiere="droit",
                    slot_start=TUESDAY_18H,
                    visitor=visitor(1),
                    now=NOW,
                    idempotency_key="retry-storm",
                    request_secret="test-secret",
                )

        results = await asyncio.gather(*(attempt() for _ in range(16)))
    finally:
        await clients.dispose()
    assert len({r.booking.id for r in results}) == 1
    assert sum(not r.replayed for r in results) == 1
    assert await count(db, BookingRow) == 1


# Five mentors whose hours overlap in part, so that the free set changes from one time to the
# next (all weekdays, in Paris; no buffers, no caps: free = in the hours and not booked then).
HOURS = [
    ("09:00", "21:00"),
    ("09:00", "15:00"),
    ("12:00", "21:00"),
    ("14:00", "18:00"),
    ("09:00", "21:00"),
]


def _minutes(text: str) -> int:
    hours, minutes = text.split(":")
    return int(hours) * 60 + int(minutes)


async def test_1000_sequential_bookings_each_go_to_a_free_mentor_with_fewest_that_week(
    db: Database,
) -> None:
    policy = PolicySettings(
        buffer_before_minutes=0, buffer_after_minutes=0, notice_minutes=120, horizon_days=30
    )
    mentors = [
        (await make_mentor(db, weekly={d: [hours] for d in range(7)}, policy=policy)).id
        for hours in HOURS
    ]
    hours = dict(zip(mentors, HOURS, strict=True))
    # Every 15-minute time of the next 4 weeks that at least one mentor offers.
    async with db.sessions() as session:
        offered = list(
            (await booking.filiere_calendar(session, "droit", NOW, NOW, NOW + 4 * WEEK)).slots
        )
    rng = random.Random(17)
    booked: dict[UUID, set[datetime]] = {m: set() for m in mentors}
    chosen: Counter[UUID] = Counter()
    ties = 0
    async with db.sessions() as session:
        for n in range(1000):
            start = rng.choice(offered)
            paris = start.astimezone(zone("Europe/Paris"))
            minute = paris.hour * 60 + paris.minute
            free = [
                m
                for m in mentors
                if _minutes(hours[m][0]) <= minute < _minutes(hours[m][1])
                and start not in booked[m]
            ]
            low, high = week_span("Europe/Paris", start)
            week = {m: sum(low <= s < high for s in booked[m]) for m in free}
            try:
                result = await booking.book_first_free(
                    session, filiere="droit", slot_start=start, visitor=visitor(n), now=NOW
                )
            except (SlotTaken, OutsideAvailability):
                assert not free, f"refused although {len(free)} mentors were free"
                continue
            mentor = result.booking.mentor_id
            assert mentor in free
            assert week[mentor] == min(week.values())
            ties += sum(v == week[mentor] for v in week.values()) > 1
            booked[mentor].add(start)
            chosen[mentor] += 1
    total = sum(chosen.values())
    assert total >= 900
    assert ties > 100  # the tie-break was exercised, not only the counts
    async with db.sessions() as session:
        stored = Counter((await session.execute(select(BookingRow.mentor_id))).scalars().all())
    assert stored == chosen
