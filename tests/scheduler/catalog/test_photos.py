"""Preparing an uploaded photo (``scheduler.catalog.photos.prepare_photo``): only a real
JPEG, PNG or WebP becomes a photo, upright, square, 256 px, white behind transparency, with no
metadata; anything else is refused with its code, before a large decode."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from scheduler.catalog import MAX_PHOTO_BYTES, PhotoTooLarge, PhotoUnreadable, prepare_photo


def encoded(image: Image.Image, kind: str, **options: object) -> bytes:
    out = io.BytesIO()
    image.save(out, format=kind, **options)
    return out.getvalue()


def decoded(data: bytes) -> Image.Image:
    return Image.open(io.BytesIO(data))


@pytest.mark.parametrize("kind", ["JPEG", "PNG", "WEBP"])
def test_each_accepted_format_becomes_a_256_px_square_jpeg(kind: str) -> None:
    photo = prepare_photo(encoded(Image.new("RGB", (900, 400), (10, 200, 30)), kind))
    image = decoded(photo.content)
    assert (image.format, image.size, photo.media_type) == ("JPEG", (256, 256), "image/jpeg")


def test_the_photo_is_turned_upright_and_loses_its_exif() -> None:
    # A phone's portrait: stored landscape (left half red), with "rotate 90° clockwise".
    image = Image.new("RGB", (400, 200), (0, 0, 255))
    image.paste((255, 0, 0), (0, 0, 200, 200))
    exif = Image.Exif()
    exif[0x0112] = 6  # Orientation: rotate 90 CW to display
    exif[0x8825] = {2: (48.0, 51.0, 24.0)}  # a GPS latitude
    raw = encoded(image, "JPEG", exif=exif.tobytes())
    result = decoded(prepare_photo(raw).content)
    assert not result.getexif()
    red, _, blue = result.convert("RGB").getpixel((128, 20))
    assert red > 200 and blue < 60  # upright: the red half is now on top


def test_transparency_becomes_white_not_black() -> None:
    clear = Image.new("RGBA", (300, 300), (0, 0, 0, 0))
    result = decoded(prepare_photo(encoded(clear, "PNG")).content).convert("RGB")
    assert min(result.getpixel((128, 128))) > 240


def test_the_same_content_has_the_same_version_and_another_a_new_one() -> None:
    one = encoded(Image.new("RGB", (300, 300), (1, 2, 3)), "PNG")
    other = encoded(Image.new("RGB", (300, 300), (200, 2, 3)), "PNG")
    assert prepare_photo(one).version == prepare_photo(one).version
    assert prepare_photo(one).version != prepare_photo(other).version


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"%PDF-1.7 not an image",
        b"GIF89a" + b"\x00" * 100,
        encoded(Image.new("RGB", (300, 300)), "PNG")[:120],  # truncated
        encoded(Image.new("RGB", (300, 300)), "BMP"),  # an image, not an accepted kind
        b"<svg xmlns='http://www.w3.org/2000/svg'/>",
    ],
    ids=["empty", "pdf", "fake-gif", "truncated-png", "bmp", "svg"],
)
def test_what_is_not_an_accepted_image_is_unreadable(data: bytes) -> None:
    with pytest.raises(PhotoUnreadable) as refused:
        prepare_photo(data)
    assert (refused.value.code, refused.value.status) == ("photo_unreadable", 422)


def test_a_small_file_that_unpacks_to_too_many_pixels_is_refused_before_decoding() -> None:
    bomb = encoded(Image.new("1", (10_000, 10_000)), "PNG")  # 100 Mpx in a few kB
    assert len(bomb) < 100_000
    with pytest.raises(PhotoUnreadable):
        prepare_photo(bomb)


def test_more_than_5_mb_is_too_large_whatever_it_holds() -> None:
    with pytest.raises(PhotoTooLarge) as refused:
        prepare_photo(b"\xff" * (MAX_PHOTO_BYTES + 1))
    assert (refused.value.code, refused.value.status) == ("photo_too_large", 413)
