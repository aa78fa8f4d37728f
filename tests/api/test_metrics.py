"""/metrics: hidden without METRICS_TOKEN, the database's figures for whoever holds it, and a
latency histogram by route template (never a raw path, which may carry a token)."""

from __future__ import annotations

import re
from datetime import timedelta

from litestar.testing import AsyncTestClient
from sqlalchemy import text

from api.app import create_app
from api.wiring import build_parts
from scheduler.platform import Database, Settings
from testkit.factories import Clock
from testkit.settings import changed
from tests.api.conftest import World

TOKEN = "metrics-token-for-the-tests-0123456789"


def _value(body: str, metric: str) -> float:
    match = re.search(rf"^{re.escape(metric)} (\S+)$", body, re.MULTILINE)
    assert match, f"{metric} not in /metrics"
    return float(match.group(1))


async def test_metrics_do_not_exist_without_the_token(client: AsyncTestClient) -> None:  # type: ignore[type-arg]
    assert (await client.get("/metrics")).status_code == 404


async def test_metrics_tell_bookings_outbox_and_latency(
    settings: Settings, db: Database, clock: Clock, world: World
) -> None:
    with_token = changed(settings, metrics_token=TOKEN)
    app = create_app(
        with_token, build_parts(with_token, Database.from_url(settings.db.url or ""), clock=clock)
    )
    async with AsyncTestClient(app=app, base_url="http://testserver.local") as client:
        assert (await client.get("/metrics")).status_code == 404
        wrong = await client.get("/metrics", headers={"Authorization": "Bearer nope"})
        assert wrong.status_code == 404

        slots = (await client.get(f"/v1/mentors/{world.mentor_id}/slots")).json()
        created = await client.post(
            "/v1/bookings",
            json={
                "mentor_id": str(world.mentor_id),
                "start": slots["days"][0]["slots"][0]["start"],
                "first_name": "Camille",
                "email": "camille@example.fr",
                "consent": True,
            },
        )
        assert created.status_code == 201, created.text
        manage_token = created.json()["manage_token"]
        assert (await client.get(f"/v1/bookings/manage/{manage_token}")).status_code == 200
        async with db.session() as session:
            await session.execute(
                text(
                    "INSERT INTO outbox (kind, payload, status, available_at)"
                    " VALUES ('google_event', '{}', 'failed', :at)"
                ),
                {"at": clock() - timedelta(hours=1)},
            )
            await session.commit()
        clock.now += timedelta(minutes=5)

        response = await client.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"})
    assert response.status_code == 200
    body = response.text
    assert _value(body, 'thotis_bookings{status="confirmed"}') == 1
    assert _value(body, "thotis_outbox_due") >= 1
    assert _value(body, "thotis_outbox_oldest_due_age_seconds") >= 300
    assert _value(body, 'thotis_outbox_failed{kind="google_event"}') == 1
    assert 'route="/v1/bookings/manage/{token}"' in body
    assert 'thotis_http_request_duration_seconds_count{method="POST",route="/v1/bookings"' in body
    assert manage_token not in body
