"""The webhook sender (``scheduler.messaging.WebhookSender``) over HTTP with httpx.

SSRF care: the host is resolved here, every address it resolves to must pass the
``UrlPolicy`` (no private, loopback, link-local or reserved address in production), and the
connection goes to the address that was checked — the Host header and TLS server name stay the
endpoint's own, so certificates are verified against the name — so a DNS answer that changes
between the check and the connection (rebinding) cannot move the request. Redirects are not
followed (a 3xx is a failure), and the answer's body is never read.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from collections.abc import Mapping
from urllib.parse import urlsplit, urlunsplit

import httpx

from scheduler.messaging import UrlPolicy
from scheduler.platform import WebhookSettings


class AddressRefused(Exception):
    """The endpoint's name resolves to an address the policy refuses."""


class HttpWebhookSender:
    def __init__(self, settings: WebhookSettings, policy: UrlPolicy) -> None:
        self._timeout = httpx.Timeout(settings.timeout_seconds)
        self._policy = policy

    async def post(self, url: str, body: bytes, headers: Mapping[str, str]) -> int:
        parts = urlsplit(url)
        host = parts.hostname or ""
        address = await self._checked_address(host, parts.port or _default_port(parts.scheme))
        netloc = f"[{address}]" if ":" in address else address
        if parts.port is not None:
            netloc += f":{parts.port}"
        pinned = urlunsplit((parts.scheme, netloc, parts.path or "/", parts.query, ""))
        request_headers = dict(headers) | {"host": parts.netloc.rpartition("@")[2]}
        extensions = {"sni_hostname": host} if parts.scheme == "https" else {}
        async with (
            httpx.AsyncClient(timeout=self._timeout, follow_redirects=False) as client,
            client.stream(
                "POST", pinned, content=body, headers=request_headers, extensions=extensions
            ) as answer,
        ):
            return answer.status_code

    async def _checked_address(self, host: str, port: int) -> str:
        try:
            literal = ipaddress.ip_address(host)
        except ValueError:
            infos = await asyncio.get_running_loop().getaddrinfo(
                host, port, type=socket.SOCK_STREAM
            )
            addresses = [ipaddress.ip_address(info[4][0]) for info in infos]
        else:
            addresses = [literal]
        if not addresses or not all(self._policy.allows_address(a) for a in addresses):
            raise AddressRefused(f"{host} resolves to an address webhooks may not reach")
        return str(addresses[0])


def _default_port(scheme: str) -> int:
    return 443 if scheme == "https" else 80
