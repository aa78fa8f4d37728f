"""The mails' logo is served by the service itself, at the address the mails name."""

from __future__ import annotations

from litestar.testing import AsyncTestClient

from api.app import create_app
from api.wiring import build_parts
from integrations.messages import LOGO_PATH, Brand
from scheduler.platform import Database
from testkit.settings import settings_of


async def test_the_logo_the_mails_name_is_a_png_the_service_serves(database_url: str) -> None:
    settings = settings_of(database_url=database_url, embedded_worker=False)
    app = create_app(settings, build_parts(settings, Database.from_url(database_url)))
    path = Brand.from_settings(settings).logo_url.removeprefix(settings.http.public_url.rstrip("/"))
    assert path == LOGO_PATH
    async with AsyncTestClient(app=app) as client:
        answer = await client.get(path)
        assert answer.status_code == 200
        assert answer.headers["content-type"] == "image/png"
        assert answer.content.startswith(b"\x89PNG\r\n\x1a\n")
