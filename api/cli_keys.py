"""``thotis keys reseal``: after a new key is put first in TOKEN_KEYS, re-seal every stored
secret with it (the mentors' Google tokens, the webhook signing secrets), so that the old key
can be dropped (``api.cli`` registers it; the work is ``scheduler.calendar.reseal``'s).

It says how far it got after each batch and ends with a summary, counts only, never a value.
Run it again: it is idempotent (a second run finds everything current). Exit status 0 when
every secret is sealed with the newest key, 1 when some could be opened by no configured key
(they are left as they are; dropping a key cannot make that worse), 2 without usable keys.
"""

from __future__ import annotations

import argparse
from collections.abc import Awaitable, Callable
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from api.cli import _migrate, _with_session, database, say
from scheduler.calendar import (
    CalendarConnection,
    ResealCount,
    SecretBox,
    TokenKeyMissing,
    reseal_column,
)
from scheduler.messaging import webhook_models
from scheduler.platform import Settings

# What is sealed with TOKEN_KEYS for good (outbox rows seal a code or an address for minutes
# only: they are delivered, or expire, long before an old key is dropped).
SEALED = (
    ("Google tokens", CalendarConnection.mentor_id, CalendarConnection.sealed_tokens),
    ("webhook secrets", webhook_models.WebhookEndpoint.id, webhook_models.WebhookEndpoint.secret),
)


def add_parser(commands: Any) -> None:
    keys = commands.add_parser(
        "keys", help="re-seal the stored secrets with the newest TOKEN_KEYS key (key rotation)"
    )
    keys.add_argument("action", choices=("reseal",))


def _line(what: str, count: ResealCount) -> str:
    return (
        f"{what}: {count.total} read, {count.resealed} re-sealed, {count.current} already "
        f"current, {count.unreadable} unreadable"
    )


def _resealing(
    box: SecretBox, what: str, key: Any, column: Any
) -> Callable[[AsyncSession], Awaitable[ResealCount]]:
    def progress(done: ResealCount) -> None:
        say(_line(what, done))

    def work(session: AsyncSession) -> Awaitable[ResealCount]:
        return reseal_column(session, box, key, column, progress)

    return work


def cmd_keys(settings: Settings, args: argparse.Namespace) -> int:
    try:
        box = SecretBox(settings.secrets)
    except TokenKeyMissing as error:
        say(f"error: {error}")
        return 2
    counts: dict[str, ResealCount] = {}
    with database(settings) as url:
        _migrate(url)
        for what, key, column in SEALED:
            say(f"re-sealing {what}…")
            counts[what] = _with_session(url, _resealing(box, what, key, column))
    for what, count in counts.items():
        say(_line(what, count))
    unreadable = sum(count.unreadable for count in counts.values())
    if unreadable:
        say(
            f"{unreadable} secret(s) no configured key opens were left as they are: their "
            "mentors reconnect Google, or staff give the webhook a new secret"
        )
        return 1
    say("every stored secret is sealed with the newest key: the older keys may be dropped")
    return 0
