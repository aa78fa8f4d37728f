"""The psycopg connection under a session, for the few statements on the hottest paths.

Booking and reading a filière's slots run a handful of statements each. Through SQLAlchemy
every statement also pays for compilation-cache lookups, parameter processing and result
processing, which on the target machine cost several times the statements themselves (2.5 ms
against 0.3 ms for a filière's mentor rows). These statements go to psycopg directly, on the
session's own connection and inside its transaction: the session still begins, commits and
rolls back, and everything else uses SQLAlchemy. Where a statement is a SQLAlchemy Core
``select``, ``compiled`` turns it into SQL once, at import, so the models stay the one
definition of the columns.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from psycopg import AsyncConnection
from psycopg.pq import TransactionStatus
from psycopg.rows import namedtuple_row
from sqlalchemy.dialects.postgresql import psycopg as psycopg_dialect
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.expression import ClauseElement

# The dialect classes' __init__ is not annotated in SQLAlchemy, so strict mypy flags the call.
_DIALECT = psycopg_dialect.dialect()  # type: ignore[no-untyped-call]


def compiled(statement: ClauseElement) -> str:
    """The SQL of a Core statement for psycopg; parameters are its ``bindparam`` names, as
    ``%(name)s``."""
    return str(statement.compile(dialect=_DIALECT))


async def driver_connection(session: AsyncSession) -> AsyncConnection[Any]:
    """``session``'s psycopg connection, its transaction begun by the session. Asking the
    session costs a greenlet switch or two, so a caller running several statements asks once;
    the connection is valid until the session commits or rolls back."""
    connection = await session.connection()
    raw = await connection.get_raw_connection()
    # Typed Optional[Any] by SQLAlchemy (None once a pooled record is invalidated, which the
    # session's current connection is not); under the psycopg async dialect it is this class.
    driver: AsyncConnection[Any] = raw.driver_connection  # type: ignore[assignment]
    return driver


async def fetch_all(
    connection: AsyncConnection[Any], sql: str, params: Mapping[str, Any]
) -> list[Any]:
    """Rows of ``sql`` as named tuples (``row.column`` as with SQLAlchemy rows), read in
    PostgreSQL's binary format, which psycopg decodes without parsing text."""
    cursor = connection.cursor(row_factory=namedtuple_row, binary=True)
    await cursor.execute(sql, params)
    return await cursor.fetchall()


async def fetch_committed(session: AsyncSession, sql: str, params: Mapping[str, Any]) -> list[Any]:
    """Rows of ``sql`` run as a statement that commits by itself (autocommit: no BEGIN and no
    COMMIT round trips), then the session's transaction is ended (at no cost: nothing is open
    on the connection). When the session has work of its own (a statement already run, objects
    waiting for a flush), the statement joins that transaction and the session commits both,
    as a unit of work would."""
    if session.new or session.dirty or session.deleted:
        rows = await fetch_all(await driver_connection(session), sql, params)
        await session.commit()
        return rows
    connection = await driver_connection(session)
    if connection.info.transaction_status != TransactionStatus.IDLE:
        rows = await fetch_all(connection, sql, params)
        await session.commit()
        return rows
    # Only the client's flag (psycopg sends nothing for it); back off before the connection
    # can return to the pool, whatever the statement did.
    await connection.set_autocommit(True)
    try:
        rows = await fetch_all(connection, sql, params)
    finally:
        await connection.set_autocommit(False)
    await session.commit()
    return rows
