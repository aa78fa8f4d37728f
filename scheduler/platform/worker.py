"""The worker process: APScheduler is only the clock; the state lives in PostgreSQL.

Jobs: drain the outbox every ``outbox_poll_seconds``, and the periodic jobs the composition root
passes in (purging expired personal data, refreshing Google busy time, the digest). Any number of
workers may run side by side (SKIP LOCKED makes them share the outbox).
"""

from __future__ import annotations

import asyncio
import logging
import os
import socket
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from scheduler.platform import outbox
from scheduler.platform.clock import Clock, system_clock
from scheduler.platform.db import Database
from scheduler.platform.outage import database_outage, first_line
from scheduler.platform.settings import Settings

log = logging.getLogger("thotis.worker")


@dataclass(frozen=True, slots=True)
class PeriodicJob:
    name: str
    run: Callable[[], Awaitable[None]]
    every: timedelta


def default_worker_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


class Worker:
    def __init__(
        self,
        db: Database,
        settings: Settings,
        handlers: Mapping[str, outbox.Handler],
        periodic: Sequence[PeriodicJob] = (),
        *,
        worker_id: str | None = None,
        concurrency: int = 8,
        clock: Clock = system_clock,
    ) -> None:
        self.db = db
        self.settings = settings
        self.handlers = dict(handlers)
        self.periodic = tuple(periodic)
        self.worker_id = worker_id or default_worker_id()
        self.concurrency = concurrency
        self.clock = clock
        self._in_flight: set[asyncio.Task[object]] = set()

    async def drain_outbox(self) -> int:
        return await outbox.drain(
            self.db,
            self.handlers,
            worker_id=self.worker_id,
            max_attempts=self.settings.worker.outbox_max_attempts,
            concurrency=self.concurrency,
            now=self.clock,
        )

    def _scheduler(self) -> AsyncIOScheduler:
        scheduler = AsyncIOScheduler(timezone=UTC)
        defaults = {"max_instances": 1, "coalesce": True, "misfire_grace_time": None}
        now = datetime.now(UTC)
        scheduler.add_job(
            self._guarded("outbox", self.drain_outbox),
            "interval",
            seconds=self.settings.worker.outbox_poll_seconds,
            next_run_time=now,
            id="outbox",
            **defaults,
        )
        for job in self.periodic:
            scheduler.add_job(
                self._guarded(job.name, job.run),
                "interval",
                seconds=job.every.total_seconds(),
                next_run_time=now,
                id=job.name,
                **defaults,
            )
        return scheduler

    async def run(self, stop: asyncio.Event | None = None) -> None:
        """Run until ``stop`` is set (or the task is cancelled)."""
        stop = stop or asyncio.Event()
        scheduler = self._scheduler()
        scheduler.start()
        log.info("worker %s started", self.worker_id)
        try:
            await stop.wait()
        finally:
            # No new runs, then let the jobs in flight finish (a delivery commits its outcome)
            # before shutting down: APScheduler's asyncio executor cancels the tasks still
            # running at shutdown, which would roll their deliveries back to be done again.
            scheduler.pause()
            if self._in_flight:
                await asyncio.wait(
                    set(self._in_flight), timeout=outbox.DELIVERY_TIMEOUT.total_seconds()
                )
            scheduler.shutdown(wait=False)
            log.info("worker %s stopped", self.worker_id)

    def _guarded(
        self, name: str, run: Callable[[], Awaitable[object]]
    ) -> Callable[[], Awaitable[None]]:
        return _guarded(name, run, self._in_flight)


def _guarded(
    name: str, run: Callable[[], Awaitable[object]], in_flight: set[asyncio.Task[object]]
) -> Callable[[], Awaitable[None]]:
    """A job that logs its failure instead of killing the clock; the next tick retries."""

    async def job() -> None:
        task = asyncio.current_task()
        if task is not None:
            in_flight.add(task)
        try:
            await run()
        except Exception as error:
            if database_outage(error) is None:
                log.exception("periodic job %s failed", name)
            else:  # a restart is expected now and then: one line each tick, no traceback
                log.warning(
                    "periodic job %s: the database does not answer (%s)", name, first_line(error)
                )
        finally:
            if task is not None:
                in_flight.discard(task)

    job.__name__ = job.__qualname__ = f"thotis_{name}"
    return job
