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

Instants, in a body or a query, are RFC 3339 date-times with their offset, nothing else: the
framework's lenient conversion would take ``0.5`` or ``1700000000`` for a date (seconds since
1970) and a reading without offset for a local time. They cross the API as strings read by
``instant()``, which holds them to ``INSTANT_PATTERN`` (the OpenAPI document states that pattern,
``api.openapi``) and applies the supported window (``availability.supported_instant``). The
check is ours rather than the framework's so that each refusal keeps its own code:
``naive_datetime`` without an offset, ``invalid_query_range`` outside the window,
``validation_failed`` for anything else.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Annotated, Any

import msgspec
from litestar import Request
from litestar.exceptions import ClientException
from litestar.params import QueryParameter

from availability import SUPPORTED_FROM, SUPPORTED_UNTIL, NaiveDatetime, supported_instant
from scheduler.platform import ValidationFailed

# The largest body any route needs is a weekly schedule or a booking with its question (a few
# kilobytes); the mentor space's forms are smaller still.
MAX_BODY_BYTES = 64 * 1024
MAX_JSON_DEPTH = 32

# What moves the depth (brackets) and what hides brackets (a string, from its opening quote).
_SIGNIFICANT = re.compile(rb'[\[\]{}"]')
# The rest of a string after its opening quote; escapes are taken two bytes at a time, so an
# escaped quote never ends it. Alternatives that cannot both match keep it linear.
_STRING_REST = re.compile(rb'(?:[^"\\]|\\.)*"', re.DOTALL)


# RFC 3339 ``date-time`` (section 5.6) with at most microseconds: the offset is required.
INSTANT_PATTERN = (
    r"^[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt][0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]{1,6})?"
    r"([Zz]|[+-][0-9]{2}:[0-9]{2})$"
)
INSTANT_MAX_LENGTH = 32
INSTANT_DESCRIPTION = (
    "Date et heure RFC 3339 avec décalage UTC, entre "
    f"{SUPPORTED_FROM.date().isoformat()} et {SUPPORTED_UNTIL.date().isoformat()} / "
    "RFC 3339 date-time with its UTC offset, within the same years"
)
# The same reading without its offset: refused for what it lacks (naive_datetime).
_NAIVE_PATTERN = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt][0-9]{2}:[0-9]{2}(:[0-9]{2}(\.[0-9]{1,6})?)?$"
INSTANT_SCHEMA: dict[str, Any] = {"format": "date-time", "pattern": INSTANT_PATTERN}
# In a body; api.openapi adds INSTANT_SCHEMA to the fields it finds by this description (msgspec's
# extra_json_schema does not reach Litestar's document).
Instant = Annotated[
    str,
    msgspec.Meta(
        max_length=INSTANT_MAX_LENGTH,
        description=INSTANT_DESCRIPTION,
        examples=["2026-12-07T17:00:00Z"],
    ),
]


# The shape of an IANA name ("Europe/Paris", "America/Argentina/Buenos_Aires", "Etc/GMT+5"): the
# schema states it, the server then checks the name against the tz database (availability.zone).
TIMEZONE_PATTERN = r"^[A-Za-z][A-Za-z0-9_+-]*(/[A-Za-z0-9_+-]+)*$"


def instant(text: str, name: str) -> datetime:
    """The aware UTC instant ``text`` names, or a 422: naive_datetime without an offset,
    invalid_query_range outside the supported window, validation_failed for anything else."""
    if not re.fullmatch(INSTANT_PATTERN, text):
        if re.fullmatch(_NAIVE_PATTERN, text):
            raise NaiveDatetime(f"{name} has no UTC offset")
        raise ValidationFailed(f"{name}: an RFC 3339 date-time with its offset is expected")
    try:
        # Python 3.11 reads "T" and "Z" in capitals only; RFC 3339 allows either case.
        value = datetime.fromisoformat(text.upper())
    except ValueError as error:  # 2026-02-30, 25:00, ...
        raise ValidationFailed(f"{name}: not a date-time ({error})") from error
    return supported_instant(value, name)


def instant_query(name: str, description: str) -> Any:
    """A query parameter that is an instant, documented and held exactly as ``Instant``."""
    return QueryParameter(
        name=name,
        description=f"{description}. {INSTANT_DESCRIPTION}",
        max_length=INSTANT_MAX_LENGTH,
        schema_extra=INSTANT_SCHEMA,
    )


def optional_instant(text: str | None, name: str) -> datetime | None:
    return None if text is None else instant(text, name)


class JsonTooDeep(ClientException):
    """A JSON body nested deeper than ``MAX_JSON_DEPTH``."""

    status_code = 400


def json_depth(body: bytes, limit: int | None = None) -> int:
    """The deepest nesting of arrays and objects in ``body`` (or the first depth past ``limit``:
    no need to read further). Each byte is looked at once (a body of unterminated strings
    cannot make it quadratic); at a string that never ends the body is malformed and the scan
    stops: the decoder refuses it afterwards."""
    depth = deepest = 0
    position = 0
    while found := _SIGNIFICANT.search(body, position):
        byte = body[found.start()]
        position = found.end()
        if byte == 0x22:  # '"'
            rest = _STRING_REST.match(body, position)
            if rest is None:
                break
            position = rest.end()
        elif byte in b"[{":
            depth += 1
            deepest = max(deepest, depth)
            if limit is not None and depth > limit:
                break
        else:
            depth -= 1
    return deepest


class DecodingRequest(Request[Any, Any, Any]):
    """The app's request class: checks a JSON body's depth before it is decoded."""

    async def json(self) -> Any:
        # body() is read once and kept: checking again on a second call costs one scan.
        if json_depth(await self.body(), MAX_JSON_DEPTH) > MAX_JSON_DEPTH:
            raise JsonTooDeep(f"a JSON body may nest at most {MAX_JSON_DEPTH} levels")
        return await super().json()
