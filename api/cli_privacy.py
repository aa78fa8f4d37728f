"""``thotis privacy export|erase EMAIL``: a visitor's data request answered from the command
line (``api.cli`` registers it)."""

from __future__ import annotations

import argparse
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from api.cli import _migrate, _with_session, database, say
from scheduler.platform import Actor, Settings
from scheduler.staff import privacy


def add_parser(commands: Any) -> None:
    private = commands.add_parser(
        "privacy", help="export or erase what is held for a visitor's email address"
    )
    private.add_argument("action", choices=("export", "erase"))
    private.add_argument("email")
    private.add_argument("file", nargs="?", help="export: write the JSON here (default: print)")
    private.add_argument("--yes", action="store_true", help="erase: yes, erase it")


def cmd_privacy(settings: Settings, args: argparse.Namespace) -> int:
    """A visitor's request (GDPR arts. 15 and 17) answered from the command line: ``export``
    writes the JSON to FILE (or prints it), ``erase`` says what it found, then erases with
    ``--yes``. The trail records it as the command line's, with counts only."""
    actor = Actor.staff("cli")
    with database(settings) as url:
        _migrate(url)
        now = datetime.now(UTC)
        held = _with_session(url, lambda s: privacy.find(s, args.email, now))
        say(
            f"found: {held.bookings} booking(s) ({held.future_bookings} to come), "
            f"{held.feedback} feedback answer(s), {held.reports} report(s), "
            f"{held.outbox_rows} message row(s), {held.idempotency_keys} idempotency key(s), "
            f"{held.rate_limit_windows} rate-limit window(s), "
            f"{held.privacy_requests} pending request(s); "
            f"{'blocked' if held.blocked else 'not blocked'}"
        )
        if args.action == "export":
            exported = _with_session(url, lambda s: privacy.export(s, args.email, now, actor))
            text = json.dumps(exported, ensure_ascii=False, indent=2)
            if args.file:
                Path(args.file).write_text(text + "\n", encoding="utf-8")
                say(f"written to {args.file}")
            else:
                print(text)
            return 0
        if not args.yes:
            say("nothing erased: run again with --yes to erase it (this cannot be undone)")
            return 2
        erased = _with_session(url, lambda s: privacy.erase(s, args.email, now, actor))
    say(
        f"erased: {erased.bookings} booking(s) made anonymous ({erased.cancelled} cancelled), "
        f"{erased.feedback} feedback answer(s), {erased.reports} report(s), "
        f"{erased.outbox_rows} message row(s), {erased.rate_limit_windows} rate-limit "
        f"window(s), {erased.privacy_requests} request(s)"
        + ("; the block on the address is kept" if erased.block_kept else "")
    )
    return 0
