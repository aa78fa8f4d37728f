"""``Vary: Accept-Encoding`` kept on a compressed answer to a cross-origin request.

Litestar's CORS middleware sets ``Vary: Origin`` on an allowed origin's answer by replacing the
header, so a gzipped answer (the widget's calendar, read from the Thotis site) lost its
``Vary: Accept-Encoding``: a shared cache (a CDN in front of the service) could then hand the
gzipped bytes to a client that never asked for them. This wrapper, outside the CORS middleware,
puts ``Accept-Encoding`` back beside ``Origin`` on any answer that has a ``Content-Encoding``.
"""

from __future__ import annotations

from litestar.enums import ScopeType
from litestar.types import ASGIApp, Message, Receive, Scope, Send

_ENCODING = b"accept-encoding"


def _with_encoding_vary(headers: list[tuple[bytes, bytes]]) -> list[tuple[bytes, bytes]]:
    if not any(name.lower() == b"content-encoding" for name, _ in headers):
        return headers
    varies = [value for name, value in headers if name.lower() == b"vary"]
    if any(_ENCODING in value.lower() for value in varies):
        return headers
    kept = [(name, value) for name, value in headers if name.lower() != b"vary"]
    return [*kept, (b"vary", b", ".join([*varies, b"Accept-Encoding"]))]


class KeepEncodingVary:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        # Only a request with an Origin header gets CORS headers; the rest pass untouched.
        if scope["type"] != ScopeType.HTTP or not any(
            len(name) == 6 and name.lower() == b"origin" for name, _ in scope["headers"]
        ):
            await self.app(scope, receive, send)
            return

        async def sending(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", ()))
                fixed = _with_encoding_vary(headers)
                if fixed is not headers:
                    message = {**message, "headers": fixed}
            await send(message)

        await self.app(scope, receive, sending)
