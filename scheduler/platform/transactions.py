"""Database constraint violations -> domain errors, in one place.

The exclusion constraint ``bookings_no_overlap`` is the last line of defence against double
booking; its violation becomes ``SlotTaken`` here and nowhere else.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import psycopg
from sqlalchemy.exc import DataError, IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from scheduler.platform.errors import NotFound, SchedulingError, SlotTaken, ValidationFailed

OVERLAP_CONSTRAINT = "bookings_no_overlap"
IDEMPOTENCY_KEY_CONSTRAINT = "pk_idempotency_keys"


# A violation raised through SQLAlchemy, or by psycopg directly on the hot statements that
# bypass it (scheduler.platform.driver).
INTEGRITY_ERRORS = (IntegrityError, psycopg.IntegrityError)


def rejected_value(error: BaseException) -> ValidationFailed | None:
    """A value PostgreSQL (or psycopg, before sending it) refuses as data, such as a NUL byte in
    text or a number out of range: bad input that got past validation, so a 422, not a 500."""
    if isinstance(error, DataError | psycopg.DataError):
        return ValidationFailed("a value was refused by the database (e.g. a NUL character)")
    return None


def _driver_error(error: IntegrityError | psycopg.IntegrityError) -> object:
    return error.orig if isinstance(error, IntegrityError) else error


def constraint_name(error: IntegrityError | psycopg.IntegrityError) -> str | None:
    diag = getattr(_driver_error(error), "diag", None)
    return getattr(diag, "constraint_name", None)


def translate_integrity_error(error: IntegrityError | psycopg.IntegrityError) -> SchedulingError:
    """The domain error a constraint violation means. Never lets IntegrityError escape."""
    name = constraint_name(error) or ""
    sqlstate = getattr(_driver_error(error), "sqlstate", None)
    if name == OVERLAP_CONSTRAINT or sqlstate == "23P01":
        return SlotTaken("this time overlaps another booking of the mentor")
    if sqlstate == "23503":  # foreign key
        return NotFound(f"a referenced record does not exist ({name})")
    if sqlstate == "23505":  # unique
        return ValidationFailed(f"already exists ({name})")
    return ValidationFailed(f"rejected by the database ({name or sqlstate})")


@asynccontextmanager
async def unit_of_work(session: AsyncSession) -> AsyncIterator[AsyncSession]:
    """Commit what the block did, or roll all of it back (bad input changes nothing)."""
    try:
        yield session
        await session.commit()
    except INTEGRITY_ERRORS as error:
        await session.rollback()
        raise translate_integrity_error(error) from error
    except BaseException:
        await session.rollback()
        raise
