"""A self-hosted Jitsi with token authentication: each party's join link lands on the room with
a signed token, moderator for the mentor and guest for the visitor, valid only around the call."""

from __future__ import annotations

from datetime import datetime, timedelta
from urllib.parse import parse_qs, urlsplit

import jwt
import pytest

from scheduler.booking import jitsi_url, join_token
from scheduler.platform import Settings
from testkit.factories import Clock
from testkit.settings import settings_of
from tests.api.conftest import World
from tests.api.test_join import Client, _book, _path, _start, body_series

APP_ID = "thotis"
APP_SECRET = "a-long-shared-secret-of-the-jitsi-server"
JITSI = "https://video.thotis.example"


@pytest.fixture
def settings(database_url: str) -> Settings:
    return settings_of(
        database_url=database_url,
        public_url="http://testserver.local",
        booking_limit_per_address=0,
        booking_limit_per_email=0,
        booking_limit_per_slot=0,
        filiere_cache_seconds=0,
        seed_demo=False,
        embedded_worker=False,
        jitsi_base_url=JITSI,
        jitsi_app_id=APP_ID,
        jitsi_app_secret=APP_SECRET,
    )


async def test_each_party_gets_its_own_signed_way_into_the_room(
    client: Client, world: World, clock: Clock, settings: Settings
) -> None:
    body = await _book(client, world)
    series = body_series(body, settings)
    room = jitsi_url(JITSI, settings.secrets.secret_key, series)
    start, end = _start(body), datetime.fromisoformat(body["booking"]["end"])
    mentor_path = f"/join/{join_token(settings.secrets.secret_key, series, 'mentor')}"
    clock.now = start - timedelta(minutes=5)
    claims = {}
    for party, path in (("visitor", _path(body["join_url"])), ("mentor", mentor_path)):
        opened = await client.get(path, follow_redirects=False)
        assert opened.status_code == 303
        location = opened.headers["location"]
        assert location.startswith(f"{room}?jwt=")
        (token,) = parse_qs(urlsplit(location).query)["jwt"]
        claims[party] = jwt.decode(
            token,
            APP_SECRET,
            algorithms=["HS256"],
            audience="jitsi",
            issuer=APP_ID,
            # Checked below against the call's times, not against this machine's clock.
            options={"verify_exp": False, "verify_nbf": False},
        )
        with pytest.raises(jwt.InvalidSignatureError):
            jwt.decode(
                token, "another-secret-of-at-least-32-bytes", algorithms=["HS256"], audience="jitsi"
            )
    for party, moderator in (("visitor", False), ("mentor", True)):
        found = claims[party]
        assert found["sub"] == "video.thotis.example"
        assert found["room"] == room.rsplit("/", 1)[1]
        assert found["context"]["user"]["moderator"] is moderator
        assert found["nbf"] == int((start - timedelta(minutes=15)).timestamp())
        assert found["exp"] == int((end + timedelta(minutes=15)).timestamp())
    # The visitor's token carries no name: Jitsi asks for one, nothing personal is in a URL.
    assert "name" not in claims["visitor"]["context"]["user"]
    assert claims["mentor"]["context"]["user"]["name"] == "Léa"
