"""HTTP Strict Transport Security on every response of an https service.

A ``before_send`` hook rather than the app's ``response_headers``: those only reach the
responses of route handlers, whereas the hook sees every response the application sends (404s,
problem JSON, static files), so that no first plain-http visit can be downgraded.
"""

from __future__ import annotations

from litestar.datastructures import MutableScopeHeaders
from litestar.types import Message, Scope

# One year, the subdomains too (the Thotis site and its API are all https); no `preload`, which
# is a commitment to browsers' built-in lists that the domain's owner makes, not this service.
HSTS_VALUE = "max-age=31536000; includeSubDomains"


async def add_hsts(message: Message, scope: Scope) -> None:
    if message["type"] == "http.response.start":
        MutableScopeHeaders.from_message(message)["Strict-Transport-Security"] = HSTS_VALUE
