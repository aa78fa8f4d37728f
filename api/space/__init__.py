"""The mentor space (``/mentor``) and the staff console (``/staff``): server-rendered pages
(Jinja2), progressive enhancement with htmx, French first with English.

``create_space_router(settings)`` is mounted by ``api.app.create_app``; the mailer defaults to the
deployment's (``integrations.mail.mailer_from_settings``). The pages are Litestar controllers,
one per page group; what they share (the page renderer, the mailer, the calendar service) is
given to them as dependencies of this router (``api.space.deps``).
"""

from __future__ import annotations

from litestar import Response, Router, get
from litestar.static_files import create_static_files_router

from api.space.auth import (
    GoogleSignInController,
    SignInLinkController,
    SignOutController,
    StaffSignInLinkController,
    StaffSignOutController,
)
from api.space.deps import space_dependencies
from api.space.mentor import build_mentor_router
from api.space.photo import PhotoController
from api.space.staff import build_staff_router
from api.space.web import STATIC, STATIC_PATH, Web, exception_handlers
from integrations.mail import mailer_from_settings
from scheduler.messaging import Mailer
from scheduler.platform import Settings

__all__ = ["create_space_router"]

_FAVICON = (STATIC / "favicon.ico").read_bytes()


@get("/favicon.ico", include_in_schema=False)
async def favicon() -> Response[bytes]:
    """Where every browser looks for the icon first (the pages also link the SVG)."""
    return Response(
        _FAVICON,
        media_type="image/x-icon",
        headers={"Cache-Control": "public, max-age=86400"},
    )


def create_space_router(settings: Settings, mailer: Mailer | None = None) -> Router:
    web = Web(settings)
    mailer = mailer or mailer_from_settings(settings.smtp)
    static = create_static_files_router(
        path=STATIC_PATH,
        directories=[STATIC],
        # Files change with releases, not within one: an hour, then revalidate.
        cache_control=None,
        include_in_schema=False,
    )
    return Router(
        path="/",
        route_handlers=[
            SignInLinkController,
            StaffSignInLinkController,
            GoogleSignInController,
            SignOutController,
            StaffSignOutController,
            build_mentor_router(),
            build_staff_router(),
            PhotoController,
            favicon,
            static,
        ],
        dependencies=space_dependencies(web, mailer),
        exception_handlers=exception_handlers(web),
        include_in_schema=False,
    )
