"""``thotis privacy export|erase EMAIL``: the export prints (or writes) the JSON, the erasure
asks for ``--yes`` and then leaves the address nowhere in the bookings."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import psycopg
import pytest

from api.cli import main
from scheduler import booking
from scheduler.platform import Database, libpq_params, normalize_url
from testkit.factories import NOW, TUESDAY_18H, make_mentor, visitor

EMAIL = "lea1@lycee.example.fr"


pytestmark = pytest.mark.usefixtures("logging_left_as_found")


async def _one_booking(url: str) -> None:
    db = Database.from_url(url)
    try:
        mentor = await make_mentor(db)
        async with db.sessions() as session:
            await booking.book(
                session, mentor_id=mentor.id, slot_start=TUESDAY_18H, visitor=visitor(1), now=NOW
            )
    finally:
        await db.dispose()


def _emails(url: str) -> list[tuple[str | None]]:
    with psycopg.connect(**libpq_params(normalize_url(url))) as connection:  # type: ignore[arg-type]
        return connection.execute("SELECT visitor_email FROM bookings").fetchall()


def test_export_then_erase_from_the_command_line(
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    database_url: str,
    tmp_path: Path,
) -> None:
    monkeypatch.setenv("DATABASE_URL", database_url)
    asyncio.run(_one_booking(database_url))

    assert main(["privacy", "export", EMAIL]) == 0
    out = capsys.readouterr()
    exported = json.loads(out.out)
    assert exported["bookings"][0]["email"] == EMAIL
    assert "found: 1 booking(s)" in out.err
    target = tmp_path / "lea.json"
    assert main(["privacy", "export", EMAIL, str(target)]) == 0
    assert json.loads(target.read_text(encoding="utf-8"))["email"] == EMAIL

    assert main(["privacy", "erase", EMAIL]) == 2
    assert "--yes" in capsys.readouterr().err
    assert _emails(database_url) == [(EMAIL,)]
    assert main(["privacy", "erase", EMAIL, "--yes"]) == 0
    assert "erased: 1 booking(s)" in capsys.readouterr().err
    assert _emails(database_url) == [(None,)]
