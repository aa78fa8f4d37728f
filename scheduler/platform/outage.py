"""A database that does not answer, told apart from a bug.

While PostgreSQL restarts or is out of reach, every statement fails with the driver's
``OperationalError`` (through SQLAlchemy, or raw on the hot paths of ``scheduler.platform.driver``), and a
full connection pool fails with SQLAlchemy's ``TimeoutError``. None of these is the request's
fault nor a defect of ours: the surfaces report them as ``DatabaseUnavailable`` (503, try again)
instead of an internal error, and the worker retries at its next tick. The pool's checkout
check (``scheduler.platform.db.check_on_checkout``) replaces the dead connections once the server is
back, so the service recovers by itself.
"""

from __future__ import annotations

import psycopg
from sqlalchemy.exc import DBAPIError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from scheduler.platform.errors import DatabaseUnavailable

# What a handler must catch to see every outage (and then ask ``database_outage``).
OUTAGE_ERRORS = (DBAPIError, PoolTimeout, psycopg.OperationalError)

# SQLSTATE classes that say "not now" rather than "not this": connection exceptions, too many
# connections or no disk or memory, the server shutting down or a statement timed out, and a
# transaction rolled back by a deadlock or a serialization failure. An error that libpq raises
# itself (the socket is gone) has no SQLSTATE at all.
_TRANSIENT_CLASSES = frozenset({"08", "53", "57", "40"})


def database_outage(error: BaseException) -> DatabaseUnavailable | None:
    """The domain error ``error`` amounts to if it means the database cannot serve now, else
    ``None``: a constraint violation, an over-long value or a bug stay what they are."""
    if isinstance(error, PoolTimeout):
        return DatabaseUnavailable("no database connection became free in time")
    driver_error = error.orig if isinstance(error, DBAPIError) else error
    invalidated = isinstance(error, DBAPIError) and error.connection_invalidated
    if invalidated or (
        isinstance(driver_error, psycopg.OperationalError) and _transient(driver_error.sqlstate)
    ):
        return DatabaseUnavailable("the database does not answer")
    return None


def _transient(sqlstate: str | None) -> bool:
    return sqlstate is None or sqlstate[:2] in _TRANSIENT_CLASSES


def first_line(error: BaseException) -> str:
    """The driver's message without its hints and SQLAlchemy's background link: one log line."""
    text = str(error).strip()
    return text.splitlines()[0] if text else type(error).__name__
