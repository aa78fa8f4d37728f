"""A refused CORS origin, made diagnosable.

Litestar's CORS middleware refuses an origin that ``CORS_ORIGINS`` does not list by leaving out
``Access-Control-Allow-Origin`` (and a preflight with a plain-text 400): the browser then hides
everything and the widget can only say "network". This gate, in front of it for the JSON API
(``/v1/``), answers such an origin's preflight so that the real request is sent, and answers
that request — before any handler runs, so nothing is read or changed — with a 403 problem
``origin_not_allowed`` that the page *may* read (the refused origin is echoed in
``Access-Control-Allow-Origin``, without credentials), naming the origin to add.

The service's own origin (``PUBLIC_URL``, or the request's Host) is never refused: its pages
(manage, join) call the API same-origin whatever ``CORS_ORIGINS`` says.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from urllib.parse import urlsplit

from litestar.enums import ScopeType
from litestar.types import (
    ASGIApp,
    HTTPResponseBodyEvent,
    HTTPResponseStartEvent,
    Receive,
    Scope,
    Send,
)

from api.i18n import negotiate
from api.problems import PROBLEM_MEDIA_TYPE, title_for
from scheduler.platform import Settings

CODE = "origin_not_allowed"


def _origin_of(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}".lower()


def _origin_header(headers: Iterable[tuple[bytes, bytes]]) -> str | None:
    for name, value in headers:
        if len(name) == 6 and name.lower() == b"origin":
            return value.decode("latin-1")
    return None


class OriginGate:
    def __init__(
        self, app: ASGIApp, settings: Settings, allow_methods: list[str], allow_headers: list[str]
    ) -> None:
        self.app = app
        self.allowed = {o.rstrip("/").lower() for o in settings.http.cors_origins}
        self.allowed.add(_origin_of(settings.http.public_url))
        self.allow_methods = ", ".join(allow_methods)
        self.allow_headers = ", ".join(allow_headers)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != ScopeType.HTTP or not scope["path"].startswith("/v1/"):
            await self.app(scope, receive, send)
            return
        http = scope
        # Every widget request passes here: find its Origin without decoding all its headers,
        # and let a listed one through before anything else is read.
        origin = _origin_header(http["headers"])
        if origin is None or "*" in self.allowed or origin.rstrip("/").lower() in self.allowed:
            await self.app(scope, receive, send)
            return
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in http["headers"]}
        if self._allowed(origin, headers.get("host")):
            await self.app(scope, receive, send)
            return
        if http["method"] == "OPTIONS" and "access-control-request-method" in headers:
            await self._answer(
                send,
                204,
                b"",
                origin,
                [
                    (b"access-control-allow-methods", self.allow_methods.encode()),
                    (b"access-control-allow-headers", self.allow_headers.encode()),
                    (b"access-control-max-age", b"600"),
                ],
            )
            return
        language = negotiate(headers.get("accept-language"))
        body = {
            "type": "https://thotis.fr/problems/origin-not-allowed",
            "title": title_for(CODE, language),
            "status": 403,
            "detail": (
                f"The origin {origin} may not call this API: add it to CORS_ORIGINS "
                "(comma-separated) in the Thotis service's settings."
            ),
            "code": CODE,
            "origin": origin,
        }
        await self._answer(
            send,
            403,
            json.dumps(body).encode(),
            origin,
            [(b"content-type", PROBLEM_MEDIA_TYPE.encode())],
        )

    def _allowed(self, origin: str, host: str | None) -> bool:
        origin = origin.rstrip("/").lower()
        if origin in self.allowed:
            return True
        return host is not None and urlsplit(origin).netloc == host.lower()

    @staticmethod
    async def _answer(
        send: Send, status: int, body: bytes, origin: str, headers: list[tuple[bytes, bytes]]
    ) -> None:
        start: HTTPResponseStartEvent = {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"access-control-allow-origin", origin.encode("latin-1", "replace")),
                (b"vary", b"Origin"),
                (b"cache-control", b"no-store"),
                (b"content-length", str(len(body)).encode()),
                *headers,
            ],
        }
        end: HTTPResponseBodyEvent = {
            "type": "http.response.body",
            "body": body,
            "more_body": False,
        }
        await send(start)
        await send(end)
