"""How a request body is decoded: the one policy for every JSON route.

Litestar decodes every JSON body through ``Request.json()`` (the ``data`` of a handler, whatever
its type), and reads every body through ``Request.stream()``, which refuses more than the
route's ``request_max_body_size`` with a 413. So the policy lives here, in the request class the
app is built with:

- size: ``MAX_BODY_BYTES`` for the whole app (``create_app`` sets it as Litestar's
  ``request_max_body_size``), counted on the bytes actually received, not on ``Content-Length``
  alone;
- depth: at most ``MAX_JSON_DEPTH`` nested arrays and objects, checked on the raw bytes before
  msgspec sees them (msgspec recurses once per level: a body nested a thousand levels deep
  was a ``RecursionError``, a 500). No body of this API nests deeper than a handful of levels.

Both refusals are problem JSON (``api.problems``): 413 ``body_too_large`` and 400
``json_too_deep``.
"""

from __future__ import annotations

import re
from typing import Any

from litestar import Request
from litestar.exceptions import ClientException

# The largest body any route needs is a weekly schedule or a booking with its question (a few
# kilobytes); the mentor space's forms are smaller still.
MAX_BODY_BYTES = 64 * 1024
MAX_JSON_DEPTH = 32

# A JSON string (brackets inside it are text, not nesting). Escapes are consumed two bytes at a
# time, so an escaped quote never ends it.
_STRING = re.compile(rb'"(?:[^"\\]|\\.)*"', re.DOTALL)
_NOT_BRACKET = bytes(b for b in range(256) if b not in b"[]{}")


class JsonTooDeep(ClientException):
    """A JSON body nested deeper than ``MAX_JSON_DEPTH``."""

    status_code = 400


def json_depth(body: bytes) -> int:
    """The deepest nesting of arrays and objects in ``body`` (malformed JSON included: the
    decoder refuses that afterwards). Linear in the size, which the size limit bounds."""
    brackets = _STRING.sub(b"", body).translate(None, _NOT_BRACKET)
    depth = deepest = 0
    for byte in brackets:
        if byte in b"[{":
            depth += 1
            deepest = max(deepest, depth)
        else:
            depth -= 1
    return deepest


class DecodingRequest(Request[Any, Any, Any]):
    """The app's request class: checks a JSON body's depth before it is decoded."""

    async def json(self) -> Any:
        # body() is read once and kept: checking again on a second call costs one scan.
        if json_depth(await self.body()) > MAX_JSON_DEPTH:
            raise JsonTooDeep(f"a JSON body may nest at most {MAX_JSON_DEPTH} levels")
        return await super().json()
