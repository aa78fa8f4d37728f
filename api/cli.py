"""The command line: ``thotis`` or ``python -m api``. It is the composition root: it reads the
settings once, starts the database if needed, builds the parts (database, adapters, clock) and
hands them to the app or the worker.

    serve                       start (embedded PostgreSQL if needed), migrate, seed, serve HTTP
    migrate                     apply the migrations
    worker                      deliver the outbox and run the periodic jobs
    demo                        add the demo filières and mentors
    create-api-key NAME         a staff API key (shown once)
    create-mentor-token EMAIL   a mentor's bearer token (shown once)
    backup FILE                 pg_dump the database into FILE
    restore FILE --yes          replace the database by FILE, then migrate
    staff-link EMAIL            a one-time sign-in link to the staff console (a first sign-in)
    privacy export EMAIL [FILE] everything held for a visitor's address, as JSON
    privacy erase EMAIL --yes   erase what is held for a visitor's address
    keys reseal                 re-seal Google tokens and webhook secrets with the newest
                                TOKEN_KEYS key (then older keys may be dropped)

With DATABASE_URL unset, every command uses the embedded PostgreSQL kept in
``$THOTIS_DATA_DIR/pg`` (``var/pg``): started if needed, reused if another command (``serve``)
already runs it, stopped on exit (also on SIGTERM).

This module holds the commands that run the service; the others stand beside it, each with its
parser: ``cli_credentials`` (keys, tokens, sign-in links), ``cli_privacy``, ``cli_questions``,
``cli_keys``.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import dataclasses
import logging
import signal
import sys
from collections.abc import Awaitable, Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any, NoReturn, TypeVar

from scheduler.platform import Settings

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
    if settings.db.url:
        yield settings.db.url
        return
    from scheduler.platform import EmbeddedPostgres, create_database, url_to_string

    server = EmbeddedPostgres(settings.db.data_dir / "pg")
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
    from scheduler.platform import migrations as migrate

    say("Applying migrations…")
    migrate.upgrade(url)
    say(f"Database at revision {migrate.current_revision(url)}.")


def _with_session(url: str, work: Callable[[Any], Awaitable[T]]) -> T:
    from scheduler.platform import Database

    async def main() -> T:
        db = Database.from_url(url, pool_size=1, max_overflow=0)
        try:
            async with db.sessions() as session:
                return await work(session)
        finally:
            await db.dispose()

    return asyncio.run(main())


def _seed(url: str, only_if_empty: bool) -> int:
    from scheduler.schedules import demo

    async def work(session: Any) -> int:
        if only_if_empty and not await demo.is_empty(session):
            return 0
        return await demo.seed(session)

    from scheduler.platform import SEED_LOCK, advisory_lock

    with advisory_lock(url, SEED_LOCK):
        added = _with_session(url, work)
    if added:
        say(f"Added {added} demo mentors.")
    return added


def _announce(settings: Settings) -> None:
    base = f"http://{settings.http.host}:{settings.http.port}"
    say(f"Serving on {base} …")
    say(f"  visitor demo (Droit, Médecine):   {base}/demo")
    say(f"  mentor space:                     {base}/mentor")
    say(f"  staff console:                    {base}/staff")
    say(f"  API reference (OpenAPI):          {base}/schema")
    if settings.dev_mail_page:
        say(f"  mail that would be sent:          {base}/dev/mail")
    elif not settings.smtp.host:
        say(f"  no SMTP_HOST: mail is written to {settings.smtp.mail_dir}, not sent")


def cmd_serve(settings: Settings, args: argparse.Namespace) -> int:
    import uvicorn

    from api.app import create_app
    from api.wiring import build_parts
    from scheduler.platform import Database, logging_config

    with database(settings) as url:
        _migrate(url)
        if settings.db.seed_demo:
            _seed(url, only_if_empty=True)
        settings = dataclasses.replace(settings, db=dataclasses.replace(settings.db, url=url))

        def app() -> Any:
            # Built in the process that serves it: a forked worker gets its own pool.
            return create_app(settings, build_parts(settings, Database.from_url(url)))

        config = uvicorn.Config(
            app,
            factory=True,
            host=settings.http.host,
            port=settings.http.port,
            log_level="warning" if args.quiet else "info",
            access_log=not args.quiet,
            # JSON lines with URL secrets redacted (scheduler/platform/logs.py), in every worker.
            log_config=logging_config(settings),
            # Behind Coolify's proxy: the visitor's address (rate limits) and scheme.
            proxy_headers=True,
            forwarded_allow_ips=settings.http.forwarded_allow_ips,
        )
        workers = args.workers or settings.http.web_concurrency
        _announce(settings)
        if workers <= 1:
            uvicorn.Server(config).run()
        else:
            say(f"  {workers} worker processes")
            _serve_forked(config, workers)
    return 0


def _serve_forked(config: Any, workers: int) -> None:
    """N processes accepting on one socket. Forked, not spawned (uvicorn's own ``--workers``
    spawns, which needs the app named by an import string); each child builds its app."""
    import os

    import uvicorn

    socket = config.bind_socket()
    children: list[int] = []
    for _ in range(workers):
        pid = os.fork()
        if pid == 0:  # the child serves until SIGTERM/SIGINT (uvicorn's graceful shutdown)
            status = 0
            try:
                signal.signal(signal.SIGTERM, signal.SIG_DFL)
                uvicorn.Server(config).run(sockets=[socket])
            except BaseException:
                status = 1
            finally:
                os._exit(status)
        children.append(pid)

    def forward(signum: int, frame: object) -> None:
        for child in children:
            with contextlib.suppress(ProcessLookupError):
                os.kill(child, signal.SIGTERM)

    signal.signal(signal.SIGTERM, forward)
    signal.signal(signal.SIGINT, forward)
    for child in children:
        os.waitpid(child, 0)


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


def cmd_worker(settings: Settings, args: argparse.Namespace) -> int:
    from api.wiring import build_parts, build_worker
    from scheduler.platform import Database

    async def run(url: str) -> None:
        database = Database.from_url(url)
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, stop.set)
        try:
            worker_settings = dataclasses.replace(
                settings, db=dataclasses.replace(settings.db, url=url)
            )
            await build_worker(worker_settings, build_parts(worker_settings, database)).run(stop)
        finally:
            await database.dispose()

    with database(settings) as url:
        _migrate(url)
        say("Worker running (Ctrl-C to stop)…")
        asyncio.run(run(url))
    return 0


def cmd_backup(settings: Settings, args: argparse.Namespace) -> int:
    from pathlib import Path

    from scheduler.platform import backup

    with database(settings) as url:
        backup(url, Path(args.file))
    say(f"Sauvegarde écrite dans {args.file} / Backup written to {args.file}.")
    return 0


def cmd_restore(settings: Settings, args: argparse.Namespace) -> int:
    from pathlib import Path

    from scheduler.platform import restore

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
    serve = commands.add_parser("serve", help="migrate, seed the demo if empty, serve HTTP")
    serve.add_argument(
        "--workers", type=int, default=0, help="HTTP processes (default: WEB_CONCURRENCY, or 1)"
    )
    serve.add_argument("--quiet", action="store_true", help="warnings only, no access log")
    commands.add_parser("migrate", help="apply the database migrations")
    commands.add_parser("worker", help="deliver the outbox and run the periodic jobs")
    commands.add_parser("demo", help="add the demo filières and mentors")
    dump = commands.add_parser("backup", help="pg_dump the database into FILE")
    dump.add_argument("file")
    load = commands.add_parser("restore", help="replace the database by FILE (pg_restore)")
    load.add_argument("file")
    load.add_argument("--yes", action="store_true", help="yes, replace the whole database")
    from api import cli_credentials, cli_keys, cli_privacy, cli_questions

    cli_credentials.add_parser(commands)
    cli_privacy.add_parser(commands)
    cli_questions.add_parser(commands)
    cli_keys.add_parser(commands)
    return top


Command = Callable[[Settings, argparse.Namespace], int]


def commands() -> dict[str, Command]:
    """Each command by name. The modules beside this one are imported here, not on load: they
    import this one (``database``, ``say``)."""
    from api import cli_credentials, cli_keys, cli_privacy, cli_questions

    return {
        "serve": cmd_serve,
        "migrate": cmd_migrate,
        "worker": cmd_worker,
        "demo": cmd_demo,
        "create-api-key": cli_credentials.cmd_create_api_key,
        "create-mentor-token": cli_credentials.cmd_create_mentor_token,
        "backup": cmd_backup,
        "restore": cmd_restore,
        "staff-link": cli_credentials.cmd_staff_link,
        "privacy": cli_privacy.cmd_privacy,
        "questions": cli_questions.cmd_questions,
        "keys": cli_keys.cmd_keys,
    }


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    _exit_on_sigterm()
    from scheduler.platform import (
        BackupError,
        EmbeddedPostgresError,
        SchedulingError,
        check_production,
        configure_logging,
        report_production,
    )

    settings = Settings.from_env()
    configure_logging(settings)
    if args.command in {"serve", "worker"}:
        refused = report_production(check_production(settings))
        if refused:
            return refused
    try:
        return commands()[args.command](settings, args)
    except SchedulingError as error:
        say(f"error: {error.detail or error.code}")
        return 1
    except (EmbeddedPostgresError, BackupError) as error:
        say(f"error: {error}")
        return 1
    except KeyboardInterrupt:
        return 130
