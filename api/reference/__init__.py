"""The API reference page (``/schema``): Redoc, vendored (``static/``, from the npm package
``redoc`` 2.5.4, MIT — its licence files beside it), served by the service itself with its
Subresource Integrity hash and under a Content-Security-Policy: no CDN, no request leaves for
another origin, and the page can run no script but the one whose hash it names.

Redoc draws an « API docs by Redocly » logo from its CDN; the policy's ``img-src`` keeps that
request from ever being made.
"""

from __future__ import annotations

import base64
import hashlib
from functools import cache
from pathlib import Path
from typing import Any

from litestar import Request, Response, Router, get
from litestar.datastructures import CacheControlHeader
from litestar.openapi.plugins import OpenAPIRenderPlugin

STATIC = Path(__file__).resolve().parent / "static"
REDOC = STATIC / "redoc-2.5.4.standalone.js"
ASSET_PATH = "/assets/redoc-2.5.4.standalone.js"
# Redoc styles itself with injected <style> elements and runs its search in a blob: worker.
CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; font-src 'self' data:; connect-src 'self'; worker-src 'self' blob:; "
    "base-uri 'none'; form-action 'none'"
)


@cache
def redoc_bytes() -> bytes:
    return REDOC.read_bytes()


@cache
def integrity() -> str:
    return "sha384-" + base64.b64encode(hashlib.sha384(redoc_bytes()).digest()).decode()


class ReferencePage(OpenAPIRenderPlugin):
    """Redoc at ``/schema`` (the default page) and its script at ``/schema/assets/…``."""

    def __init__(self) -> None:
        super().__init__(path="/redoc")

    def render(self, request: Request[Any, Any, Any], openapi_schema: dict[str, Any]) -> bytes:
        root = request.app.openapi_config.path if request.app.openapi_config else "/schema"
        title = str(openapi_schema.get("info", {}).get("title", "API"))
        return f"""<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="{CSP}">
<title>{title} — API reference</title>
<script src="{root}{ASSET_PATH}" integrity="{integrity()}" crossorigin="anonymous" defer></script>
</head>
<body>
<redoc spec-url="{root}/openapi.json" hide-download-button="false"></redoc>
</body>
</html>""".encode()

    def receive_router(self, router: Router) -> None:
        router.register(redoc_asset)


@get(
    ASSET_PATH,
    include_in_schema=False,
    media_type="text/javascript; charset=utf-8",
    cache_control=CacheControlHeader(max_age=31536000, public=True),
    sync_to_thread=False,
)
def redoc_asset() -> Response[bytes]:
    return Response(redoc_bytes(), headers={"Content-Security-Policy": CSP})
