"""The widget script as served: ``thotis-widget.js`` with ``styles.css`` spliced in, built once.

Splicing the styles into the script keeps the embed to one request and one SRI hash, without a
build tool: the sources stay plain files that a browser could read as they are.
"""

from __future__ import annotations

import base64
import gzip
import hashlib
import json
import re
from dataclasses import dataclass
from pathlib import Path

STATIC_DIR = Path(__file__).resolve().parent / "static"
CSS_PLACEHOLDER = "/*@thotis-css*/ ''"
# The form's limits as the script's source states them (for reading it as a plain file), replaced
# when served by the API's own (api/schemas.py FIELD_LIMITS): one place decides them.
_LIMITS = re.compile(r"/\*@thotis-limits\*/ \{[^}]*\}")
_ZONE_CITIES = "/*@thotis-zone-cities*/ {}"
_ZONES = re.compile(r"const ZONES = \[([^\]]*)\]")


def zone_cities(script: str) -> dict[str, dict[str, str]]:
    """The widget's zones (its ``ZONES`` list) named by their city in French and English, from
    CLDR through Babel: the browser's Intl has offsets and generic names, but no city names."""
    from integrations.when import zone_label

    found = _ZONES.search(script)
    zones = re.findall(r"'([^']+)'", found.group(1)) if found else []
    return {
        language: {
            tz: zone_label(tz, language).removeprefix("heure de ").removesuffix(" time")
            for tz in zones
            if tz != "UTC"
        }
        for language in ("fr", "en")
    }


_COMMENT = re.compile(r"/\*.*?\*/", re.DOTALL)
_SPACE = re.compile(r"\s+")
_AROUND_PUNCT = re.compile(r"\s*([{};])\s*")


@dataclass(frozen=True, slots=True)
class WidgetBundle:
    body: bytes
    # Strong validator (quoted), derived from the bytes so every process serves the same one.
    etag: str
    # Subresource Integrity value for <script integrity="…">.
    integrity: str
    gzip_size: int

    @property
    def size(self) -> int:
        return len(self.body)


def compact_css(css: str) -> str:
    """Comments and layout whitespace out; selectors keep their meaningful spaces."""
    css = _COMMENT.sub("", css)
    css = _SPACE.sub(" ", css)
    return _AROUND_PUNCT.sub(r"\1", css).strip()


def assemble(script: str, css: str, limits: dict[str, int] | None = None) -> bytes:
    if script.count(CSS_PLACEHOLDER) != 1:
        raise ValueError("thotis-widget.js must hold the CSS placeholder exactly once")
    literal = json.dumps(compact_css(css), ensure_ascii=True)
    script = script.replace(CSS_PLACEHOLDER, literal)
    if limits is not None:
        if len(_LIMITS.findall(script)) != 1:
            raise ValueError("thotis-widget.js must hold the limits placeholder exactly once")
        script = _LIMITS.sub(lambda _: json.dumps(limits, sort_keys=True), script)
        if script.count(_ZONE_CITIES) == 1:
            cities = json.dumps(zone_cities(script), ensure_ascii=False, sort_keys=True)
            script = script.replace(_ZONE_CITIES, cities)
    return script.encode("utf-8")


def bundle_from(body: bytes) -> WidgetBundle:
    digest = base64.b64encode(hashlib.sha384(body).digest()).decode("ascii")
    etag = '"' + hashlib.sha256(body).hexdigest()[:32] + '"'
    # mtime=0: the compressed size (a reported figure) must not depend on the clock.
    gz = gzip.compress(body, compresslevel=9, mtime=0)
    return WidgetBundle(body=body, etag=etag, integrity=f"sha384-{digest}", gzip_size=len(gz))


def build_bundle(static_dir: Path = STATIC_DIR) -> WidgetBundle:
    script = (static_dir / "thotis-widget.js").read_text(encoding="utf-8")
    css = (static_dir / "styles.css").read_text(encoding="utf-8")
    from api.schemas import FIELD_LIMITS

    return bundle_from(assemble(script, css, FIELD_LIMITS))
