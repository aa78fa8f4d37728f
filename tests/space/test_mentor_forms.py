"""The mentor's forms over plain HTTP: what a page shows back follows the domain's rules (an
override replaces its date's weekly hours; the catalog's profile limits; a real timezone), with
the message next to the field it is about."""

from __future__ import annotations

from datetime import date, timedelta

import httpx

from tests.space.conftest import Space
from tests.space.flows import csrf_of, http_client, http_google_sign_in, mark_onboarded, mentor_id

# No other test of the space signs in as Inès: her profile and special days are these tests'.
INES = "ines.benali@demo.thotis.fr"


async def signed_in(client: httpx.AsyncClient, space: Space) -> str:
    """Inès signed in; her CSRF token."""
    mark_onboarded(space, INES)
    landed = await http_google_sign_in(client, space, "mentor", INES)
    assert landed.url.path == "/mentor"
    return csrf_of(landed.text)


def a_worked_weekday(space: Space) -> tuple[date, str]:
    """A date two weeks ahead whose weekday has weekly hours, and the first range's start."""
    weekday, start = space.sql(
        "SELECT weekday, min(start_minute) FROM availability_rules WHERE mentor_id = %s"
        " GROUP BY weekday ORDER BY weekday LIMIT 1",
        mentor_id(space, INES),
    )[0]
    day = date.today() + timedelta(days=14)
    day += timedelta(days=(weekday - day.weekday()) % 7)
    return day, f"{start // 60:02d}:{start % 60:02d}"


def range_inputs(html: str) -> list[str]:
    return [part.split('"', 1)[0] for part in html.split('name="start" value="')[1:]]


async def test_a_special_day_shows_its_own_hours_and_other_dates_their_weekdays(
    space: Space,
) -> None:
    async with http_client(space) as client:
        token = await signed_in(client, space)
        day, weekly_start = a_worked_weekday(space)
        assert weekly_start != "06:00"
        saved = await client.post(
            f"/mentor/availability/overrides/{day.isoformat()}",
            data={"mode": "ranges", "start": "06:00", "end": "07:00", "csrf_token": token},
        )
        assert saved.status_code == 200

        special = await client.get("/mentor/availability/overrides", params={"day": day})
        week_after = await client.get(
            "/mentor/availability/overrides", params={"day": day + timedelta(days=7)}
        )
        assert range_inputs(special.text) == ["06:00"]
        assert range_inputs(week_after.text)[0] == weekly_start

        off = await client.post(
            f"/mentor/availability/overrides/{day.isoformat()}",
            data={"mode": "off", "csrf_token": token},
        )
        assert off.status_code == 200
        day_off = await client.get("/mentor/availability/overrides", params={"day": day})
        assert range_inputs(day_off.text) == []


def profile_form(token: str, **changes: str) -> dict[str, str | list[str]]:
    form: dict[str, str | list[str]] = {
        "display_name": "Inès B.",
        "university": "Université de Lyon",
        "year_of_study": "3",
        "bio": "",
        "photo_url": "",
        "filieres": ["medecine"],
        "languages": ["fr"],
        "csrf_token": token,
    }
    form.update(changes)
    return form


async def test_the_profile_form_shows_the_catalogs_limits_next_to_their_fields(
    space: Space,
) -> None:
    async with http_client(space) as client:
        token = await signed_in(client, space)
        filiere = space.sql(
            "SELECT f.slug FROM filieres f JOIN mentor_filieres mf ON mf.filiere_id = f.id"
            " WHERE mf.mentor_id = %s LIMIT 1",
            mentor_id(space, INES),
        )[0][0]
        bio_before = space.sql("SELECT bio FROM mentors WHERE email = %s", INES)

        long_bio = await client.post(
            "/mentor/settings/profile",
            data=profile_form(token, bio="x" * 1201, filieres=[filiere]),
        )
        assert long_bio.status_code == 422
        assert 'id="err-bio">1 200 caractères au plus.' in long_bio.text

        ftp_photo = await client.post(
            "/mentor/settings/profile",
            data=profile_form(token, photo_url="ftp://example.org/ines.png", filieres=[filiere]),
        )
        assert ftp_photo.status_code == 422
        assert 'id="err-photo_url">Une adresse d&#39;image qui commence par https://' in (
            ftp_photo.text
        )
        assert space.sql("SELECT bio FROM mentors WHERE email = %s", INES) == bio_before

        plain_http = await client.post(
            "/mentor/settings/profile",
            data=profile_form(token, meeting_url="http://zoom.us/j/1", filieres=[filiere]),
        )
        assert plain_http.status_code == 422
        assert 'id="err-meeting_url">Un lien de visio complet qui commence par https://' in (
            plain_http.text
        )

        fine = await client.post(
            "/mentor/settings/profile",
            data=profile_form(
                token, bio="x" * 1200, meeting_url="https://zoom.us/j/42", filieres=[filiere]
            ),
        )
        assert fine.status_code == 200 and fine.url.params.get("ok") == "saved"
        assert space.sql("SELECT meeting_url FROM mentors WHERE email = %s", INES) == [
            ("https://zoom.us/j/42",)
        ]
        assert 'value="https://zoom.us/j/42"' in fine.text


async def test_an_unknown_timezone_is_refused_next_to_the_field(space: Space) -> None:
    async with http_client(space) as client:
        token = await signed_in(client, space)
        refused = await client.post(
            "/mentor/settings/timezone", data={"timezone": "Mars/Olympus", "csrf_token": token}
        )
        assert refused.status_code == 422
        assert 'id="err-timezone">Choisissez un fuseau horaire de la liste.' in refused.text


async def test_a_special_day_outside_the_supported_years_is_refused_on_the_page(
    space: Space,
) -> None:
    async with http_client(space) as client:
        token = await signed_in(client, space)
        for day in ("9999-12-31", "0001-01-01", "2100-01-01"):
            off = await client.post(
                f"/mentor/availability/overrides/{day}", data={"mode": "off", "csrf_token": token}
            )
            assert off.status_code == 422, day
            assert off.headers["content-type"].startswith("text/html")
            cleared = await client.post(
                f"/mentor/availability/overrides/{day}",
                data={"mode": "clear", "csrf_token": token},
            )
            assert cleared.status_code == 422, day
    assert space.sql(
        "SELECT count(*) FROM date_overrides WHERE day < '2000-01-01' OR day >= '2100-01-01'"
    ) == [(0,)]
