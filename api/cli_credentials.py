"""``thotis create-api-key``, ``create-mentor-token`` and ``staff-link``: the credentials a
person at the server hands out, each shown once on standard output, never logged (``api.cli``
registers them; the work is ``scheduler.identity``'s)."""

from __future__ import annotations

import argparse
from datetime import UTC, datetime
from typing import Any

from api.cli import _migrate, _with_session, database, say
from scheduler.platform import Actor, Settings


def add_parser(commands: Any) -> None:
    key = commands.add_parser("create-api-key", help="create a staff API key")
    key.add_argument("name")
    token = commands.add_parser("create-mentor-token", help="create a mentor's bearer token")
    token.add_argument("email")
    link = commands.add_parser("staff-link", help="print a one-time sign-in link to the console")
    link.add_argument("email")


def cmd_create_api_key(settings: Settings, args: argparse.Namespace) -> int:
    from scheduler.identity import create_staff_api_key

    with database(settings) as url:
        _migrate(url)
        key, raw = _with_session(
            url, lambda s: create_staff_api_key(s, args.name, Actor.staff("cli"))
        )
    say(f"API key {key.name!r} ({key.id}); it is shown only once:")
    print(raw)
    return 0


def cmd_create_mentor_token(settings: Settings, args: argparse.Namespace) -> int:
    from scheduler.catalog import get_mentor_by_email
    from scheduler.identity import create_mentor_token

    async def work(session: Any) -> tuple[str, str]:
        mentor = await get_mentor_by_email(session, args.email)
        return mentor.display_name, await create_mentor_token(
            session, mentor.id, Actor.staff("cli")
        )

    with database(settings) as url:
        _migrate(url)
        name, raw = _with_session(url, work)
    say(f"Token for {name}; it is shown only once:")
    print(raw)
    return 0


def cmd_staff_link(settings: Settings, args: argparse.Namespace) -> int:
    """A link for the first sign-in on a new install, when no mail may leave yet and no
    Google client is set: whoever runs the command already holds the server. Printed, never
    logged; only for an address the settings make staff (exit 2 otherwise, nothing stored)."""
    from scheduler.identity import SIGN_IN_LINK_TTL, sessions, staff_allowed

    email = args.email.strip().lower()
    if not staff_allowed(settings, email):
        say(
            "error: this address is not in STAFF_EMAILS and not at STAFF_DOMAIN; add it to the "
            "settings first, then run the command again"
        )
        return 2
    with database(settings) as url:
        _migrate(url)
        raw = _with_session(
            url, lambda s: sessions.issue_staff_sign_in_link(s, email, datetime.now(UTC))
        )
    minutes = int(SIGN_IN_LINK_TTL.total_seconds() // 60)
    say(f"A sign-in link to the staff console; it works once, within {minutes} minutes:")
    print(f"{settings.http.public_url.rstrip('/')}/staff/sign-in/link/{raw}")
    return 0
