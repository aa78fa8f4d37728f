"""Visitors' questions for the theme tests and the bench: the hand-written fixtures of
``tests/scheduler/staff/fixtures`` (grouped by known theme) and realistic variations of them
(greetings, thanks, no accents, no capitals), so a few dozen phrasings make a few hundred
questions the way real visitors repeat each other."""

from __future__ import annotations

import random
import unicodedata
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import insert, select

from scheduler.booking import BookingRow
from scheduler.catalog import Filiere
from scheduler.platform import Database

FIXTURES = Path(__file__).resolve().parent.parent / "tests" / "scheduler" / "staff" / "fixtures"

_OPENINGS = ("", "", "", "Bonjour, ", "Salut ! ", "Bonjour ! ", "Hello, ", "Petite question : ")
_CLOSINGS = ("", "", "", " Merci !", " Merci d'avance.", " Merci beaucoup", " 🙏", " svp")


@dataclass(frozen=True, slots=True)
class Labelled:
    text: str
    group: str


def load(name: str) -> list[Labelled]:
    """The phrasings of ``fixtures/questions_<name>.txt`` with their group."""
    group = ""
    found: list[Labelled] = []
    for line in (FIXTURES / f"questions_{name}.txt").read_text("utf-8").splitlines():
        line = line.strip()
        if line.startswith("## "):
            group = line[3:]
        elif line and not line.startswith("#"):
            found.append(Labelled(line, group))
    return found


def _plain(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFD", text) if not unicodedata.combining(c))


def vary(item: Labelled, rng: random.Random) -> Labelled:
    text = item.text
    roll = rng.random()
    if roll < 0.2:
        text = _plain(text)
    elif roll < 0.35:
        text = text.lower()
    if rng.random() < 0.2:
        text = text.rstrip(" ?") + " ?"
    return Labelled(rng.choice(_OPENINGS) + text + rng.choice(_CLOSINGS), item.group)


def sample(name: str, count: int, seed: int = 17) -> list[Labelled]:
    """``count`` questions: every phrasing once, then variations of random ones."""
    rng = random.Random(seed)
    base = load(name)
    found = list(base)
    while len(found) < count:
        found.append(vary(rng.choice(base), rng))
    return found[:count]


async def seed_questions(
    db: Database,
    mentor_id: uuid.UUID,
    filiere: str,
    texts: Sequence[str],
    asked_at: datetime,
    first_name: str | None = "Camille",
) -> None:
    """Cancelled bookings (no slot held) carrying ``texts`` as questions, asked at
    ``asked_at``: the theme job reads questions whatever became of their booking."""
    async with db.sessions() as session:
        filiere_id = (
            await session.execute(select(Filiere.id).where(Filiere.slug == filiere))
        ).scalar_one()
        rows = [
            {
                "series_id": uuid.uuid4(),
                "mentor_id": mentor_id,
                "filiere_id": filiere_id,
                "start_at": asked_at + timedelta(days=2, minutes=15 * k),
                "end_at": asked_at + timedelta(days=2, minutes=15 * k + 15),
                "buffer_before_minutes": 0,
                "buffer_after_minutes": 0,
                "status": "cancelled",
                "visitor_first_name": first_name,
                "visitor_email": None,
                "visitor_question": text,
                "visitor_timezone": "Europe/Paris",
                "consent_at": asked_at,
                "created_at": asked_at,
            }
            for k, text in enumerate(texts)
        ]
        await session.execute(insert(BookingRow), rows)
        await session.commit()
