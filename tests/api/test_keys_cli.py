"""``thotis keys reseal``: after a new key is put first in TOKEN_KEYS, every Google token and
webhook secret sealed with an older one is re-sealed with it (a second run finds them all
current), and a secret no configured key opens is counted, left alone, and fails the run."""

from __future__ import annotations

import asyncio

import psycopg
import pytest
from cryptography.fernet import Fernet

from api.cli import main
from scheduler.calendar import SecretBox
from scheduler.platform import Database, SecretsSettings, libpq_params, normalize_url
from testkit.factories import make_mentor

OLD, NEW, LOST = (Fernet.generate_key().decode() for _ in range(3))
TOKENS = '{"access_token": "ya29.secret", "refresh_token": "1//refresh"}'
WEBHOOK_SECRET = "whsec_" + "B" * 43 + "="


pytestmark = pytest.mark.usefixtures("logging_left_as_found")


def _box(*keys: str) -> SecretBox:
    return SecretBox(SecretsSettings(token_keys=keys))


async def _mentor(url: str) -> str:
    db = Database.from_url(url)
    try:
        return str((await make_mentor(db)).id)
    finally:
        await db.dispose()


def _store(url: str, key: str) -> None:
    """A mentor's Google connection and a webhook endpoint, both sealed with ``key``."""
    mentor_id = asyncio.run(_mentor(url))
    box = _box(key)
    with psycopg.connect(**libpq_params(normalize_url(url))) as connection:  # type: ignore[arg-type]
        connection.execute(
            "INSERT INTO calendar_connections (mentor_id, google_email, sealed_tokens)"
            " VALUES (%s, 'lea@gmail.example', %s)",
            (mentor_id, box.encrypt(TOKENS)),
        )
        connection.execute(
            "INSERT INTO webhook_endpoints (id, url, events, secret) VALUES"
            " (gen_random_uuid(), 'https://www.thotis.fr/hooks', '{booking.created}', %s)",
            (box.encrypt(WEBHOOK_SECRET),),
        )


def _sealed(url: str) -> list[str]:
    with psycopg.connect(**libpq_params(normalize_url(url))) as connection:  # type: ignore[arg-type]
        tokens = connection.execute("SELECT sealed_tokens FROM calendar_connections").fetchone()
        secret = connection.execute("SELECT secret FROM webhook_endpoints").fetchone()
    assert tokens is not None and secret is not None
    return [tokens[0], secret[0]]


def test_reseal_moves_every_secret_to_the_newest_key_and_a_second_run_finds_them_current(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], database_url: str
) -> None:
    monkeypatch.setenv("DATABASE_URL", database_url)
    _store(database_url, OLD)
    monkeypatch.setenv("TOKEN_KEYS", f"{NEW},{OLD}")

    assert main(["keys", "reseal"]) == 0
    first = capsys.readouterr().err
    assert [_box(NEW).decrypt(s) for s in _sealed(database_url)] == [TOKENS, WEBHOOK_SECRET]
    assert "Google tokens: 1 read, 1 re-sealed, 0 already current, 0 unreadable" in first
    assert "webhook secrets: 1 read, 1 re-sealed, 0 already current, 0 unreadable" in first
    assert "ya29" not in first and "whsec_" not in first

    before = _sealed(database_url)
    assert main(["keys", "reseal"]) == 0
    second = capsys.readouterr().err
    assert "Google tokens: 1 read, 0 re-sealed, 1 already current, 0 unreadable" in second
    assert _sealed(database_url) == before


def test_a_secret_no_configured_key_opens_is_left_alone_and_fails_the_run(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], database_url: str
) -> None:
    monkeypatch.setenv("DATABASE_URL", database_url)
    _store(database_url, LOST)
    before = _sealed(database_url)
    monkeypatch.setenv("TOKEN_KEYS", f"{NEW},{OLD}")

    assert main(["keys", "reseal"]) == 1
    assert "webhook secrets: 1 read, 0 re-sealed, 0 already current, 1 unreadable" in (
        capsys.readouterr().err
    )
    assert _sealed(database_url) == before
