"""A member of staff invites a mentor and waits for the mail to leave: when the mail server
refuses it, the console says so (the invitation is kept), and « Resend a link » sends it."""

from __future__ import annotations

from tests.space.conftest import STAFF_DOMAIN, Space
from tests.space.flows import csrf_of, http_client, http_google_sign_in, mentor_id

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
