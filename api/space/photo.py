"""``GET /photos/{mentor_id}/{version}.jpg``: a mentor's uploaded profile photo, public (the
widget shows it on the Thotis site) and cached for ever, since a new photo gets a new URL
(``scheduler.catalog.photos``). An old or unknown URL is a 404."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from litestar import Controller, Request, Response, get

from api.deps import Session
from scheduler import catalog
from scheduler.platform import NotFound

CACHE_FOREVER = "public, max-age=31536000, immutable"


class PhotoController(Controller):
    path = catalog.PHOTO_PATH
    include_in_schema = False

    @get("/{mentor_id:uuid}/{name:str}")
    async def photo(
        self, request: Request[Any, Any, Any], session: Session, mentor_id: UUID, name: str
    ) -> Response[bytes]:
        version, dot, extension = name.partition(".")
        if not dot or extension != "jpg":
            raise NotFound("no such photo")
        etag = f'"{version}"'
        headers = {
            "Cache-Control": CACHE_FOREVER,
            "ETag": etag,
            # Shown by the widget on another site's pages.
            "Cross-Origin-Resource-Policy": "cross-origin",
        }
        if request.headers.get("if-none-match") == etag:
            return Response(b"", status_code=304, headers=headers)
        found = await catalog.get_photo(session, mentor_id, version)
        if found is None:
            raise NotFound("no such photo")
        return Response(found.content, media_type=found.media_type, headers=headers)
