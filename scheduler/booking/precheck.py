"""A slot already taken is refused before the booking waits on its mentor's lock, and only one
attempt per slot at a time goes on to that lock.

Why: bookings of one mentor are made one after another under the mentor's row lock, so in a
rush on a popular slot every loser used to queue behind every attempt before it just to learn
that the slot had gone (p99 in seconds). One read without a lock, on the exclusion constraint's
own GiST index, finds a live booking whose occupied range overlaps the slot's (with the
mentor's current buffers, none when the mentor has no policy row: fewer refusals, never a
wrong one): that attempt can no longer win, and is answered at once.

An attempt that finds the slot free also tries, in the same statement, the slot's
transaction-scoped advisory lock without waiting: its holder goes on to the mentor's lock.
The others wait for the holder's transaction to end (a shared lock on the same key, so they
all wake together), read again, and are refused when the holder took the slot; only when it
failed (cap, blocked address…) do they compete again. So the mentor's lock serialises the
attempts that can still win, at most one per slot. Nothing here decides that a slot is free:
the holder takes the mentor's lock and re-runs the engine, and the exclusion constraint stays
the last guard.

Lock order: the slot's key, then the mentor's row. A caller that already holds the mentor's
lock (it is inside its own transaction) must not wait for a slot's holder, which may be waiting
for that very lock: it reads without the key (``hold=False``).
"""

from __future__ import annotations

import hashlib
from datetime import datetime
from typing import Any, NamedTuple
from uuid import UUID

from psycopg import AsyncConnection

from availability import SLOT_LENGTH
from scheduler.platform import fetch_all
from scheduler.schedules import IS_LIVE

# The slot's occupied range is computed once (a scalar subquery is a constant for the plan), so
# that the GiST index of the exclusion constraint finds the overlap on (mentor_id, occupied)
# instead of reading every past booking of the mentor.
_OVERLAPPING = f"""
    EXISTS (
      SELECT 1
        FROM bookings
       WHERE mentor_id = %(mentor_id)s AND {IS_LIVE}
         AND occupied && (
           SELECT booking_occupied(%(start)s, %(end)s,
                                   coalesce(max(buffer_before_minutes), 0),
                                   coalesce(max(buffer_after_minutes), 0))
             FROM policies WHERE mentor_id = %(mentor_id)s)
    )
"""

# One round trip: the mentor as the public sees it, whether the slot is taken, and (only when
# it is free and the caller may) the slot's key, tried without waiting (CASE evaluates the
# function only in its branch).
_GATE = f"""
    SELECT m.display_name, m.active, m.paused, t.taken,
           CASE WHEN t.taken OR NOT %(hold)s THEN false
                ELSE pg_try_advisory_xact_lock(%(key)s) END AS holder
      FROM mentors m, (SELECT {_OVERLAPPING} AS taken) t
     WHERE m.id = %(mentor_id)s
"""

_TAKEN = f"SELECT {_OVERLAPPING} AS taken"

# Shared: every attempt waiting for one holder wakes when it ends, none queues behind another.
_WAIT_FOR_HOLDER = "SELECT pg_advisory_xact_lock_shared(%(key)s)"


class Gate(NamedTuple):
    """What the gate read: the mentor (for the answer and the early refusals), whether the
    slot is taken, and whether this attempt holds the slot's key."""

    display_name: str
    active: bool
    paused: bool
    taken: bool
    holder: bool


def slot_key(mentor_id: UUID, slot_start: datetime) -> int:
    """The slot's advisory lock key: 64 bits of a hash of the mentor and the UTC instant
    (prefixed, so that no other advisory key of the project can be equal to it by design; a
    collision of two slots only makes one wait for the other)."""
    seed = b"booking-slot:" + mentor_id.bytes + str(slot_start.timestamp()).encode()
    return int.from_bytes(hashlib.blake2b(seed, digest_size=8).digest(), "big", signed=True)


def _params(mentor_id: UUID, slot_start: datetime) -> dict[str, Any]:
    return {"mentor_id": mentor_id, "start": slot_start, "end": slot_start + SLOT_LENGTH}


async def pass_gate(
    connection: AsyncConnection[Any], mentor_id: UUID, slot_start: datetime, *, hold: bool
) -> Gate | None:
    """The gate's read (None: no such mentor); with ``hold``, a free slot's key is tried."""
    rows = await fetch_all(
        connection,
        _GATE,
        {**_params(mentor_id, slot_start), "hold": hold, "key": slot_key(mentor_id, slot_start)},
    )
    return Gate(*rows[0]) if rows else None


async def taken_after_holder(
    connection: AsyncConnection[Any], mentor_id: UUID, slot_start: datetime
) -> bool:
    """Wait until the slot's holder's transaction has ended, then whether the slot is taken
    (a statement of its own: its snapshot is taken after the wait)."""
    await connection.execute(_WAIT_FOR_HOLDER, {"key": slot_key(mentor_id, slot_start)})
    return await taken_already(connection, mentor_id, slot_start)


async def taken_already(
    connection: AsyncConnection[Any], mentor_id: UUID, slot_start: datetime
) -> bool:
    """Whether a live booking of the mentor already overlaps the slot (read without a lock)."""
    rows = await fetch_all(connection, _TAKEN, _params(mentor_id, slot_start))
    return bool(rows[0].taken)
