"""Liveness and readiness probes."""

from __future__ import annotations

from litestar import get
from litestar.datastructures import State
from litestar.exceptions import ServiceUnavailableException
from litestar.response import Redirect
from sqlalchemy import text

from api import schemas
from scheduler.platform import Database


@get("/healthz", tags=["health"], summary="The process answers")
async def healthz() -> schemas.Health:
    return schemas.Health(status="ok")


@get("/readyz", tags=["health"], summary="The database answers")
async def readyz(state: State) -> schemas.Health:
    database: Database = state.database
    try:
        async with database.session() as session:
            await session.execute(text("select 1"))
    except Exception as error:
        raise ServiceUnavailableException("the database does not answer") from error
    return schemas.Health(status="ready")


@get("/", include_in_schema=False)
async def home() -> Redirect:
    """The service's front door is the demo of what visitors see."""
    return Redirect(path="/demo")
