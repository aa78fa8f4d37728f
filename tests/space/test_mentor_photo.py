"""A profile photo by upload: a real image (made with Pillow here) becomes a 256 px square JPEG
without its metadata, stored in PostgreSQL and served by the service with caching headers; a
file that is not an image is refused with its reason and stable code, and nothing changes."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from PIL import Image
from playwright.async_api import Page, expect

from tests.space.a11y import assert_accessible
from tests.space.conftest import Space
from tests.space.flows import (
    csrf_of,
    google_sign_in,
    http_client,
    http_google_sign_in,
    mark_onboarded,
    new_mentor,
)

NOE = "noe.photo@example.fr"
ROSE = "rose.photo@example.fr"


def png_bytes(size: tuple[int, int] = (640, 480), alpha: bool = True) -> bytes:
    image = Image.new("RGBA" if alpha else "RGB", size, (200, 30, 60, 128) if alpha else (9, 9, 9))
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def jpeg_with_exif() -> bytes:
    image = Image.new("RGB", (300, 600), (20, 120, 200))
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    exif[0x0131] = "secret-camera-software"  # Software
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif.tobytes())
    return out.getvalue()


async def test_an_uploaded_photo_is_a_square_jpeg_without_metadata_served_with_caching(
    space: Space,
) -> None:
    new_mentor(space, NOE, "Noé P.")
    mark_onboarded(space, NOE)
    raw = jpeg_with_exif()
    assert b"secret-camera-software" in raw
    async with http_client(space) as client:
        landed = await http_google_sign_in(client, space, "mentor", NOE)
        token = csrf_of(landed.text)
        sent = await client.post(
            "/mentor/settings/photo",
            data={"csrf_token": token},
            files={"photo": ("moi.jpg", raw, "image/jpeg")},
        )
        assert sent.status_code == 200 and sent.url.params.get("ok") == "saved"
        url = space.sql("SELECT photo_url FROM mentors WHERE email = %s", NOE)[0][0]
        assert re.fullmatch(rf"{space.url}/photos/[0-9a-f-]{{36}}/[0-9a-f]{{16}}\.jpg", url)
        assert f'src="{url}"' in sent.text

        served = await client.get(url)
        assert served.status_code == 200
        assert served.headers["content-type"] == "image/jpeg"
        assert "immutable" in served.headers["cache-control"]
        assert b"secret-camera-software" not in served.content
        image = Image.open(io.BytesIO(served.content))
        assert (image.format, image.size) == ("JPEG", (256, 256))
        assert not image.getexif()
        again = await client.get(url, headers={"If-None-Match": served.headers["etag"]})
        assert again.status_code == 304

        # The public API gives the widget the same address.
        mentor = space.sql("SELECT id FROM mentors WHERE email = %s", NOE)[0][0]
        public = (await client.get(f"/v1/mentors/{mentor}")).json()
        assert public["photo_url"] == url

        # A transparent PNG replaces it (white background), under a new address.
        png = await client.post(
            "/mentor/settings/photo",
            data={"csrf_token": token},
            files={"photo": ("moi.png", png_bytes(), "image/png")},
        )
        assert png.status_code == 200
        new_url = space.sql("SELECT photo_url FROM mentors WHERE email = %s", NOE)[0][0]
        assert new_url != url
        assert (await client.get(url)).status_code == 404  # the old content is gone

        def stored() -> list[tuple[int]]:
            return space.sql(
                "SELECT count(*) FROM mentor_photos p JOIN mentors m ON m.id = p.mentor_id "
                "WHERE m.email = %s",
                NOE,
            )

        def profile(photo_url: str) -> dict[str, str | list[str]]:
            return {
                "display_name": "Noé P.",
                "university": "Université de Lille",
                "year_of_study": "2",
                "bio": "",
                "photo_url": photo_url,
                "filieres": ["droit"],
                "languages": ["fr"],
                "csrf_token": token,
            }

        # Saving the profile as shown (the upload's address in its field) keeps the photo.
        kept = await client.post("/mentor/settings/profile", data=profile(new_url))
        assert kept.status_code == 200 and stored() == [(1,)]
        # An address typed instead replaces the upload, whose bytes are then dropped.
        typed = await client.post(
            "/mentor/settings/profile", data=profile("https://images.example.org/noe.png")
        )
        assert typed.status_code == 200 and typed.url.params.get("ok") == "saved"
        assert stored() == [(0,)]


async def test_a_file_that_is_not_an_image_is_refused_with_its_code_and_changes_nothing(
    space: Space,
) -> None:
    new_mentor(space, ROSE, "Rose P.")
    mark_onboarded(space, ROSE)
    async with http_client(space) as client:
        landed = await http_google_sign_in(client, space, "mentor", ROSE)
        token = csrf_of(landed.text)
        for name, content, kind in [
            ("cv.pdf", b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\n", "application/pdf"),
            ("photo.jpg", b"not really a jpeg", "image/jpeg"),
            ("tronquee.png", png_bytes()[:200], "image/png"),
            ("vide.jpg", b"", "image/jpeg"),
        ]:
            refused = await client.post(
                "/mentor/settings/photo",
                data={"csrf_token": token},
                files={"photo": (name, content, kind)},
            )
            assert refused.status_code == 422, name
            assert 'data-code="photo_unreadable"' in refused.text, name
            assert "n&#39;est pas une image" in refused.text, name
        heavy = await client.post(
            "/mentor/settings/photo",
            data={"csrf_token": token},
            files={"photo": ("lourde.png", b"\x89PNG" + b"0" * (5 * 1024 * 1024), "image/png")},
        )
        assert heavy.status_code == 413
        assert 'data-code="photo_too_large"' in heavy.text
        way_too_heavy = await client.post(
            "/mentor/settings/photo",
            data={"csrf_token": token},
            files={"photo": ("enorme.png", b"0" * (6 * 1024 * 1024), "image/png")},
        )
        assert way_too_heavy.status_code == 413
        assert 'data-code="photo_too_large"' in way_too_heavy.text
        assert "trop lourde" in way_too_heavy.text
    assert space.sql("SELECT photo_url FROM mentors WHERE email = %s", ROSE) == [(None,)]
    assert space.sql(
        "SELECT count(*) FROM mentor_photos p JOIN mentors m ON m.id = p.mentor_id "
        "WHERE m.email = %s",
        ROSE,
    ) == [(0,)]


@pytest.mark.browser
async def test_a_mentor_uploads_a_photo_in_the_browser_and_a_pdf_is_refused(
    space: Space, page: Page, tmp_path: Path
) -> None:
    email = "lea.photo@example.fr"
    new_mentor(space, email, "Léa P.")
    mark_onboarded(space, email)
    await google_sign_in(page, space, "mentor", email)
    await page.goto(f"{space.url}/mentor/settings")
    document = tmp_path / "bulletin.pdf"
    document.write_bytes(b"%PDF-1.4 nothing to see")
    await page.locator("#photo-file").set_input_files(str(document))
    await page.locator("#upload-photo").click()
    await expect(page.locator("#err-photo")).to_contain_text("n'est pas une image")
    await expect(page.locator("#photo-file")).to_have_attribute("aria-invalid", "true")
    await assert_accessible(page)

    picture = tmp_path / "portrait.png"
    picture.write_bytes(png_bytes((500, 800), alpha=False))
    await page.locator("#photo-file").set_input_files(str(picture))
    await page.locator("#upload-photo").click()
    await expect(page.get_by_text("Enregistré.")).to_be_visible()
    avatar = page.locator("#photo img.avatar")
    await expect(avatar).to_be_visible()
    assert await avatar.evaluate("img => img.complete && img.naturalWidth") == 256
    await assert_accessible(page)
    # And removed: the initial shows again, and the stored bytes are gone.
    await page.locator("#remove-photo").click()
    await expect(page.get_by_text("Enregistré.")).to_be_visible()
    await expect(page.locator("#photo .avatar.initials")).to_have_text("L")
    assert space.sql("SELECT photo_url FROM mentors WHERE email = %s", email) == [(None,)]
    assert space.sql(
        "SELECT count(*) FROM mentor_photos p JOIN mentors m ON m.id = p.mentor_id "
        "WHERE m.email = %s",
        email,
    ) == [(0,)]
