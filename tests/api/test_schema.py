"""schemathesis over the whole OpenAPI schema of the running service: no input gets a server
error, and every response matches the schema (status, content type, body).

The service runs as in production (uvicorn, real PostgreSQL, demo data) with Google pointed at
the fake Google server, and the requests carry a staff API key and a mentor token so that the
authenticated routes are exercised past their guards.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
import schemathesis
from cryptography.fernet import Fernet
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from sqlalchemy.engine import URL

from api.app import create_app
from api.wiring import build_parts
from scheduler import catalog
from scheduler.identity import credentials as credentials
from scheduler.platform import Actor, Database
from testkit.fake_google import CLIENT_ID, CLIENT_SECRET, running_fake
from testkit.settings import settings_of
from tests.live import running_service


@dataclass(frozen=True)
class SchemaTarget:
    url: str
    headers: dict[str, str]


async def _credentials(database_url: str) -> dict[str, str]:
    database = Database.from_url(database_url)
    try:
        async with database.session() as session:
            _, staff_key = await credentials.create_staff_api_key(
                session, "schemathesis", Actor.staff("tests")
            )
            mentor = (await catalog.list_mentors(session))[0]
            mentor_token = await credentials.create_mentor_token(
                session, mentor.id, Actor.staff("tests")
            )
            await session.commit()
    finally:
        await database.dispose()
    return {"X-API-Key": staff_key, "Authorization": f"Bearer {mentor_token}"}


@pytest.fixture(scope="module")
def schema_target(postgres_admin_url: URL, template_database: str) -> Iterator[SchemaTarget]:
    saved = {
        k: os.environ.get(k) for k in ("OAUTHLIB_INSECURE_TRANSPORT", "OAUTHLIB_RELAX_TOKEN_SCOPE")
    }
    os.environ["OAUTHLIB_INSECURE_TRANSPORT"] = "1"
    os.environ["OAUTHLIB_RELAX_TOKEN_SCOPE"] = "1"
    try:
        with (
            running_fake() as fake,
            running_service(
                postgres_admin_url,
                template_database,
                "t_schemathesis",
                google_client_id=CLIENT_ID,
                google_client_secret=CLIENT_SECRET,
                google_auth_uri=fake.auth_uri,
                google_token_uri=fake.token_uri,
                google_revoke_uri=fake.revoke_uri,
                google_api_base=fake.base_url,
                token_keys=(Fernet.generate_key().decode(),),
            ) as service,
        ):
            headers = asyncio.run(_credentials(service.database_url))
            yield SchemaTarget(service.url, headers)
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def _openapi() -> dict[str, Any]:
    """The schema the service publishes at /schema/openapi.json, read from the app itself (its
    engine connects lazily, so nothing is started to read it)."""
    settings = settings_of(smtp_host="127.0.0.1")
    database = Database.from_url("postgresql+psycopg://unused@/unused")
    app = create_app(settings, build_parts(settings, database))
    return app.openapi_schema.to_schema()


schema = schemathesis.openapi.from_dict(_openapi())
# What the issue asks of every response: no server error, and a status code, content type,
# headers and body that the schema documents.
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]


@schema.parametrize()
@settings(
    max_examples=int(os.environ.get("SCHEMATHESIS_EXAMPLES", "20")),
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=True,
)
def test_no_server_error_and_responses_match_the_schema(
    case: schemathesis.Case, schema_target: SchemaTarget
) -> None:
    case.call_and_validate(base_url=schema_target.url, headers=schema_target.headers, checks=CHECKS)
