"""Request-scoped dependencies: a database session, the clock, the caller's identity."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime
from typing import Any

from litestar import Request
from litestar.datastructures import State
from litestar.di import NamedDependency
from sqlalchemy.ext.asyncio import AsyncSession

from scheduler.platform import Clock, Database, Settings


async def provide_session(state: State) -> AsyncIterator[AsyncSession]:
    database: Database = state.database
    async with database.session() as session:
        yield session


def provide_now(state: State) -> datetime:
    clock: Clock = state.clock
    return clock()


def provide_settings(state: State) -> Settings:
    settings: Settings = state.settings
    return settings


def client_address(request: Request[Any, Any, Any]) -> str:
    """The client's address for rate limiting (behind a proxy, set FORWARDED_ALLOW_IPS for
    uvicorn so that this is the visitor's, not the proxy's)."""
    client = request.client
    return client.host if client else "unknown"


# Handler parameters filled by the dependencies above (named explicitly, as Litestar 3 requires).
Session = NamedDependency[AsyncSession]
Now = NamedDependency[datetime]
AppSettings = NamedDependency[Settings]
