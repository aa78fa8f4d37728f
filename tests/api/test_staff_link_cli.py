"""``thotis staff-link EMAIL``: a first sign-in link for a staff address, refused (exit 2,
nothing stored) for any other."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import psycopg
import pytest

from api.cli import main
from scheduler.identity import sessions
from scheduler.platform import Database, InvalidToken, libpq_params, normalize_url

pytestmark = pytest.mark.usefixtures("logging_left_as_found")


def test_an_address_outside_the_team_is_refused_with_exit_code_2(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("STAFF_EMAILS", "equipe@thotis.fr")
    monkeypatch.delenv("STAFF_DOMAIN", raising=False)
    # Refused before any database is opened: DATABASE_URL is not even read.
    monkeypatch.setenv("DATABASE_URL", "postgresql://nobody@127.0.0.1:1/none")
    assert main(["staff-link", "intrus@example.org"]) == 2
    out = capsys.readouterr()
    assert out.out == ""
    assert "not in STAFF_EMAILS" in out.err


def test_a_team_address_gets_a_link_that_signs_it_in_once(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], database_url: str
) -> None:
    monkeypatch.setenv("STAFF_EMAILS", "Equipe@Thotis.fr")
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.setenv("PUBLIC_URL", "https://rdv.thotis.fr")
    # A plain test: main() runs its own event loop and sets its signal handlers.
    assert main(["staff-link", "equipe@thotis.fr"]) == 0
    link = capsys.readouterr().out.strip()
    assert link.startswith("https://rdv.thotis.fr/staff/sign-in/link/")
    raw = link.rsplit("/", 1)[1]
    params = libpq_params(normalize_url(database_url))
    with psycopg.connect(**params) as connection:  # type: ignore[arg-type]
        stored = connection.execute("SELECT staff_email FROM staff_sign_in_links").fetchall()
    assert stored == [("equipe@thotis.fr",)]
    assert asyncio.run(use(database_url, raw)) == "equipe@thotis.fr"
    # Used once: the second time it signs nobody in.
    with pytest.raises(InvalidToken):
        asyncio.run(use(database_url, raw))


async def use(database_url: str, raw: str) -> str:
    database = Database.from_url(database_url)
    try:
        async with database.sessions() as session:
            return await sessions.use_staff_sign_in_link(session, raw, datetime.now(UTC))
    finally:
        await database.dispose()
