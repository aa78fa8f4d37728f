"""A slot already taken is refused before the booking waits on its mentor's lock.

Why: bookings of one mentor are made one after another under the mentor's row lock, so in a
rush on a popular slot every loser used to queue behind every attempt before it just to learn
that the slot had gone (p99 in seconds). One read without a lock, on the exclusion constraint's
own GiST index, finds a live booking whose occupied range overlaps the slot's (with the
mentor's current buffers, none when the mentor has no policy row: fewer refusals, never a
wrong one): that attempt can no longer win, and is answered at once. Attempts that pass still
take the lock and the engine's full re-check, and the exclusion constraint stays the last
guard, so nothing here decides that a slot is free.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from psycopg import AsyncConnection

from availability import SLOT_LENGTH
from scheduler.platform import fetch_all
from scheduler.schedules import IS_LIVE

# The slot's occupied range is computed once (a scalar subquery is a constant for the plan), so
# that the GiST index of the exclusion constraint finds the overlap on (mentor_id, occupied)
# instead of reading every past booking of the mentor.
_TAKEN = f"""
    SELECT EXISTS (
      SELECT 1
        FROM bookings
       WHERE mentor_id = %(mentor_id)s AND {IS_LIVE}
         AND occupied && (
           SELECT booking_occupied(%(start)s, %(end)s,
                                   coalesce(max(buffer_before_minutes), 0),
                                   coalesce(max(buffer_after_minutes), 0))
             FROM policies WHERE mentor_id = %(mentor_id)s)
    ) AS taken
"""


async def taken_already(
    connection: AsyncConnection[Any], mentor_id: UUID, slot_start: datetime
) -> bool:
    """Whether a live booking of the mentor already overlaps the slot (read without a lock)."""
    rows = await fetch_all(
        connection,
        _TAKEN,
        {"mentor_id": mentor_id, "start": slot_start, "end": slot_start + SLOT_LENGTH},
    )
    return bool(rows[0].taken)
