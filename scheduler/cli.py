"""The command line: ``thotis`` or ``python -m scheduler``.

    serve                       start (embedded PostgreSQL if needed), migrate, seed, serve HTTP
    migrate                     apply the migrations
    worker                      deliver the outbox and run the periodic jobs
    demo                        add the demo filières and mentors
    create-api-key NAME         a staff API key (shown once)
    create-mentor-token EMAIL   a mentor's bearer token (shown once)
    backup FILE                 pg_dump the database into FILE
    restore FILE --yes          replace the database by FILE, then migrate

With DATABASE_URL unset, every command uses the embedded PostgreSQL kept in
``$THOTIS_DATA_DIR/pg`` (``var/pg``): started if needed, reused if another command (``serve``)
already runs it, stopped on exit (also on SIGTERM).
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import importlib
import logging
import os
import signal
import sys
from collections.abc import Awaitable, Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any, NoReturn, TypeVar

from scheduler.settings import Settings

APP_FACTORY = "api.app:create_app"
WORKER_ENTRY = "api.wiring:run_worker"
EMBEDDED_DATABASE = "thotis"
T = TypeVar("T")


def say(message: str) -> None:
    # Through logging once main() configured it, so that production gets JSON lines.
    if logging.getLogger().handlers:
        logging.getLogger("thotis.cli").info(message)
    else:
        print(message, file=sys.stderr, flush=True)


def _exit_on_sigterm() -> None:
    """SIGTERM ends the process like Ctrl-C does, so ``finally`` blocks stop the embedded
    PostgreSQL."""

    def handler(signum: int, frame: object) -> NoReturn:
        raise SystemExit(128 + signum)

    signal.signal(signal.SIGTERM, handler)


@contextmanager
def database(settings: Settings) -> Iterator[str]:
    """The database URL to use: DATABASE_URL, or the embedded server's (started if needed)."""
    if settings.database_url:
        yield settings.database_url
        return
    from scheduler.db import url_to_string
    from scheduler.embedded_db import EmbeddedPostgres, create_database

    server = EmbeddedPostgres(settings.data_dir / "pg")
    say(f"Starting embedded PostgreSQL in {server.root}…")
    server.start()
    try:
        if not server.owned:
            say("…reusing the one already running there.")
        server.supervise()  # a server that dies is started again (only the one we own)
        create_database(server.url(), EMBEDDED_DATABASE)
        yield url_to_string(server.url(EMBEDDED_DATABASE))
    finally:
        if server.owned:
            say("Stopping embedded PostgreSQL…")
        server.stop()


def _migrate(url: str) -> None:
    from scheduler import migrate

    say("Applying migrations…")
    migrate.upgrade(url)
    say(f"Database at revision {migrate.current_revision(url)}.")


def _with_session(url: str, work: Callable[[Any], Awaitable[T]]) -> T:
    from scheduler.db import Database

    async def main() -> T:
        db = Database.from_url(url, pool_size=1, max_overflow=0)
        try:
            async with db.sessions() as session:
                return await work(session)
        finally:
            await db.dispose()

    return asyncio.run(main())


def _seed(url: str, only_if_empty: bool) -> int:
    from scheduler import demo

    async def work(session: Any) -> int:
        if only_if_empty and not await demo.is_empty(session):
            return 0
        return await demo.seed(session)

    from scheduler.locks import SEED_LOCK, advisory_lock

    with advisory_lock(url, SEED_LOCK):
        added = _with_session(url, work)
    if added:
        say(f"Added {added} demo mentors.")
    return added


def cmd_serve(settings: Settings, args: argparse.Namespace) -> int:
    import uvicorn

    with database(settings) as url:
        _migrate(url)
        if settings.seed_demo:
            _seed(url, only_if_empty=True)
        # The app reads its settings from the environment (Settings.from_env).
        os.environ["DATABASE_URL"] = url
        base = f"http://{settings.host}:{settings.port}"
        say(f"Serving on {base} …")
        say(f"  visitor demo (Droit, Médecine):   {base}/demo")
        say(f"  mentor space:                     {base}/mentor")
        say(f"  staff console:                    {base}/staff")
        say(f"  API reference (OpenAPI):          {base}/schema")
        if settings.dev_mail_page:
            say(f"  mail that would be sent:          {base}/dev/mail")
        elif not settings.smtp_host:
            say(f"  no SMTP_HOST: mail is written to {settings.mail_dir}, not sent")
        from scheduler import logs

        uvicorn.run(
            APP_FACTORY,
            factory=True,
            host=settings.host,
            port=settings.port,
            workers=settings.web_concurrency,
            log_config=logs.config(settings),
            # Behind Coolify's proxy: the visitor's address (rate limits) and scheme.
            proxy_headers=True,
            forwarded_allow_ips=settings.forwarded_allow_ips,
        )
    return 0


def cmd_migrate(settings: Settings, args: argparse.Namespace) -> int:
    with database(settings) as url:
        _migrate(url)
    return 0


def cmd_demo(settings: Settings, args: argparse.Namespace) -> int:
    with database(settings) as url:
        _migrate(url)
        if not _seed(url, only_if_empty=False):
            say("The demo data is already there.")
    return 0


def load_entry(spec: str) -> Callable[..., Any] | None:
    """``module:attribute`` by name, or None when the module does not exist yet."""
    module_name, _, attribute = spec.partition(":")
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as error:
        if error.name and module_name.startswith(error.name):
            return None
        raise
    entry = getattr(module, attribute, None)
    return entry if callable(entry) else None


def cmd_worker(settings: Settings, args: argparse.Namespace) -> int:
    run_worker = load_entry(WORKER_ENTRY)
    if run_worker is None:
        say(f"No worker entry point ({WORKER_ENTRY}) in this installation.")
        return 2
    with database(settings) as url:
        _migrate(url)
        say("Worker running (Ctrl-C to stop)…")
        run_worker(dataclasses.replace(settings, database_url=url), url)
    return 0


def cmd_create_api_key(settings: Settings, args: argparse.Namespace) -> int:
    from scheduler.credentials import create_staff_api_key
    from scheduler.records import Actor

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
    from scheduler.credentials import create_mentor_token
    from scheduler.records import Actor

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


def cmd_backup(settings: Settings, args: argparse.Namespace) -> int:
    from pathlib import Path

    from scheduler.backup import backup

    with database(settings) as url:
        backup(url, Path(args.file))
    say(f"Sauvegarde écrite dans {args.file} / Backup written to {args.file}.")
    return 0


def cmd_restore(settings: Settings, args: argparse.Namespace) -> int:
    from pathlib import Path

    from scheduler.backup import restore

    if not args.yes:
        say(
            "La restauration remplace toute la base : ajoutez --yes. / "
            "Restoring replaces the whole database: add --yes."
        )
        return 2
    with database(settings) as url:
        restore(url, Path(args.file))
        say(f"Base restaurée depuis {args.file} / Database restored from {args.file}.")
        _migrate(url)  # an archive from an older release is brought to the current schema
    return 0


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(prog="thotis", description="Thotis booking engine")
    commands = top.add_subparsers(dest="command", required=True)
    commands.add_parser("serve", help="migrate, seed the demo if empty, serve HTTP")
    commands.add_parser("migrate", help="apply the database migrations")
    commands.add_parser("worker", help="deliver the outbox and run the periodic jobs")
    commands.add_parser("demo", help="add the demo filières and mentors")
    key = commands.add_parser("create-api-key", help="create a staff API key")
    key.add_argument("name")
    token = commands.add_parser("create-mentor-token", help="create a mentor's bearer token")
    token.add_argument("email")
    dump = commands.add_parser("backup", help="pg_dump the database into FILE")
    dump.add_argument("file")
    load = commands.add_parser("restore", help="replace the database by FILE (pg_restore)")
    load.add_argument("file")
    load.add_argument("--yes", action="store_true", help="yes, replace the whole database")
    return top


COMMANDS: dict[str, Callable[[Settings, argparse.Namespace], int]] = {
    "serve": cmd_serve,
    "migrate": cmd_migrate,
    "worker": cmd_worker,
    "demo": cmd_demo,
    "create-api-key": cmd_create_api_key,
    "create-mentor-token": cmd_create_mentor_token,
    "backup": cmd_backup,
    "restore": cmd_restore,
}


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    _exit_on_sigterm()
    from scheduler import logs, production
    from scheduler.backup import BackupError
    from scheduler.embedded_db import EmbeddedPostgresError
    from scheduler.errors import SchedulingError

    settings = Settings.from_env()
    logs.configure(settings)
    if args.command in {"serve", "worker"}:
        refused = production.report(production.check(settings))
        if refused:
            return refused
    try:
        return COMMANDS[args.command](settings, args)
    except SchedulingError as error:
        say(f"error: {error.detail or error.code}")
        return 1
    except (EmbeddedPostgresError, BackupError) as error:
        say(f"error: {error}")
        return 1
    except KeyboardInterrupt:
        return 130
