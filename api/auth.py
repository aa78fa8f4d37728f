"""Guards of the mentor and staff routes, and the identities they leave for the handlers.

Guards run before the request body is read, so an unauthenticated caller learns nothing of
the input rules. A guard checks the secret (SHA-256 lookup, then a constant-time comparison in
``scheduler.identity.credentials``) and stores who is calling in ``connection.state``; the handlers get
it through the ``me`` / ``staff`` dependencies. Any failure is the same 401 ``unauthorized``,
whether the secret is missing, unknown, revoked, expired or of the other kind (a mentor token on a staff
route, or the reverse).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from litestar import Request
from litestar.connection import ASGIConnection
from litestar.di import NamedDependency
from litestar.exceptions import NotAuthorizedException
from litestar.handlers.base import BaseRouteHandler
from litestar.openapi.spec import Components, SecurityScheme

from scheduler.identity import verify_mentor_token, verify_staff_api_key
from scheduler.platform import Actor, Database

MENTOR_SCHEME = "mentorToken"
STAFF_SCHEME = "staffApiKey"
STAFF_KEY_HEADER = "X-API-Key"
# Longer than any secret we issue (43 characters); longer values are not even looked up.
MAX_SECRET_LENGTH = 200

# For OpenAPIConfig(components=...): the schemes the two controllers' ``security`` name.
SECURITY_COMPONENTS = Components(
    security_schemes={
        MENTOR_SCHEME: SecurityScheme(
            type="http",
            scheme="bearer",
            description="Jeton de mentor (émis par l'équipe Thotis) / a mentor's bearer token.",
        ),
        STAFF_SCHEME: SecurityScheme(
            type="apiKey",
            name=STAFF_KEY_HEADER,
            security_scheme_in="header",
            description=(
                "Clé d'API de l'équipe Thotis (aussi acceptée en Authorization: Bearer) / "
                "a staff API key (also accepted as a bearer token)."
            ),
        ),
    }
)


def bearer_token(authorization: str | None) -> str | None:
    """The credentials of an ``Authorization: Bearer …`` header, else None."""
    if not authorization:
        return None
    scheme, _, value = authorization.strip().partition(" ")
    value = value.strip()
    if scheme.lower() != "bearer" or not value or len(value) > MAX_SECRET_LENGTH:
        return None
    return value


def _refused(scheme: str, detail: str) -> NotAuthorizedException:
    challenge = 'Bearer realm="thotis"' if scheme == MENTOR_SCHEME else 'ApiKey realm="thotis"'
    return NotAuthorizedException(detail=detail, headers={"WWW-Authenticate": challenge})


def _database(connection: ASGIConnection[Any, Any, Any, Any]) -> Database:
    database: Database = connection.app.state.database
    return database


def _now(connection: ASGIConnection[Any, Any, Any, Any]) -> datetime:
    # The app's clock, not the database's: a test's frozen clock decides expiry too.
    now: datetime = connection.app.state.clock()
    return now


async def mentor_guard(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
    token = bearer_token(connection.headers.get("authorization"))
    mentor_id = None
    if token is not None:
        async with _database(connection).session() as session:
            mentor_id = await verify_mentor_token(session, token, _now(connection))
    if mentor_id is None:
        raise _refused(MENTOR_SCHEME, "a valid mentor token is required (Authorization: Bearer)")
    connection.state.mentor_id = mentor_id


async def staff_guard(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
    raw = connection.headers.get(STAFF_KEY_HEADER)
    key = raw.strip() if raw and len(raw) <= MAX_SECRET_LENGTH else None
    key = key or bearer_token(connection.headers.get("authorization"))
    found = None
    if key:
        async with _database(connection).session() as session:
            found = await verify_staff_api_key(session, key, _now(connection))
    if found is None:
        raise _refused(STAFF_SCHEME, f"a valid staff API key is required ({STAFF_KEY_HEADER})")
    connection.state.staff_actor = Actor.staff(str(found.id))


def provide_mentor_id(request: Request[Any, Any, Any]) -> UUID:
    mentor_id: UUID = request.state.mentor_id
    return mentor_id


def provide_staff_actor(request: Request[Any, Any, Any]) -> Actor:
    actor: Actor = request.state.staff_actor
    return actor


# Handler parameters filled from what the guards stored.
Me = NamedDependency[UUID]
StaffActor = NamedDependency[Actor]
