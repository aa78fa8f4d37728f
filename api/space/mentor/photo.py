"""The mentor's profile photo by upload (``/mentor/settings/photo``): a JPEG, PNG or WebP of
5 MB at most, made into a 256 px square by the catalog (``scheduler.catalog.photos``), or
removed. A refused file shows the settings page again with the reason next to the field, with
the status and the stable code of the refusal (413 ``photo_too_large``, 422
``photo_unreadable``)."""

from __future__ import annotations

from typing import Any

import anyio
from litestar import Controller, Request, Response, post
from litestar.datastructures import UploadFile
from sqlalchemy.ext.asyncio import AsyncSession

from api.deps import AppSettings, Session
from api.space.deps import Pages
from api.space.forms import tr
from api.space.mentor.common import me
from api.space.mentor.profile import settings_page
from api.space.web import Web, language
from scheduler import catalog
from scheduler.platform import Actor

# The photo itself plus the form's other fields and the multipart framing.
UPLOAD_MAX_BODY = catalog.MAX_PHOTO_BYTES + 64 * 1024

MESSAGES = {
    "photo_too_large": (
        "Cette photo pèse plus de 5 Mo : choisissez-en une plus légère.",
        "This photo is over 5 MB: choose a lighter one.",
    ),
    "photo_unreadable": (
        "Ce fichier n'est pas une image : choisissez une photo JPEG, PNG ou WebP.",
        "This file is not an image: choose a JPEG, PNG or WebP photo.",
    ),
    "photo_missing": ("Choisissez d'abord une photo.", "Choose a photo first."),
}


def photo_message(code: str, lang: str) -> str:
    return tr(lang, *MESSAGES[code])


class MentorPhotoController(Controller):
    path = "/settings/photo"

    @post("/", request_max_body_size=UPLOAD_MAX_BODY)
    async def upload(
        self, request: Request[Any, Any, Any], session: Session, settings: AppSettings, web: Pages
    ) -> Response[str]:
        form = await request.form()
        lang = language(request)
        if form.get("remove") == "1":
            await catalog.remove_photo(session, me(request), Actor.mentor(me(request)))
            return web.redirect("/mentor/settings?ok=saved#photo")
        upload = form.get("photo")
        if not isinstance(upload, UploadFile) or not upload.filename:
            return await self._refused(request, session, web, "photo_missing", 422, lang)
        data = await upload.read(catalog.MAX_PHOTO_BYTES + 1)
        try:
            # Decoding a phone photo takes tens of milliseconds of CPU: not on the event loop.
            photo = await anyio.to_thread.run_sync(catalog.prepare_photo, data)
        except (catalog.PhotoTooLarge, catalog.PhotoUnreadable) as error:
            return await self._refused(request, session, web, error.code, error.status, lang)
        await catalog.set_photo(
            session, me(request), photo, settings.http.public_url, Actor.mentor(me(request))
        )
        return web.redirect("/mentor/settings?ok=saved#photo")

    async def _refused(
        self,
        request: Request[Any, Any, Any],
        session: AsyncSession,
        web: Web,
        code: str,
        status: int,
        lang: str,
    ) -> Response[str]:
        return await settings_page(
            web,
            request,
            session,
            errors={"photo": photo_message(code, lang), "photo_code": code},
            status=status,
        )
