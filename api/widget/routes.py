"""HTTP routes of the widget: files and server-rendered shells, nothing else.

No business logic lives here: the script, the demo page, the manage page and the privacy text are
served as they are, and the pages talk to the JSON API (``/v1/...``) from the browser.

    GET /widget/v1/thotis-widget.js   the script (styles inside), immutable, ETag, CORS *
    GET /widget/v1/integrity.json     its SRI hash and sizes, for whoever embeds it
    GET /demo                         a Thotis-like filière page embedding the widget
    GET /manage/{token}               the visitor's page to cancel or move a booking
    GET /privacy                      why we keep a first name and an email, and until when
    GET /book/{mentor_id}             book another call: the same mentor, or their filière's
    GET /brand/logo.png               the logo the mails show (an absolute PUBLIC_URL address)
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any
from uuid import UUID

from jinja2 import Environment, FileSystemLoader, select_autoescape
from litestar import Request, Response, Router, get
from litestar.enums import MediaType

from api.widget.assets import STATIC_DIR, WidgetBundle, build_bundle
from api.widget.privacy_facts import privacy_facts
from integrations.messages import BOOK_AGAIN_PATH, LOGO_PATH
from scheduler.catalog import SLUG_PATTERN
from scheduler.platform import Settings

SCRIPT_PATH = "/widget/v1/thotis-widget.js"
INTEGRITY_PATH = "/widget/v1/integrity.json"
TEMPLATES_DIR = Path(__file__).resolve().parent / "templates"
# The path carries the version: a release that changes the script changes the path (v2), so a
# year of caching without revalidation is safe and SRI hashes in host pages stay valid.
IMMUTABLE = "public, max-age=31536000, immutable"
# Pages that show one person's booking: never cached, never indexed, no token in a Referer.
PRIVATE_PAGE_HEADERS = {
    "Cache-Control": "no-store",
    "Referrer-Policy": "no-referrer",
    "X-Robots-Tag": "noindex, nofollow",
    "X-Content-Type-Options": "nosniff",
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
        "img-src 'self' https: data:; connect-src 'self'; frame-ancestors 'none'; "
        "base-uri 'none'; form-action 'self'"
    ),
}


def _language(value: str | None) -> str:
    return "en" if value and value.lower().startswith("en") else "fr"


def _etag_matches(if_none_match: str | None, etag: str) -> bool:
    if not if_none_match:
        return False
    candidates = {tag.strip().removeprefix("W/") for tag in if_none_match.split(",")}
    return "*" in candidates or etag in candidates


def widget_templates() -> Environment:
    return Environment(
        loader=FileSystemLoader(TEMPLATES_DIR),
        autoescape=select_autoescape(["html"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )


def create_widget_router(settings: Settings, bundle: WidgetBundle | None = None) -> Router:
    """The widget's routes, bound to one built script (its hash is computed here, once)."""
    script = bundle or build_bundle()
    env = widget_templates()
    common: dict[str, Any] = {
        "script_path": SCRIPT_PATH,
        "integrity": script.integrity,
        "primary": settings.brand.primary_color,
        "accent": settings.brand.accent_color,
    }

    def page(name: str, headers: dict[str, str] | None = None, **context: Any) -> Response[str]:
        html = env.get_template(name).render(**common, **context)
        return Response(html, media_type=MediaType.HTML, headers=headers or {})

    @get(SCRIPT_PATH, include_in_schema=False)
    async def widget_script(request: Request[Any, Any, Any]) -> Response[bytes]:
        headers = {
            "Cache-Control": IMMUTABLE,
            "ETag": script.etag,
            # Host pages load it cross-origin with crossorigin="anonymous" for SRI.
            "Access-Control-Allow-Origin": "*",
            "Cross-Origin-Resource-Policy": "cross-origin",
            "X-Content-Type-Options": "nosniff",
        }
        if _etag_matches(request.headers.get("if-none-match"), script.etag):
            return Response(b"", status_code=304, headers=headers)
        return Response(script.body, media_type="text/javascript", headers=headers)

    @get(INTEGRITY_PATH, include_in_schema=False)
    async def widget_integrity(request: Request[Any, Any, Any]) -> Response[dict[str, Any]]:
        body = {
            "script": str(request.url.with_replacements(path=SCRIPT_PATH, query="")),
            "integrity": script.integrity,
            "bytes": script.size,
            "gzip_bytes": script.gzip_size,
            "snippet": (
                f'<script src="{request.base_url}{SCRIPT_PATH.lstrip("/")}" '
                f'integrity="{script.integrity}" crossorigin="anonymous" defer></script>'
            ),
        }
        headers = {"Cache-Control": "no-cache", "Access-Control-Allow-Origin": "*"}
        return Response(body, media_type=MediaType.JSON, headers=headers)

    @get("/demo", include_in_schema=False)
    async def demo_page(request: Request[Any, Any, Any], lang: str | None = None) -> Response[str]:
        return page(
            "demo.html",
            {"Cache-Control": "no-cache"},
            widget_lang=_language(lang),
            base_url=str(request.base_url).rstrip("/"),
        )

    @get("/manage/{token:str}", include_in_schema=False)
    async def manage_page(token: str, lang: str | None = None) -> Response[str]:
        return page(
            "manage.html",
            PRIVATE_PAGE_HEADERS,
            token=token,
            lang=_language(lang) if lang else None,
            page_lang=_language(lang),
        )

    @get("/privacy", include_in_schema=False)
    async def privacy_page(lang: str | None = None) -> Response[str]:
        return page(
            "privacy.html",
            {"Cache-Control": "public, max-age=3600"},
            page_lang=_language(lang),
            retention_days=settings.privacy.retention_days,
            facts=privacy_facts(settings),
        )

    logo = (STATIC_DIR / "logo.png").read_bytes()
    slug_shape = re.compile(SLUG_PATTERN)

    @get(f"{BOOK_AGAIN_PATH}/{{mentor_id:uuid}}", include_in_schema=False)
    async def book_again_page(
        mentor_id: UUID, filiere: str | None = None, lang: str | None = None
    ) -> Response[str]:
        # A filière of another shape is left out (the widget would only show an error).
        kept = filiere if filiere and len(filiere) <= 60 and slug_shape.match(filiere) else None
        return page(
            "book.html",
            {"Cache-Control": "no-cache"},
            mentor_id=str(mentor_id),
            filiere=kept,
            page_lang=_language(lang),
        )

    @get(LOGO_PATH, include_in_schema=False)
    async def brand_logo() -> Response[bytes]:
        # Mail clients and their image proxies fetch it cross-origin, often days later.
        headers = {
            "Cache-Control": "public, max-age=86400",
            "Cross-Origin-Resource-Policy": "cross-origin",
            "X-Content-Type-Options": "nosniff",
        }
        return Response(logo, media_type="image/png", headers=headers)

    return Router(
        path="/",
        route_handlers=[
            widget_script,
            widget_integrity,
            demo_page,
            manage_page,
            privacy_page,
            brand_logo,
            book_again_page,
        ],
    )
