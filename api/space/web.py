"""What every page of the mentor space and the staff console shares: the Jinja2 templates, the
language (French first), cookies, the session guard with its CSRF check, and errors as pages.

Cookies:
    thotis_mentor  Path=/mentor   the mentor's session id (raw; the database has its SHA-256)
    thotis_staff   Path=/staff    the staff member's session id
    thotis_pre     Path=/         double-submit CSRF token for the forms shown before sign-in
    thotis_signin  Path=/auth     binds a Google round trip to the browser that started it
    thotis_lang    Path=/         "fr" or "en", set by ?lang=
All are HttpOnly and SameSite=Lax, and Secure when the public URL is https.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote

import psycopg
from babel.dates import format_date
from jinja2 import Environment, FileSystemLoader, select_autoescape
from litestar import Request, Response, Router
from litestar.connection import ASGIConnection
from litestar.datastructures import Cookie
from litestar.enums import MediaType, ScopeType
from litestar.exceptions import HTTPException
from litestar.handlers.base import BaseRouteHandler
from litestar.types import ControllerRouterHandler, ExceptionHandlersMap

from api.i18n import as_language, negotiate
from api.problems import as_domain_error, handle_exception, retry_after, title_for
from availability import AvailabilityError
from availability.rules import format_wall_time
from integrations.when import clock_text, day_text, when_text, zone_label
from scheduler.booking import join_url
from scheduler.identity import (
    Role,
    SpaceSession,
    csrf_matches,
    end_session,
    find_session,
    staff_allowed,
)
from scheduler.platform import (
    OUTAGE_ERRORS,
    Database,
    DatabaseUnavailable,
    Language,
    SchedulingError,
    Settings,
)

HERE = Path(__file__).resolve().parent
TEMPLATES = HERE / "templates"
STATIC = HERE / "static"
STATIC_PATH = "/space/static"

SESSION_COOKIE: dict[Role, str] = {Role.MENTOR: "thotis_mentor", Role.STAFF: "thotis_staff"}
SESSION_PATH: dict[Role, str] = {Role.MENTOR: "/mentor", Role.STAFF: "/staff"}
PRE_COOKIE = "thotis_pre"
BIND_COOKIE = "thotis_signin"
BIND_PATH = "/auth"
LANG_COOKIE = "thotis_lang"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"

PAGE_HEADERS = {
    # Pages show personal data: no cache keeps them, no search engine lists them.
    "Cache-Control": "no-store",
    "X-Robots-Tag": "noindex, nofollow",
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
        "img-src 'self' https: data:; connect-src 'self'; frame-ancestors 'none'; "
        "base-uri 'none'; form-action 'self'; object-src 'none'"
    ),
}


class SignInRequired(Exception):
    def __init__(self, role: Role, next_path: str, expired: bool, error: str | None = None) -> None:
        super().__init__(role)
        self.role = role
        self.next_path = next_path
        self.expired = expired
        self.error = error  # a key of the sign-in page's messages, when there is more to say


class CsrfRefused(Exception):
    """A form came without this session's token (or with another one)."""


def language(request: Request[Any, Any, Any]) -> Language:
    """``?lang=``, else the ``thotis_lang`` cookie, else ``Accept-Language`` (French first)."""
    return (
        as_language(request.query_params.get("lang"))
        or as_language(request.cookies.get(LANG_COOKIE))
        or negotiate(request.headers.get("accept-language"))
    )


def is_htmx(request: Request[Any, Any, Any]) -> bool:
    return request.headers.get("hx-request") == "true"


def safe_next(value: str | None, role: Role) -> str:
    """A path inside the role's own area, else its home (no open redirect)."""
    home = SESSION_PATH[role]
    if not value or not value.startswith(home) or value.startswith("//") or "\\" in value:
        return home
    return value


def error_text(error: Exception, lang: Language) -> str:
    """A service error as a person reads it: the French (or English) title, then the detail
    the service gave (which names the field)."""
    if isinstance(error, (SchedulingError, AvailabilityError)):
        title = title_for(error.code, lang)
        return f"{title} — {error.detail}" if error.detail else title
    return title_for("validation_failed", lang)


@dataclass
class Web:
    """Rendering and cookies for one deployment (its settings decide Secure and the brand)."""

    settings: Settings
    env: Environment = field(init=False)

    def __post_init__(self) -> None:
        self.env = Environment(
            loader=FileSystemLoader(TEMPLATES),
            autoescape=select_autoescape(["html"]),
            trim_blocks=True,
            lstrip_blocks=True,
        )
        # Instants in data attributes are UTC (what the API and the widget call a slot's id).
        self.env.filters["utc"] = lambda instant: instant.astimezone(UTC).isoformat()
        # A booking's link to the call for its mentor: the same stable link as in their mails
        # and calendar, which opens Meet, Jitsi or their own link when the call opens.
        self.env.filters["mentor_join"] = lambda b: join_url(
            self.settings.http.public_url, self.settings.secrets.secret_key, b.series_id, "mentor"
        )
        self.env.globals.update(
            static=STATIC_PATH,
            primary=self.settings.brand.primary_color,
            accent=self.settings.brand.accent_color,
            csrf_field=CSRF_FIELD,
            # A rule bound as read (« 24:00 » for midnight at the end of a range).
            hm=format_wall_time,
        )

    @property
    def secure(self) -> bool:
        return self.settings.http.public_url.startswith("https://")

    def cookie(self, key: str, value: str, path: str, max_age: int | None = None) -> Cookie:
        return Cookie(
            key=key,
            value=value,
            path=path,
            max_age=max_age,
            httponly=True,
            secure=self.secure,
            samesite="lax",
        )

    def expired_cookie(self, key: str, path: str) -> Cookie:
        return Cookie(key=key, value="", path=path, max_age=0, httponly=True, secure=self.secure)

    def render(
        self,
        request: Request[Any, Any, Any],
        template: str,
        *,
        http_status: int = 200,
        cookies: list[Cookie] | None = None,
        **context: Any,
    ) -> Response[str]:
        lang = language(request)
        space: SpaceSession | None = request.state.get("space")
        tz_name = context.get("tz") or "Europe/Paris"

        def t(french: str, english: str) -> str:
            return english if lang == "en" else french

        context.setdefault("area", "staff" if request.url.path.startswith("/staff") else "mentor")
        context.setdefault("nav", None)
        context.setdefault("flash", None)
        context.setdefault("flash_warning", False)
        html = self.env.get_template(template).render(
            lang=lang,
            T=t,
            path=request.url.path,
            query_lang=request.query_params.get("lang"),
            query_zones=request.query_params.get("zones"),
            csrf=space.csrf_token if space else "",
            space=space,
            when=lambda instant, tz=tz_name: when_text(instant, tz, lang),
            day=lambda instant, tz=tz_name: day_text(instant, tz, lang),
            clock=lambda instant, tz=tz_name: clock_text(instant, tz),
            zone_label=lambda name: zone_label(name, lang),
            # A local date as the reader writes it (« jeudi 24 décembre 2026 »), from CLDR.
            date_text=lambda d: format_date(d, "full", locale=lang),
            **context,
        )
        jar = list(cookies or [])
        asked = as_language(request.query_params.get("lang"))
        if asked and request.cookies.get(LANG_COOKIE) != asked:
            jar.append(self.cookie(LANG_COOKIE, asked, "/", max_age=365 * 86400))
        return Response(
            html,
            status_code=http_status,
            media_type=MediaType.HTML,
            headers=PAGE_HEADERS,
            cookies=jar,
        )

    def redirect(self, to: str, cookies: list[Cookie] | None = None) -> Response[str]:
        return Response(
            "",
            status_code=303,
            headers={"Location": to, "Cache-Control": "no-store"},
            cookies=cookies or [],
        )

    # --- the form shown before sign-in: double-submit token -----------------------------------
    def pre_token(self, request: Request[Any, Any, Any]) -> tuple[str, list[Cookie]]:
        token = request.cookies.get(PRE_COOKIE)
        if token and 20 <= len(token) <= 100:
            return token, []
        token = secrets.token_urlsafe(24)
        return token, [self.cookie(PRE_COOKIE, token, "/")]


async def check_pre_token(request: Request[Any, Any, Any]) -> None:
    form = await request.form()
    cookie = request.cookies.get(PRE_COOKIE)
    if not cookie or not csrf_matches(cookie, form.get(CSRF_FIELD)):
        raise CsrfRefused()


def session_guard(role: Role) -> Any:
    """A guard: the request needs a live session of ``role``; a POST also needs the session's
    CSRF token (form field ``csrf_token`` or header ``X-CSRF-Token``)."""

    async def guard(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
        app_state = connection.app.state
        database: Database = app_state.database
        now: datetime = app_state.clock()
        settings: Settings = app_state.settings
        raw = connection.cookies.get(SESSION_COOKIE[role])
        removed = False
        async with database.session() as session:
            found = await find_session(session, raw, role, now)
            # Membership lives in the settings, not in the session: an address taken out of
            # STAFF_EMAILS / STAFF_DOMAIN (and the service restarted) is out on its next
            # request, and its session is ended rather than left to expire.
            if (
                found is not None
                and role == Role.STAFF
                and not staff_allowed(settings, found.staff_email or "")
            ):
                await end_session(session, found.id_hash)
                found, removed = None, True
        # A WebSocket scope has no method: none is served here, and one would go through the
        # CSRF check below like a form post (closed by default, as the KeyError it raised was).
        scope = connection.scope
        method = scope["method"] if scope["type"] == ScopeType.HTTP else None
        if found is None:
            path = connection.url.path
            if method == "GET" and connection.url.query:
                path = f"{path}?{connection.url.query}"
            if removed:
                raise SignInRequired(role, path, expired=False, error="not_staff_any_more")
            raise SignInRequired(role, path, expired=bool(raw))
        connection.state.space = found
        if method not in ("GET", "HEAD", "OPTIONS"):
            given = connection.headers.get(CSRF_HEADER)
            if not given and isinstance(connection, Request):
                given = (await connection.form()).get(CSRF_FIELD)
            if not csrf_matches(found.csrf_token, given):
                raise CsrfRefused()

    return guard


def role_router(role: Role, *route_handlers: ControllerRouterHandler) -> Router:
    """The mentor space's or the staff console's pages: under the role's path, each behind
    its session guard, none in the OpenAPI document."""
    return Router(
        path=SESSION_PATH[role],
        guards=[session_guard(role)],
        include_in_schema=False,
        route_handlers=list(route_handlers),
    )


def exception_handlers(web: Web) -> ExceptionHandlersMap:
    """Errors on these pages are pages (the API keeps its problem JSON)."""

    def sign_in(request: Request[Any, Any, Any], exc: SignInRequired) -> Response[str]:
        target = f"{SESSION_PATH[exc.role]}/sign-in?next={quote(exc.next_path, safe='/')}"
        if exc.expired:
            target += "&expired=1"
        if exc.error:
            target += f"&error={exc.error}"
        cookies = [web.expired_cookie(SESSION_COOKIE[exc.role], SESSION_PATH[exc.role])]
        return web.redirect(target, cookies)

    def refused(request: Request[Any, Any, Any], _: CsrfRefused) -> Response[str]:
        lang = language(request)
        return web.render(
            request,
            "error.html",
            http_status=403,
            title=title_for("forbidden", lang),
            message=(
                "This form has expired or did not come from this site. Reload the page and try again."
                if lang == "en"
                else "Ce formulaire a expiré ou ne vient pas de ce site. Rechargez la page et réessayez."
            ),
        )

    def failed(request: Request[Any, Any, Any], exc: Exception) -> Response[str]:
        lang = language(request)
        if isinstance(exc, HTTPException):
            status, code = (
                exc.status_code,
                {
                    404: "not_found",
                    403: "forbidden",
                    405: "method_not_allowed",
                    413: "body_too_large",
                }.get(exc.status_code, "http_error"),
            )
            detail = ""
            if status == 413 and request.url.path.endswith("/photo"):
                # The upload's body was cut off before any handler saw it.
                code = "photo_too_large"
        elif isinstance(exc, (SchedulingError, AvailabilityError)):
            status = getattr(exc, "status", 422)
            code, detail = exc.code, exc.detail
        else:  # pragma: no cover - the app's handler logs the unexpected
            raise exc
        return web.render(
            request,
            "error.html",
            http_status=status,
            title=title_for(code, lang),
            message=detail,
            code=code,
        )

    def database_failed(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
        translated = as_domain_error(request, exc)
        if not isinstance(translated, SchedulingError):
            return handle_exception(request, exc)  # a bug: logged there, a 500
        if not isinstance(translated, DatabaseUnavailable):
            return failed(request, translated)  # a refused value: a 422 page
        lang = language(request)
        response = web.render(
            request,
            "error.html",
            http_status=translated.status,
            title=title_for(translated.code, lang),
            message=(
                "The database is not answering right now. Reload the page in a moment."
                if lang == "en"
                else "La base de données ne répond pas pour le moment. Rechargez la page dans "
                "un instant."
            ),
        )
        response.headers.update(retry_after(translated) or {})
        return response

    return {
        SignInRequired: sign_in,
        CsrfRefused: refused,
        HTTPException: failed,
        SchedulingError: failed,
        AvailabilityError: failed,
        **dict.fromkeys((*OUTAGE_ERRORS, psycopg.DataError), database_failed),
    }
