"""The moderation queue's actions on a visitor's report: cancelling the reported side's calls to
come (with the team's message, behind a required confirmation box) handles the report; a report
from the join page reaches the same queue."""

from __future__ import annotations

import re

from tests.space.conftest import STAFF_DOMAIN, Space
from tests.space.flows import book, csrf_of, http_client, mentor_id
from tests.space.test_staff_console import http_link_sign_in

LUCAS = "lucas.petit@demo.thotis.fr"
# Its own member of staff: the sign-in link tests count the links of STAFF_EMAIL.
STAFF_EMAIL = f"moderation@{STAFF_DOMAIN}"


async def test_a_join_page_report_then_cancelling_the_mentors_calls_to_come(
    console: Space,
) -> None:
    first = await book(console, LUCAS, "Zoé", "Et après ?", "medecine")
    second = await book(console, LUCAS, "Yanis", "Les stages ?", "medecine")
    join = first["join_url"].replace(console.url, "")
    async with http_client(console) as client:
        page = await client.get(join)
        assert 'action="/join/' in page.text and "Signaler un problème" in page.text
        sent = await client.post(f"{join}/report", data={"reason": "Propos déplacés"})
        assert sent.status_code == 201 and "Merci" in sent.text
        empty = await client.post(f"{join}/report", data={"reason": "  "})
        assert empty.status_code == 422
        await http_link_sign_in(client, console, STAFF_EMAIL)
        queue = await client.get("/staff/moderation")
        assert "Propos déplacés" in queue.text and "Signalé par le visiteur" in queue.text
        report = re.search(r'action="/staff/reports/(\d+)/cancel-future"', queue.text)
        assert report is not None
        action = f"/staff/reports/{report.group(1)}/cancel-future"
        unconfirmed = await client.post(
            action, data={"message": "Désolés", "csrf_token": csrf_of(queue.text)}
        )
        assert unconfirmed.status_code == 422
        assert console.sql(
            "SELECT count(*) FROM bookings WHERE mentor_id = %s AND status = 'cancelled'",
            mentor_id(console, LUCAS),
        ) == [(0,)]
        done = await client.post(
            action,
            data={"message": "Désolés", "confirm": "yes", "csrf_token": csrf_of(queue.text)},
        )
        assert done.status_code == 200 and "Signalement traité" in done.text
    cancelled = console.sql(
        "SELECT id::text, cancel_reason FROM bookings WHERE mentor_id = %s "
        "AND status = 'cancelled' ORDER BY start_at",
        mentor_id(console, LUCAS),
    )
    assert {row[0] for row in cancelled} >= {first["booking"]["id"], second["booking"]["id"]}
    assert {row[1] for row in cancelled} == {"Désolés"}
    assert console.sql(
        "SELECT resolution FROM booking_reports WHERE id = %s", int(report.group(1))
    ) == [("handled",)]
