"""The console's statistics page over plain HTTP: its utilisation lists every active, visible
mentor with the calls booked in the next 28 days, beside the counts of the last 12 weeks."""

from __future__ import annotations

import json
import re

from tests.space.conftest import STAFF_DOMAIN, Space
from tests.space.flows import book, http_client, http_google_sign_in, new_mentor


async def test_the_stats_page_counts_each_visible_mentors_booked_calls(space: Space) -> None:
    new_mentor(space, "aline.stats@example.org", "Aline S.")
    await book(space, "aline.stats@example.org", "Léo", "Comment se passe la licence ?")
    async with http_client(space) as client:
        await http_google_sign_in(client, space, "staff", f"paul@{STAFF_DOMAIN}")
        answer = await client.get("/staff/stats")
    assert answer.status_code == 200
    found = re.search(
        r'<script type="application/json" id="chart-data">(.*?)</script>', answer.text
    )
    assert found is not None
    chart = json.loads(found.group(1))
    expected = space.sql(
        "SELECT m.display_name, count(b.id) FROM mentors m"
        " LEFT JOIN bookings b ON b.mentor_id = m.id AND b.status = 'confirmed'"
        "  AND b.start_at >= now() AND b.start_at < now() + interval '28 days'"
        " WHERE m.active AND NOT m.paused GROUP BY m.id ORDER BY m.display_name, m.id"
    )
    assert list(
        zip(chart["utilisation"]["labels"], chart["utilisation"]["booked"], strict=True)
    ) == [(name, count) for name, count in expected]
    assert ("Aline S.", 1) in expected
    assert chart["weekly"]["datasets"] and "Droit" in chart["rates"]["labels"]
