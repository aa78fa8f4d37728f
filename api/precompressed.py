"""A cached JSON answer kept as sent: encoded once, and gzipped once, per cache period.

The filière page and the widget calendar are read far more often than they change (api.cache).
Through the compression middleware, every browser's request (they all accept gzip) compressed
the same cached bytes again, which cost ten times the rest of the answer (gzip -9 of the 40 kB
calendar: 1.5 ms). These routes are left out of the middleware (``opt`` key ``PRECOMPRESSED``)
and answer the compressed bytes themselves, on the same terms as the middleware: above
``MINIMUM_SIZE``, to a client whose ``Accept-Encoding`` names gzip, with ``Vary``.
"""

from __future__ import annotations

import gzip
from dataclasses import dataclass
from typing import Any

from litestar import MediaType, Request, Response

# The app's CompressionConfig uses both, so that every answer is compressed on the same terms.
MINIMUM_SIZE = 1024
# Level 6 (zlib's default) compresses the calendar to within 1 % of level 9 in a quarter of
# the time (0.4 ms instead of 1.5 ms for 40 kB).
GZIP_LEVEL = 6
# The handler ``opt`` key that keeps a route out of the compression middleware.
PRECOMPRESSED = "precompressed"


@dataclass(frozen=True, slots=True)
class EncodedAnswer:
    plain: bytes
    # None: too small to be worth compressing, always sent plain.
    gzipped: bytes | None

    @classmethod
    def of(cls, body: bytes) -> EncodedAnswer:
        packed = gzip.compress(body, GZIP_LEVEL, mtime=0) if len(body) >= MINIMUM_SIZE else None
        return cls(body, packed)

    def response(self, request: Request[Any, Any, Any]) -> Response[bytes]:
        if self.gzipped is not None and "gzip" in request.headers.get("accept-encoding", ""):
            return Response(
                self.gzipped,
                media_type=MediaType.JSON,
                headers={"Content-Encoding": "gzip", "Vary": "Accept-Encoding"},
            )
        return Response(self.plain, media_type=MediaType.JSON)
