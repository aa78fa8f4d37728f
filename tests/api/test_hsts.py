"""Strict-Transport-Security on every response of an https service, and only there (a browser
would otherwise refuse plain http to 127.0.0.1 on a developer's machine for a year)."""

from __future__ import annotations

from litestar.testing import AsyncTestClient

from api.app import create_app
from api.hsts import HSTS_VALUE
from api.wiring import build_parts
from scheduler.platform import Database, Settings
from testkit.factories import Clock
from testkit.settings import changed


async def test_an_https_service_sends_hsts_on_every_response(
    settings: Settings, db: Database, clock: Clock
) -> None:
    https = changed(settings, public_url="https://rendez-vous.thotis.fr")
    app = create_app(https, build_parts(https, Database.from_url(https.db.url or ""), clock=clock))
    async with AsyncTestClient(app=app, base_url="https://rendez-vous.thotis.fr") as client:
        for path, status in (("/healthz", 200), ("/readyz", 200), ("/nowhere", 404)):
            response = await client.get(path)
            assert response.status_code == status
            assert response.headers["strict-transport-security"] == HSTS_VALUE
        problem = await client.get("/v1/bookings/manage/not-a-token")
        assert problem.status_code >= 400
        assert problem.headers["strict-transport-security"] == HSTS_VALUE


async def test_a_plain_http_service_sends_no_hsts(client: AsyncTestClient) -> None:  # type: ignore[type-arg]
    response = await client.get("/healthz")
    assert response.status_code == 200
    assert "strict-transport-security" not in response.headers
