"""The documentation site at ``/docs``: the pages ``make docs`` builds (MkDocs, ``docs/``) into
``build/docs``, served as static files by the service itself, or, when they were not built, a
short page saying how to build them.

Everything comes from this origin (Material's fonts are turned off in ``mkdocs.yml``): the
policy names no other host. Material runs a few inline scripts; each page's policy lists their
SHA-256 hashes instead of allowing inline scripts at large (the consoles share this origin).
"""

from __future__ import annotations

import base64
import hashlib
import mimetypes
import re
from functools import lru_cache
from pathlib import Path
from typing import Any

from litestar import Request, Response, Router, get
from litestar.response import Redirect

from scheduler.platform import PROJECT_ROOT

SITE_DIR = PROJECT_ROOT / "build" / "docs"
_INLINE_SCRIPT = re.compile(rb"<script(?![^>]*\bsrc=)(?P<attrs>[^>]*)>(?P<body>.*?)</script>", re.S)
_BASE_POLICY = (
    "default-src 'none'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; worker-src 'self'; manifest-src 'self'; "
    "frame-ancestors 'none'; base-uri 'self'; form-action 'none'"
)

MISSING_PAGE = """<!doctype html>
<html lang="fr">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Documentation non construite — Documentation not built</title></head>
<body style="font-family: system-ui, sans-serif; max-width: 40rem; margin: 2rem auto; padding: 0 1rem">
<h1>La documentation n'est pas construite</h1>
<p>Dans le dépôt, lancez <code>make docs</code> : le site est écrit dans
<code>build/docs</code> et le service le sert ici, à <code>/docs</code>.</p>
<h2 lang="en">The documentation is not built</h2>
<p lang="en">In the repository, run <code>make docs</code>: the site is written to
<code>build/docs</code> and the service serves it here, at <code>/docs</code>.</p>
<p>Référence de l'API / API reference : <a href="/schema">/schema</a>.</p>
</body>
</html>"""


def policy(html: bytes) -> str:
    """The page's CSP: scripts from this origin, plus exactly the inline ones the page holds."""
    hashes = [
        "'sha256-" + base64.b64encode(hashlib.sha256(match["body"]).digest()).decode() + "'"
        for match in _INLINE_SCRIPT.finditer(html)
        if b"application/json" not in match["attrs"]
    ]
    return f"script-src 'self' {' '.join(hashes)}; {_BASE_POLICY}".replace("  ", " ")


@lru_cache(maxsize=512)
def _read(path: Path, mtime_ns: int) -> tuple[bytes, str]:
    """A file of the site and the CSP it is served with (read again when it changes)."""
    body = path.read_bytes()
    return body, policy(body) if path.suffix == ".html" else f"script-src 'self'; {_BASE_POLICY}"


def locate(site: Path, relative: str) -> Path | None:
    """The file ``relative`` names inside ``site`` (a directory means its ``index.html``), or
    None: outside the site, or absent."""
    root = site.resolve()
    target = (root / relative.lstrip("/")).resolve()
    if not target.is_relative_to(root):
        return None
    if target.is_dir():
        target = target / "index.html"
    return target if target.is_file() else None


def _file_response(site: Path, relative: str) -> Response[bytes]:
    if not (site / "index.html").is_file():
        return Response(
            MISSING_PAGE.encode(),
            status_code=503,
            media_type="text/html; charset=utf-8",
            headers={"Content-Security-Policy": _BASE_POLICY, "Cache-Control": "no-store"},
        )
    found = locate(site, relative)
    if found is None:
        found = site / "404.html"
        status = 404
    else:
        status = 200
    body, csp = _read(found, found.stat().st_mtime_ns)
    media_type = mimetypes.guess_type(found.name)[0] or "application/octet-stream"
    if media_type.startswith("text/") or media_type in {
        "application/javascript",
        "application/json",
    }:
        media_type += "; charset=utf-8"
    return Response(
        body,
        status_code=status,
        media_type=media_type,
        headers={"Content-Security-Policy": csp, "Cache-Control": "public, max-age=300"},
    )


def create_docs_router(site: Path = SITE_DIR) -> Router:
    @get(["/docs", "/docs/{path:path}"], include_in_schema=False, sync_to_thread=False)
    def docs_file(request: Request[Any, Any, Any], path: str = "/") -> Response[bytes] | Redirect:
        # The router hears "/docs" and "/docs/" alike (it strips the slash, so the raw path
        # tells them apart); MkDocs writes relative links, which
        # resolve only under the directory's own URL (with its slash).
        raw = request.scope.get("raw_path") or request.scope["path"].encode()
        if raw.split(b"?")[0] == b"/docs":
            return Redirect("/docs/", status_code=308)
        return _file_response(site, path)

    return Router(path="/", route_handlers=[docs_file], include_in_schema=False)
