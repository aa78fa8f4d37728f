"""A member of staff invites a mentor and waits for the mail to leave: when the mail server
refuses it, the console says so (the invitation is kept), and « Resend a link » sends it."""

from __future__ import annotations

import csv
import io

from tests.space.conftest import STAFF_DOMAIN, Space
from tests.space.flows import book, csrf_of, http_client, http_google_sign_in, mentor_id

INVITED = "nina.roux@example.org"


async def test_an_invitation_the_mail_server_refuses_is_reported_then_resent(
    space: Space,
) -> None:
    space.smtp.fail_for(INVITED, "451 4.3.0 Mailbox temporarily unavailable")
    async with http_client(space) as client:
        console = await http_google_sign_in(client, space, "staff", f"paul@{STAFF_DOMAIN}")
        invited = await client.post(
            "/staff/invite",
            data={
                "display_name": "Nina R.",
                "email": INVITED,
                "university": "Université de Lille",
                "year_of_study": "2",
                "filieres": "droit",
                "csrf_token": csrf_of(console.text),
            },
        )
        assert invited.status_code == 200
        assert 'class="flash warn" role="alert"' in invited.text
        assert "l’email n’a pas pu partir" in invited.text
        assert space.mail_to(INVITED) == []
        assert mentor_id(space, INVITED)  # the invitation itself is saved

        resent = await client.post(
            f"/staff/mentors/{mentor_id(space, INVITED)}/resend",
            data={"csrf_token": csrf_of(invited.text)},
        )
        assert resent.status_code == 200
        assert "Invitation envoyée." in resent.text and "flash warn" not in resent.text
        [mail] = space.mail_to(INVITED)  # sent before the page answered, not after
        assert mail["X-Thotis-Kind"] == "invitation"


async def test_staff_forms_with_bad_input_answer_422_pages_and_store_nothing(
    space: Space,
) -> None:
    async with http_client(space) as client:
        console = await http_google_sign_in(client, space, "staff", f"paul@{STAFF_DOMAIN}")
        token = csrf_of(console.text)
        invite = await client.post(
            "/staff/invite", data={"email": "sans-nom@example.org", "csrf_token": token}
        )
        assert invite.status_code == 422 and "Indiquez un nom." in invite.text
        assert space.sql("SELECT 1 FROM mentors WHERE email = 'sans-nom@example.org'") == []

        filiere = await client.post(
            "/staff/filieres",
            data={"slug": "Pas un slug !", "name_fr": "X", "name_en": "X", "csrf_token": token},
        )
        assert filiere.status_code == 422 and 'class="alert"' in filiere.text
        rename = await client.post(
            "/staff/filieres/droit", data={"name_fr": "", "name_en": "", "csrf_token": token}
        )
        assert rename.status_code == 422
        assert space.sql("SELECT name_fr FROM filieres WHERE slug = 'droit'") == [("Droit",)]

        block = await client.post(
            "/staff/blocks", data={"email": "", "reason": "", "csrf_token": token}
        )
        assert block.status_code == 422


async def test_the_questions_export_lists_each_question_with_its_status(space: Space) -> None:
    booked = await book(
        space, "manon.rousseau@demo.thotis.fr", "Inès", "=1+1 en licence ?", "psychologie"
    )
    async with http_client(space) as client:
        await http_google_sign_in(client, space, "staff", f"paul@{STAFF_DOMAIN}")
        export = await client.get("/staff/questions.csv", params={"q": "licence"})
    assert export.status_code == 200
    rows = list(csv.reader(io.StringIO(export.content.decode("utf-8-sig"))))
    assert rows[0] == ["filiere", "start", "status", "mentor", "language", "question"]
    [line] = [r for r in rows[1:] if r[-1] == "'=1+1 en licence ?"]  # defused formula
    assert line[2] == booked["booking"]["status"] == "confirmed"
