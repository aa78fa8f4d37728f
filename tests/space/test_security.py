"""Who may open what, over plain HTTP against the running app: CSRF, another mentor's booking,
staff pages, sign-in refusals, sign-out everywhere, cookies' attributes."""

from __future__ import annotations

import asyncio

from tests.space.conftest import STAFF_DOMAIN, Space
from tests.space.flows import (
    book,
    csrf_of,
    http_client,
    http_google_sign_in,
    mark_onboarded,
    mentor_id,
)

SARAH = "sarah.nguyen@demo.thotis.fr"
THOMAS = "thomas.girard@demo.thotis.fr"


def paused(space: Space, email: str) -> bool:
    return bool(space.sql("SELECT paused FROM mentors WHERE email = %s", email)[0][0])


async def test_a_form_without_its_csrf_token_is_refused(space: Space) -> None:
    mark_onboarded(space, SARAH)
    async with http_client(space) as client:
        landed = await http_google_sign_in(client, space, "mentor", SARAH)
        assert landed.url.path == "/mentor"
        page = await client.get("/mentor/availability")
        token = csrf_of(page.text)

        missing = await client.post("/mentor/availability/pause", data={"paused": "1"})
        assert missing.status_code == 403
        assert "formulaire a expiré" in missing.text
        wrong = await client.post(
            "/mentor/availability/pause", data={"paused": "1", "csrf_token": token[:-2] + "xx"}
        )
        assert wrong.status_code == 403
        assert paused(space, SARAH) is False

        done = await client.post(
            "/mentor/availability/pause", data={"paused": "1", "csrf_token": token}
        )
        assert done.status_code == 200 and paused(space, SARAH) is True
        again = await client.post(
            "/mentor/availability/pause", data={"paused": "0"}, headers={"X-CSRF-Token": token}
        )
        assert again.status_code == 200 and paused(space, SARAH) is False


async def test_a_mentor_cannot_open_another_mentors_booking_nor_staff_pages(space: Space) -> None:
    mark_onboarded(space, SARAH)
    others = await book(space, THOMAS, "Noé", "Quelle prépa avant l'informatique ?", "informatique")
    async with http_client(space) as client:
        await http_google_sign_in(client, space, "mentor", SARAH)
        token = csrf_of((await client.get("/mentor")).text)
        booking = others["booking"]["id"]
        seen = await client.get(f"/mentor/bookings/{booking}")
        assert seen.status_code == 404 and "Noé" not in seen.text
        cancelled = await client.post(
            f"/mentor/bookings/{booking}/cancel", data={"csrf_token": token, "reason": "non"}
        )
        assert cancelled.status_code == 404
        assert space.sql("SELECT status FROM bookings WHERE id = %s", booking) == [("confirmed",)]
        home = await client.get("/mentor")
        assert "Noé" not in home.text

        staff = await client.get("/staff/stats")
        assert staff.url.path == "/staff/sign-in"
        assert "thotis_staff" not in client.cookies


async def test_sign_in_is_refused_to_strangers(space: Space) -> None:
    async with http_client(space) as client:
        stranger = await http_google_sign_in(client, space, "mentor", "inconnu@example.org")
        assert stranger.url.path == "/mentor/sign-in"
        assert "un mentor invité par" in stranger.text
        not_staff = await http_google_sign_in(client, space, "staff", SARAH)
        assert not_staff.url.path == "/staff/sign-in"
        assert "ne fait pas partie de" in not_staff.text
        by_domain = await http_google_sign_in(client, space, "staff", f"lea@{STAFF_DOMAIN}")
        assert by_domain.url.path == "/staff"
        # A link for an unknown address: the same answer, and no mail.
        form = await client.get("/mentor/sign-in")
        sent = await client.post(
            "/mentor/sign-in/link",
            data={"email": "inconnu@example.org", "csrf_token": csrf_of(form.text)},
        )
        assert sent.status_code == 200 and "Regardez vos emails" in sent.text
        assert space.mail_to("inconnu@example.org") == []


async def test_a_forged_google_callback_signs_nobody_in(space: Space) -> None:
    async with http_client(space) as client:
        forged = await client.get("/auth/google/callback?state=abc&code=4/whatever")
        assert forged.status_code == 400
        assert "thotis_mentor" not in client.cookies


async def test_sign_out_everywhere_ends_every_session(space: Space) -> None:
    mark_onboarded(space, SARAH)
    async with http_client(space) as phone, http_client(space) as laptop:
        await http_google_sign_in(phone, space, "mentor", SARAH)
        await http_google_sign_in(laptop, space, "mentor", SARAH)
        assert (await laptop.get("/mentor/settings")).url.path == "/mentor/settings"
        token = csrf_of((await phone.get("/mentor/settings")).text)
        out = await phone.post("/mentor/sign-out-everywhere", data={"csrf_token": token})
        assert out.url.path == "/mentor/sign-in"
        assert (await laptop.get("/mentor/settings")).url.path == "/mentor/sign-in"
        assert space.sql(
            "SELECT count(*) FROM web_sessions WHERE mentor_id = %s", mentor_id(space, SARAH)
        ) == [(0,)]


async def test_session_cookies_are_http_only_and_same_site(space: Space) -> None:
    mark_onboarded(space, SARAH)
    async with http_client(space) as client:
        space.google.signed_in = SARAH
        first = await client.get("/mentor/sign-in/google", follow_redirects=False)
        google = await client.get(first.headers["location"], follow_redirects=False)
        back = await client.get(google.headers["location"], follow_redirects=False)
        cookie = next(
            v
            for k, v in back.headers.multi_items()
            if k == "set-cookie" and v.startswith("thotis_mentor=")
        )
        assert "HttpOnly" in cookie and "SameSite=lax" in cookie.replace("Lax", "lax")
        assert "Path=/mentor" in cookie
        # The raw id is never stored: only its SHA-256.
        raw = cookie.split(";")[0].split("=", 1)[1]
        assert space.sql(
            "SELECT count(*) FROM web_sessions WHERE id_hash = convert_to(%s, 'UTF8')", raw
        ) == [(0,)]
        assert space.sql(
            "SELECT count(*) FROM web_sessions WHERE id_hash = sha256(convert_to(%s, 'UTF8'))", raw
        ) == [(1,)]


async def test_the_sign_in_form_sends_one_address_at_most_three_links_a_quarter_hour(
    space: Space,
) -> None:
    address = "chloe.fontaine@demo.thotis.fr"
    async with http_client(space) as client:
        for _ in range(5):
            form = await client.get("/mentor/sign-in")
            sent = await client.post(
                "/mentor/sign-in/link", data={"email": address, "csrf_token": csrf_of(form.text)}
            )
            # Always the same answer: the form never tells who is a mentor, nor who is throttled.
            assert sent.status_code == 200 and "Regardez vos emails" in sent.text
    for _ in range(100):  # the links leave after each answer: wait for the three
        if len(space.mail_to(address)) >= 3:
            break
        await asyncio.sleep(0.1)
    await asyncio.sleep(1.0)  # time for a fourth or fifth mail, were one on its way
    assert len(space.mail_to(address)) == 3
    stored = space.sql(
        "SELECT count(*) FROM sign_in_links l JOIN mentors m ON m.id = l.mentor_id"
        " WHERE m.email = %s",
        address,
    )
    assert stored == [(3,)]


async def test_a_profile_form_without_any_filiere_is_a_422_page(space: Space) -> None:
    mark_onboarded(space, SARAH)
    async with http_client(space) as client:
        await http_google_sign_in(client, space, "mentor", SARAH)
        token = csrf_of((await client.get("/mentor/settings")).text)
        answer = await client.post(
            "/mentor/settings/profile",
            data={"display_name": "Sarah N.", "university": "UGA", "csrf_token": token},
        )
        assert answer.status_code == 422
        assert space.sql("SELECT display_name FROM mentors WHERE email = %s", SARAH) == [
            ("Sarah Nguyen",)
        ]


async def test_a_nul_character_in_the_sign_in_form_is_a_422_page(space: Space) -> None:
    async with http_client(space) as client:
        form = await client.get("/mentor/sign-in")
        answer = await client.post(
            "/mentor/sign-in/link",
            data={"email": "lea\x00@example.org", "csrf_token": csrf_of(form.text)},
        )
        assert answer.status_code == 422
        assert answer.headers["content-type"].startswith("text/html")


async def test_the_overrides_month_at_the_ends_of_the_calendar_falls_back_to_today(
    space: Space,
) -> None:
    mark_onboarded(space, SARAH)
    async with http_client(space) as client:
        await http_google_sign_in(client, space, "mentor", SARAH)
        for month in ("9999-12", "0001-01", "2026-13", "abc"):
            page = await client.get("/mentor/availability/overrides", params={"month": month})
            assert page.status_code == 200, month


async def test_racing_sign_in_requests_still_send_at_most_three_links(space: Space) -> None:
    address = "yanis.haddad@demo.thotis.fr"
    async with http_client(space) as client:
        token = csrf_of((await client.get("/mentor/sign-in")).text)
        answers = await asyncio.gather(
            *(
                client.post("/mentor/sign-in/link", data={"email": address, "csrf_token": token})
                for _ in range(8)
            )
        )
    assert [a.status_code for a in answers] == [200] * 8
    # The links are issued by the worker: wait until it has handled every request.
    await space.wait_for_outbox("mail.sign_in_link")
    stored = space.sql(
        "SELECT count(*) FROM sign_in_links l JOIN mentors m ON m.id = l.mentor_id"
        " WHERE m.email = %s",
        address,
    )
    assert stored == [(3,)]
