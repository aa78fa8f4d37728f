"""``/metrics`` for Prometheus (prometheus-client's text format).

What the database knows (bookings by status, the outbox's backlog and its oldest due row,
failed deliveries by kind) is read from PostgreSQL at each scrape, so that every replica and
every uvicorn process answers the same figures. Request latency is per process (a histogram
by route template, never by raw path: paths carry tokens). Business figures are not public:
the route answers 404 unless METRICS_TOKEN is set, and then only to that bearer token.
"""

from __future__ import annotations

import hmac
import time
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from litestar import Request, get
from litestar.datastructures import State
from litestar.enums import ScopeType
from litestar.exceptions import NotFoundException
from litestar.response import Response
from litestar.types import ASGIApp, Message, Receive, Scope, Send
from prometheus_client import REGISTRY, CollectorRegistry, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector
from sqlalchemy import text

from scheduler.platform import Database, Settings

REQUEST_SECONDS = Histogram(
    "thotis_http_request_duration_seconds",
    "Time to answer an HTTP request, by route template (this process)",
    ["method", "route", "status"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)


def latency_middleware(app: ASGIApp) -> ASGIApp:
    async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != ScopeType.HTTP:
            await app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500

        async def sending(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await app(scope, receive, sending)
        finally:
            labels = (scope["method"], scope.get("path_template") or "unrouted", status)
            child = _children.get(labels)
            if child is None:
                child = _children[labels] = REQUEST_SECONDS.labels(*labels[:2], str(status))
            child.observe(time.perf_counter() - started)

    return middleware


# The histogram's child per (method, route template, status), bound once: ``labels()`` takes a
# lock and builds its key on every call. Bounded like the histogram itself (route templates,
# never raw paths).
_children: dict[tuple[str, str, int], Any] = {}


class _Snapshot(Collector):
    """Families read once, just before the registry renders them."""

    def __init__(self, families: list[Metric]) -> None:
        self._families = families

    def collect(self) -> Iterable[Metric]:
        return self._families


async def database_families(database: Database, now: datetime) -> list[Metric]:
    bookings = GaugeMetricFamily("thotis_bookings", "Bookings by status", labels=["status"])
    due = GaugeMetricFamily("thotis_outbox_due", "Outbox rows waiting for delivery, due now")
    scheduled = GaugeMetricFamily(
        "thotis_outbox_scheduled", "Outbox rows pending for later (reminders, follow-ups)"
    )
    oldest = GaugeMetricFamily(
        "thotis_outbox_oldest_due_age_seconds",
        "How long the oldest due outbox row has waited (0 when none)",
    )
    failed = GaugeMetricFamily(
        "thotis_outbox_failed", "Deliveries given up, by kind", labels=["kind"]
    )
    async with database.session() as session:
        for status, count in await session.execute(
            text("SELECT status, count(*) FROM bookings GROUP BY status")
        ):
            bookings.add_metric([status], count)
        row = (
            await session.execute(
                text(
                    "SELECT count(*) FILTER (WHERE available_at <= :now),"
                    " count(*) FILTER (WHERE available_at > :now),"
                    " min(available_at) FILTER (WHERE available_at <= :now)"
                    " FROM outbox WHERE status = 'pending'"
                ),
                {"now": now},
            )
        ).one()
        due.add_metric([], row[0])
        scheduled.add_metric([], row[1])
        oldest.add_metric([], max(0.0, (now - row[2]).total_seconds()) if row[2] else 0.0)
        for kind, count in await session.execute(
            text("SELECT kind, count(*) FROM outbox WHERE status = 'failed' GROUP BY kind")
        ):
            failed.add_metric([kind], count)
    return [bookings, due, scheduled, oldest, failed]


def _authorized(settings: Settings, request: Request[Any, Any, Any]) -> bool:
    token = settings.ops.metrics_token
    if not token:
        return False
    given = request.headers.get("authorization", "")
    return hmac.compare_digest(given.encode(), f"Bearer {token}".encode())


@get("/metrics", include_in_schema=False)
async def metrics(request: Request[Any, Any, Any], state: State) -> Response[bytes]:
    settings: Settings = state.settings
    if not _authorized(settings, request):
        # Not 401: without the token, the route does not exist as far as anyone can tell.
        raise NotFoundException()
    snapshot = CollectorRegistry(auto_describe=False)
    snapshot.register(_Snapshot(await database_families(state.database, state.clock())))
    return Response(
        generate_latest(REGISTRY) + generate_latest(snapshot),
        media_type="text/plain; version=0.0.4; charset=utf-8",
        headers={"Cache-Control": "no-store"},
    )
