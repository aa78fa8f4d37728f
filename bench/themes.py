"""Theme computation time for 10,000 and 100,000 questions. Prints figures; asserts nothing.

    .venv/bin/python bench/themes.py [--sizes 10000 100000]

Each size is one filière's month (the worst case: the job groups one filière-month at a
time). Questions are the hand-written fixtures of tests/scheduler/staff/fixtures (Droit and
Médecine phrasings) with greetings, thanks, missing accents, and a context clause drawn from
cities, school years and hesitations, so that most of them are distinct wordings as real ones
are (the grouping merges identical bags of stems first; copies would flatter it). Timed: the
scrubbing of every question, then ``group_questions`` (TF-IDF, clustering, naming), in this
process on one core of the shared machine.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from scheduler.staff.scrub import scrub
from scheduler.staff.themes import DIRECT_LIMIT, group_questions, ignored_words, words
from testkit.questions import load, vary

CITIES = [
    "Paris",
    "Lyon",
    "Marseille",
    "Lille",
    "Toulouse",
    "Bordeaux",
    "Nantes",
    "Rennes",
    "Strasbourg",
    "Montpellier",
    "Nice",
    "Grenoble",
    "Dijon",
    "Brest",
    "Tours",
    "Limoges",
    "Amiens",
    "Rouen",
    "Caen",
    "Metz",
    "Nancy",
    "Reims",
    "Orléans",
    "Poitiers",
    "Besançon",
    "Perpignan",
    "Pau",
    "Bayonne",
    "Ajaccio",
    "Cayenne",
]
CONTEXTS = (
    "Je suis en terminale à {city}.",
    "Je suis en première à {city}.",
    "J'habite à {city} et je vise la fac.",
    "J'hésite encore avec {other}.",
    "Mes parents préfèrent {other}.",
    "Ma prof principale m'a parlé de {other}.",
    "Je suis en bac pro à {city}.",
    "Je viens de {city} mais je veux partir.",
    "",
    "",
)
OTHERS = (
    "une prépa",
    "un BUT GEA",
    "Sciences Po",
    "une école de commerce",
    "un BTS",
    "la psycho",
    "l'informatique",
    "les langues",
)


def questions(count: int, seed: int = 7) -> list[str]:
    rng = random.Random(seed)
    base = load("droit") + load("medecine")
    found = []
    for _ in range(count):
        item = vary(rng.choice(base), rng)
        context = rng.choice(CONTEXTS).format(city=rng.choice(CITIES), other=rng.choice(OTHERS))
        found.append(f"{context} {item.text}".strip() if rng.random() < 0.5 else item.text)
    return found


def measure(count: int) -> None:
    texts = questions(count)
    started = time.perf_counter()
    scrubbed = [scrub(t, ("Camille", "Léa Martin")) for t in texts]
    scrubbing = time.perf_counter() - started
    distinct = len({frozenset(s for s, _ in words(t)) for t in scrubbed})
    started = time.perf_counter()
    themes = group_questions(scrubbed, ignore=ignored_words("Droit", "Médecine"))
    grouping = time.perf_counter() - started
    path = "direct" if distinct <= DIRECT_LIMIT else "micro-groups + centres"
    print(
        f"{count:>7} questions ({distinct} distinct wordings, {path}): "
        f"scrub {scrubbing:6.2f} s, group {grouping:6.2f} s, total {scrubbing + grouping:6.2f} s "
        f"-> {len(themes)} themes, largest {themes[0].count}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    for size in parser.parse_args().sizes:
        measure(size)


if __name__ == "__main__":
    main()
