"""The console's tables page and sort, and their CSV files open in a spreadsheet as they are:
UTF-8 with a BOM, ``,`` between cells, no cell a spreadsheet would run as a formula."""

from __future__ import annotations

import csv
import io

from tests.space.conftest import STAFF_DOMAIN, Space
from tests.space.flows import book, http_client
from tests.space.test_staff_console import http_link_sign_in

THOMAS = "thomas.girard@demo.thotis.fr"
# Its own member of staff: the sign-in link tests count the links of STAFF_EMAIL.
STAFF_EMAIL = f"tableaux@{STAFF_DOMAIN}"


def rows_of(body: bytes) -> list[list[str]]:
    assert body.startswith("\ufeff".encode())
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))


async def test_mentors_sort_both_ways_and_page(console: Space) -> None:
    async with http_client(console) as client:
        await http_link_sign_in(client, console, STAFF_EMAIL)
        up = (await client.get("/staff", params={"sort": "name", "dir": "asc"})).text
        down = (await client.get("/staff", params={"sort": "name", "dir": "desc"})).text
        assert 'aria-sort="ascending"' in up and 'aria-sort="descending"' in down
        names = [n for n in ("Camille Laurent", "Thomas Girard") if n in up]
        assert up.index(names[0]) < up.index(names[-1])
        assert down.index(names[0]) > down.index(names[-1])
        odd = await client.get("/staff", params={"sort": "password", "page": "999999999"})
        assert odd.status_code == 200  # an unknown column or page falls back


async def test_bookings_and_audit_page_and_export_csv(console: Space) -> None:
    await book(console, THOMAS, "=HYPERLINK(1)", "-1 ?", "informatique")
    async with http_client(console) as client:
        await http_link_sign_in(client, console, STAFF_EMAIL)
        ledger = await client.get("/staff/bookings")
        assert ledger.status_code == 200 and "Thomas Girard" in ledger.text
        audit = await client.get("/staff/audit", params={"dir": "asc"})
        assert audit.status_code == 200 and 'id="audit"' in audit.text
        for path in (
            "/staff/bookings/export.csv",
            "/staff/audit.csv",
            "/staff/mentors.csv",
            "/staff/moderation.csv",
        ):
            answer = await client.get(path)
            assert answer.status_code == 200, path
            assert answer.headers["content-type"].startswith("text/csv"), path
            rows = rows_of(answer.content)
            assert rows[0], path
            for row in rows[1:]:
                assert not any(cell.startswith(("=", "+", "-", "@")) for cell in row), row
        booked = rows_of((await client.get("/staff/bookings/export.csv")).content)
        assert any("'=HYPERLINK(1)" in row for row in booked)
