"""``create_app(settings, parts)``: the HTTP application. It receives the settings and the parts
(database, adapters, clock) from whoever composes it (``api.cli``, a test) and builds none of
them: it wires the routes, their dependencies and the in-process worker."""

from __future__ import annotations

import asyncio
import gc
import logging
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

from litestar import Litestar
from litestar.config.compression import CompressionConfig
from litestar.config.cors import CORSConfig
from litestar.datastructures import ResponseHeader, State
from litestar.di import Provide
from litestar.openapi.config import OpenAPIConfig

from api.attestation import create_attestation_router
from api.auth import SECURITY_COMPONENTS
from api.bookings import BookingController
from api.cache import TtlCache
from api.decoding import MAX_BODY_BYTES, DecodingRequest
from api.deps import provide_now, provide_session, provide_settings
from api.devmail import create_devmail_router
from api.docs_site import create_docs_router
from api.error_guide import AUTHENTICATION, guide_markdown
from api.feedback import feedback
from api.first_free import FirstAvailableController
from api.google import MentorGoogleController
from api.google_callback import GoogleController
from api.health import healthz, home, readyz
from api.hsts import add_hsts
from api.join import create_join_router
from api.mentor import MentorController
from api.metrics import latency_middleware, metrics
from api.openapi import document_links, document_problems
from api.origins import OriginGate
from api.precompressed import GZIP_LEVEL, MINIMUM_SIZE, PRECOMPRESSED, EncodedAnswer
from api.public import PublicController
from api.question_themes import FrequentQuestionsController, StaffThemesController
from api.reference import ReferencePage
from api.space import create_space_router
from api.space.errors import negotiated_exception_handler
from api.staff import StaffController
from api.staff_webhooks import StaffWebhooksController
from api.vary import KeepEncodingVary
from api.verification import VerificationController
from api.visitor_requests import create_visitor_requests_router
from api.widget.routes import create_widget_router
from api.wiring import Parts, build_worker
from scheduler.platform import Settings

logger = logging.getLogger("thotis.api")

SECURITY_HEADERS = [
    ResponseHeader(name="X-Content-Type-Options", value="nosniff"),
    # Manage links carry a secret in their path: never leak it to another site.
    ResponseHeader(name="Referrer-Policy", value="no-referrer"),
    ResponseHeader(name="X-Frame-Options", value="DENY"),
    ResponseHeader(name="Cross-Origin-Opener-Policy", value="same-origin"),
    ResponseHeader(name="Permissions-Policy", value="camera=(), microphone=(), geolocation=()"),
]


def _lifespan(settings: Settings, parts: Parts) -> Callable[[Litestar], Any]:
    @asynccontextmanager
    async def lifespan(app: Litestar) -> AsyncIterator[None]:
        if gc.get_freeze_count() == 0:
            # Everything built at start-up (modules, the app, its routes) lives as long as
            # the process: out of the collector's sight, a full collection no longer walks it
            # in the middle of a request (it was the tail of the slot reads).
            gc.collect()
            gc.freeze()
        stop = asyncio.Event()
        worker_task = None
        if settings.worker.embedded:
            worker = build_worker(settings, parts)
            worker_task = asyncio.create_task(worker.run(stop), name="outbox-worker")
        try:
            yield
        finally:
            stop.set()
            if worker_task is not None:
                await asyncio.gather(worker_task, return_exceptions=True)
            # The worker's SMTP mailer keeps connections open for reuse: QUIT them before the
            # loop closes (else the loop closes over an open socket).
            close_mailer = getattr(parts.mailer, "close", None)
            if close_mailer is not None:
                await close_mailer()
            await parts.database.dispose()

    return lifespan


def _openapi() -> OpenAPIConfig:
    return OpenAPIConfig(
        title="Thotis booking engine",
        version="1.0.0",
        description="Mentors' availability and 15-minute bookings for the Thotis site.\n\n"
        + AUTHENTICATION
        + "\n"
        + guide_markdown(),
        path="/schema",
        render_plugins=[ReferencePage()],
        components=[SECURITY_COMPONENTS],
    )


def _cors(settings: Settings) -> CORSConfig:
    return CORSConfig(
        allow_origins=list(settings.http.cors_origins),
        allow_methods=["GET", "POST", "PUT", "DELETE", "OPTIONS"],
        allow_headers=["Content-Type", "Idempotency-Key", "Accept-Language", "Authorization"],
        max_age=600,
    )


def create_app(settings: Settings, parts: Parts) -> Litestar:
    # APScheduler logs every tick of the outbox clock at INFO; only its problems matter.
    logging.getLogger("apscheduler").setLevel(logging.WARNING)
    calendar = parts.calendar_service(settings)
    handlers: list[Any] = []
    if settings.dev_mail_page:
        handlers.append(create_devmail_router(settings))
    app = Litestar(
        route_handlers=[
            home,
            healthz,
            readyz,
            metrics,
            PublicController,
            BookingController,
            FirstAvailableController,
            VerificationController,
            feedback,
            create_widget_router(settings),
            create_join_router(settings),
            create_attestation_router(settings),
            create_docs_router(),
            create_visitor_requests_router(settings, parts.mailer),
            create_space_router(settings, parts.mailer),
            MentorController,
            StaffController,
            StaffWebhooksController,
            StaffThemesController,
            FrequentQuestionsController,
            MentorGoogleController,
            GoogleController,
            *handlers,
        ],
        dependencies={
            "session": Provide(provide_session),
            "now": Provide(provide_now, sync_to_thread=False),
            "settings": Provide(provide_settings, sync_to_thread=False),
            "calendar_service": Provide(lambda: calendar, use_cache=True, sync_to_thread=False),
        },
        state=State(
            {
                "settings": settings,
                "database": parts.database,
                "clock": parts.clock,
                # Answers as sent (api.precompressed): a filière page's by slug, a mentor's
                # calendar by mentor, zone and range.
                "filiere_cache": TtlCache[EncodedAnswer](settings.http.filiere_cache_seconds),
                "slots_cache": TtlCache[EncodedAnswer](
                    settings.http.filiere_cache_seconds, max_entries=4096
                ),
            }
        ),
        # Problem JSON, or the same answer as a page for a browser (api.space.errors).
        exception_handlers={Exception: negotiated_exception_handler(settings)},
        cors_config=_cors(settings),
        # Booking limits are kept in PostgreSQL, across processes: api.limits, in the routes.
        middleware=[latency_middleware],
        # Not the signed-in pages: they carry a CSRF token next to reflected input (the staff
        # search), which compression would let an eavesdropper guess (BREACH).
        # The cached public reads (PRECOMPRESSED) send bytes gzipped once per cache period.
        compression_config=CompressionConfig(
            backend="gzip",
            minimum_size=MINIMUM_SIZE,
            gzip_compress_level=GZIP_LEVEL,
            exclude=["^/mentor", "^/staff"],
            exclude_opt_key=PRECOMPRESSED,
        ),
        response_headers=SECURITY_HEADERS,
        openapi_config=_openapi(),
        lifespan=[_lifespan(settings, parts)],
        before_send=[add_hsts] if settings.http.public_url.startswith("https://") else [],
        # Logging is configured once per process by the CLI (scheduler/platform/logs.py: JSON
        # lines, secrets redacted); Litestar's default would reconfigure the root logger here.
        logging_config=None,
        # The one decoding policy (api.decoding): bounded body size and JSON depth.
        request_class=DecodingRequest,
        request_max_body_size=MAX_BODY_BYTES,
    )
    document_problems(app)
    document_links(app)
    cors = _cors(settings)
    # In front of the CORS middleware: a refused origin gets a problem it can read (api.origins).
    app.asgi_handler = OriginGate(
        app.asgi_handler, settings, list(cors.allow_methods), list(cors.allow_headers)
    )
    # Outside the CORS middleware, which replaces Vary (api.vary).
    app.asgi_handler = KeepEncodingVary(app.asgi_handler)
    return app
