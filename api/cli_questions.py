"""``thotis questions``: compute the themes now, or export the anonymised dataset (JSONL) with a
progress count on stderr. Kept beside ``api.cli``, which only parses and dispatches."""

from __future__ import annotations

import argparse
import os
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from api.cli import _migrate, _with_session, database, say
from scheduler.platform import Settings
from scheduler.staff import question_dataset, theme_computation


def add_parser(commands: Any) -> None:
    questions = commands.add_parser("questions", help="the visitors' questions: themes, dataset")
    actions = questions.add_subparsers(dest="action", required=True)
    actions.add_parser("themes", help="compute the themes now (the worker does it every 6 h)")
    export = actions.add_parser("export", help="write the anonymised questions as JSONL")
    export.add_argument("--out", required=True, help="the file to write ('-': standard output)")


async def _export(session: Any, out: Path | None) -> int:
    from api.question_themes import dataset_line

    total = await question_dataset.dataset_size(session)
    written = 0
    target = open(out, "wb") if out is not None else os.fdopen(os.dup(1), "wb")  # noqa: SIM115
    with target:
        async for batch in question_dataset.dataset(session):
            target.write(b"".join(dataset_line(line) for line in batch))
            written += len(batch)
            say(f"  {written}/{total} questions")
    return written


def cmd_questions(settings: Settings, args: argparse.Namespace) -> int:
    with database(settings) as url:
        _migrate(url)
        if args.action == "themes":
            count = _with_session(
                url, lambda s: theme_computation.compute_themes(s, datetime.now(UTC))
            )
            say(f"{count} thèmes enregistrés / {count} themes stored.")
            return 0
        out = None if args.out == "-" else Path(args.out)
        written = _with_session(url, lambda s: _export(s, out))
    say(f"{written} questions anonymisées écrites / {written} anonymised questions written.")
    return 0
