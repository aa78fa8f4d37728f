"""A mentor's profile photo by upload: checked by decoding it, made into a small square JPEG
without its metadata, kept in PostgreSQL (``mentor_photos``) and named in the mentor's
``photo_url`` by a URL that changes with the content (so it may be cached for ever).

Why decode rather than trust the name or the type the browser sent: only a full decode proves
the bytes are an image this service can show, and re-encoding from the pixels is what drops the
EXIF block (a phone photo's GPS position, its camera serial number) and anything hidden after
the image data. The decoder is held to a pixel budget before it allocates: a small file that
unpacks to gigapixels (a "decompression bomb") is refused, not decoded.

Errors (drawn in ``scheduler.platform.errors``)::

    PhotoTooLarge     413 photo_too_large     (more than MAX_PHOTO_BYTES)
    PhotoUnreadable   422 photo_unreadable    (not a JPEG, PNG or WebP image, or too many pixels)
"""

from __future__ import annotations

import hashlib
import io
import warnings
from dataclasses import dataclass
from uuid import UUID

from PIL import Image, ImageOps, UnidentifiedImageError
from sqlalchemy import delete, func, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from scheduler.catalog.models import Mentor, MentorPhoto
from scheduler.platform import Actor, NotFound, SchedulingError, record, unit_of_work

MAX_PHOTO_BYTES = 5 * 1024 * 1024
PHOTO_SIDE = 256
# A 50-megapixel phone photo fits; anything larger is not a portrait anyone took by hand.
MAX_PIXELS = 60_000_000
ACCEPTED_FORMATS = ("JPEG", "PNG", "WEBP")
PHOTO_MEDIA_TYPE = "image/jpeg"
PHOTO_PATH = "/photos"


class PhotoTooLarge(SchedulingError):
    code, status = "photo_too_large", 413


class PhotoUnreadable(SchedulingError):
    code, status = "photo_unreadable", 422


@dataclass(frozen=True, slots=True)
class Photo:
    """A photo ready to store and serve: its bytes, their type and the version naming them."""

    content: bytes
    media_type: str
    version: str


def prepare_photo(data: bytes) -> Photo:
    """``data`` as the square JPEG the service stores, or PhotoTooLarge / PhotoUnreadable."""
    if len(data) > MAX_PHOTO_BYTES:
        raise PhotoTooLarge(f"photo: {len(data)} bytes, at most {MAX_PHOTO_BYTES}")
    if not data:
        raise PhotoUnreadable("photo: the file is empty")
    try:
        with warnings.catch_warnings():
            # Pillow only warns between MAX_IMAGE_PIXELS and twice that: refuse there too.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data), formats=ACCEPTED_FORMATS) as opened:
                if opened.width * opened.height > MAX_PIXELS:
                    raise PhotoUnreadable("photo: too many pixels")
                # A JPEG decodes at the smallest of 1/2, 1/4, 1/8 that still covers twice the
                # square (a 12 Mpx photo: ~10x faster); every byte is still read and checked.
                opened.draft("RGB", (2 * PHOTO_SIDE, 2 * PHOTO_SIDE))
                opened.load()  # the whole decode: a truncated or forged file fails here
                image = ImageOps.exif_transpose(opened)  # upright, as the phone showed it
    except PhotoUnreadable:
        raise
    except (
        UnidentifiedImageError,
        Image.DecompressionBombError,
        Image.DecompressionBombWarning,
        OSError,
        SyntaxError,
        ValueError,
    ) as error:
        raise PhotoUnreadable("photo: not a JPEG, PNG or WebP image") from error
    square = ImageOps.fit(_on_white(image), (PHOTO_SIDE, PHOTO_SIDE), Image.Resampling.LANCZOS)
    out = io.BytesIO()
    # Saved from the pixels alone: no exif=, no icc_profile=, no comment.
    square.save(out, format="JPEG", quality=85, optimize=True, progressive=True)
    content = out.getvalue()
    return Photo(content, PHOTO_MEDIA_TYPE, hashlib.sha256(content).hexdigest()[:16])


def _on_white(image: Image.Image) -> Image.Image:
    """RGB for JPEG; a transparent PNG's background becomes white, not black."""
    if image.mode in ("RGBA", "LA") or (image.mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        background = Image.new("RGB", rgba.size, (255, 255, 255))
        background.paste(rgba, mask=rgba.getchannel("A"))
        return background
    return image.convert("RGB")


def photo_url(public_url: str, mentor_id: UUID, version: str) -> str:
    return f"{public_url.rstrip('/')}{PHOTO_PATH}/{mentor_id}/{version}.jpg"


async def set_photo(
    session: AsyncSession, mentor_id: UUID, photo: Photo, public_url: str, actor: Actor
) -> str:
    """Store ``photo`` as the mentor's and point their profile at it; the new photo URL."""
    url = photo_url(public_url, mentor_id, photo.version)
    async with unit_of_work(session):
        done = await session.execute(
            update(Mentor)
            .where(Mentor.id == mentor_id)
            .values(photo_url=url, updated_at=func.now())
            .returning(Mentor.id)
        )
        if done.first() is None:
            raise NotFound("no such mentor")
        values = {
            "content": photo.content,
            "media_type": photo.media_type,
            "version": photo.version,
        }
        await session.execute(
            insert(MentorPhoto)
            .values(mentor_id=mentor_id, **values)
            .on_conflict_do_update(
                index_elements=[MentorPhoto.mentor_id], set_={**values, "updated_at": func.now()}
            )
        )
        await record(session, actor, "update", "mentor", mentor_id, {"fields": ["photo"]})
    return url


async def remove_photo(session: AsyncSession, mentor_id: UUID, actor: Actor) -> None:
    """No photo any more (the widget shows the initial)."""
    async with unit_of_work(session):
        await session.execute(delete(MentorPhoto).where(MentorPhoto.mentor_id == mentor_id))
        await session.execute(
            update(Mentor)
            .where(Mentor.id == mentor_id)
            .values(photo_url=None, updated_at=func.now())
        )
        await record(session, actor, "update", "mentor", mentor_id, {"fields": ["photo"]})


async def drop_unused_photo(session: AsyncSession, mentor_id: UUID) -> None:
    """Delete the stored photo once the profile names another image (the mentor gave an
    address instead, or none): nothing keeps bytes that no page shows."""
    suffix = func.concat(f"{PHOTO_PATH}/{mentor_id}/", MentorPhoto.version, ".jpg")
    async with unit_of_work(session):
        await session.execute(
            delete(MentorPhoto).where(
                MentorPhoto.mentor_id == mentor_id,
                ~select(Mentor.id)
                .where(
                    Mentor.id == mentor_id,
                    func.coalesce(Mentor.photo_url, "").endswith(suffix, autoescape=False),
                )
                .exists(),
            )
        )


async def get_photo(session: AsyncSession, mentor_id: UUID, version: str) -> Photo | None:
    """The stored photo when ``version`` is still its version (an old URL finds nothing)."""
    found = (
        await session.execute(
            select(MentorPhoto.content, MentorPhoto.media_type, MentorPhoto.version).where(
                MentorPhoto.mentor_id == mentor_id, MentorPhoto.version == version
            )
        )
    ).first()
    return None if found is None else Photo(found.content, found.media_type, found.version)
