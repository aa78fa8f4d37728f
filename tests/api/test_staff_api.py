"""The Thotis team's routes (/v1/staff) through HTTP: filières, mentors, tokens, the booking
ledger and its CSV export, statistics, questions — and who may not call them."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID, uuid4

import pytest
import pytest_asyncio
from litestar.testing import AsyncTestClient

from scheduler import booking as booking_service
from scheduler.identity import credentials as credentials
from scheduler.platform import Actor, Database
from testkit.factories import Clock
from tests.api.conftest import World

Client = AsyncTestClient  # type: ignore[type-arg]
STAFF = Actor.staff("tests")
MONDAY_18H = datetime(2026, 11, 30, 17, 0, tzinfo=UTC)
TUESDAY_18H = datetime(2026, 12, 1, 17, 0, tzinfo=UTC)


@pytest_asyncio.fixture(loop_scope="session")
async def key(db: Database) -> dict[str, str]:
    async with db.session() as session:
        _, raw = await credentials.create_staff_api_key(session, "thotis.fr", STAFF)
    return {"X-API-Key": raw}


def problem_code(response: Any, status: int) -> str:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    code: str = response.json()["code"]
    return code


async def book(
    db: Database,
    mentor_id: UUID,
    start: datetime,
    now: datetime,
    n: int = 1,
    *,
    first_name: str | None = None,
    question: str | None = "Combien d'heures de cours par semaine ?",
    filiere: str | None = "droit",
) -> UUID:
    async with db.session() as session:
        result = await booking_service.book(
            session,
            mentor_id=mentor_id,
            slot_start=start,
            visitor=booking_service.Visitor(
                first_name=first_name or f"Camille{n}",
                email=f"camille{n}@lycee.example.fr",
                question=question,
            ),
            now=now,
            filiere=filiere,
        )
    return result.booking.id


def new_mentor(**changes: Any) -> dict[str, Any]:
    return {
        "display_name": "Inès",
        "email": "ines@univ.example.fr",
        "university": "Sorbonne Université",
        "year_of_study": 4,
        "filieres": ["droit"],
        "bio": "Master 1 droit des affaires.",
        "languages": ["fr", "en"],
    } | changes


# --- authentication --------------------------------------------------------------------------

STAFF_ROUTES = [
    ("POST", "/v1/staff/filieres"),
    ("PATCH", "/v1/staff/filieres/droit"),
    ("GET", "/v1/staff/mentors"),
    ("GET", f"/v1/staff/mentors/{uuid4()}"),
    ("POST", "/v1/staff/mentors"),
    ("PATCH", f"/v1/staff/mentors/{uuid4()}"),
    ("POST", f"/v1/staff/mentors/{uuid4()}/deactivate"),
    ("POST", f"/v1/staff/mentors/{uuid4()}/activate"),
    ("POST", f"/v1/staff/mentors/{uuid4()}/tokens"),
    ("GET", "/v1/staff/bookings"),
    ("GET", "/v1/staff/bookings.csv"),
    ("POST", f"/v1/staff/bookings/{uuid4()}/cancel"),
    ("GET", "/v1/staff/stats"),
    ("GET", "/v1/staff/questions"),
]


async def test_staff_routes_refuse_no_key_a_wrong_key_a_revoked_key_and_a_mentor_token(
    client: Client, db: Database, world: World, key: dict[str, str], clock: Clock
) -> None:
    async with db.session() as session:
        mentor_token = await credentials.create_mentor_token(session, world.mentor_id, STAFF)
        revoked, revoked_raw = await credentials.create_staff_api_key(session, "old", STAFF)
        await credentials.revoke_staff_api_key(session, revoked.id, clock.now, STAFF)
    refused = [
        {},
        {"X-API-Key": "not-a-key"},
        {"X-API-Key": revoked_raw},
        {"Authorization": f"Bearer {revoked_raw}"},
        {"X-API-Key": mentor_token},
        {"Authorization": f"Bearer {mentor_token}"},
    ]
    for headers in refused:
        for method, path in STAFF_ROUTES:
            response = await client.request(method, path, headers=headers, json={})
            assert problem_code(response, 401) == "unauthorized", (headers, method, path)
    # The same routes open with the key, in either header.
    assert (await client.get("/v1/staff/mentors", headers=key)).status_code == 200
    as_bearer = {"Authorization": f"Bearer {key['X-API-Key']}"}
    assert (await client.get("/v1/staff/mentors", headers=as_bearer)).status_code == 200


async def test_public_routes_show_no_staff_data(
    client: Client, db: Database, world: World, key: dict[str, str], clock: Clock
) -> None:
    await book(db, world.mentor_id, MONDAY_18H, clock.now)
    await client.post(f"/v1/staff/mentors/{world.other_mentor_id}/deactivate", headers=key)

    profile = (await client.get(f"/v1/mentors/{world.mentor_id}")).json()
    page = (await client.get("/v1/filieres/droit/mentors")).json()
    for body in (profile, page):
        text = str(body)
        assert "@example.org" not in text and "camille" not in text.lower()
    assert [m["id"] for m in page["mentors"]] == [str(world.mentor_id)]
    gone = await client.get(f"/v1/mentors/{world.other_mentor_id}")
    assert problem_code(gone, 404) == "not_found"


# --- filières --------------------------------------------------------------------------------


async def test_create_and_rename_a_filiere(
    client: Client, world: World, key: dict[str, str]
) -> None:
    created = await client.post(
        "/v1/staff/filieres",
        headers=key,
        json={"slug": "medecine", "name_fr": "Médecine\u0000", "name_en": "  Medicine "},
    )
    assert created.status_code == 201, created.text
    assert created.json() == {"slug": "medecine", "name_fr": "Médecine", "name_en": "Medicine"}

    renamed = await client.patch(
        "/v1/staff/filieres/medecine", headers=key, json={"name_fr": "Médecine (PASS/LAS)"}
    )
    assert renamed.json() == {
        "slug": "medecine",
        "name_fr": "Médecine (PASS/LAS)",
        "name_en": "Medicine",
    }
    public = (await client.get("/v1/filieres")).json()
    assert {"slug": "medecine", "name_fr": "Médecine (PASS/LAS)", "name_en": "Medicine"} in public


INVALID_FILIERES: list[dict[str, str]] = [
    {"slug": "droit", "name_fr": "Droit", "name_en": "Law"},  # already exists
    {"slug": "Droit Public", "name_fr": "Droit", "name_en": "Law"},
    {"slug": "sciences", "name_fr": "", "name_en": "Science"},
    {"slug": "sciences", "name_fr": "\u0000\u0001", "name_en": "Science"},
    {"slug": "sciences", "name_fr": "x" * 121, "name_en": "Science"},
    {"slug": "sciences", "name_fr": "Sciences"},
]


async def test_an_invalid_filiere_is_refused_and_nothing_is_created(
    client: Client, world: World, key: dict[str, str]
) -> None:
    for body in INVALID_FILIERES:
        response = await client.post("/v1/staff/filieres", headers=key, json=body)
        assert problem_code(response, 422) == "validation_failed", body
    assert [f["slug"] for f in (await client.get("/v1/filieres")).json()] == ["droit"]


async def test_renaming_an_unknown_filiere_is_not_found(
    client: Client, world: World, key: dict[str, str]
) -> None:
    response = await client.patch("/v1/staff/filieres/chimie", headers=key, json={"name_fr": "X"})
    assert problem_code(response, 404) == "not_found"
    blank = await client.patch("/v1/staff/filieres/droit", headers=key, json={"name_fr": " "})
    assert problem_code(blank, 422) == "validation_failed"
    assert (await client.get("/v1/filieres")).json()[0]["name_fr"] == "Droit"


# --- mentors ---------------------------------------------------------------------------------


async def test_create_list_update_and_deactivate_a_mentor(
    client: Client, world: World, key: dict[str, str]
) -> None:
    created = await client.post("/v1/staff/mentors", headers=key, json=new_mentor())
    assert created.status_code == 201, created.text
    ines = created.json()
    assert ines["email"] == "ines@univ.example.fr" and ines["active"] is True
    assert ines["filieres"] == ["droit"] and ines["timezone"] == "Europe/Paris"
    assert (await client.get(f"/v1/staff/mentors/{ines['id']}", headers=key)).json() == ines

    changed = await client.patch(
        f"/v1/staff/mentors/{ines['id']}",
        headers=key,
        json={"paused": True, "bio": "Master 2\u0007", "photo_url": "https://cdn.thotis.fr/i.jpg"},
    )
    assert changed.status_code == 200, changed.text
    body = changed.json()
    assert (body["paused"], body["bio"], body["photo_url"]) == (
        True,
        "Master 2",
        "https://cdn.thotis.fr/i.jpg",
    )
    assert body["display_name"] == "Inès"

    off = await client.post(f"/v1/staff/mentors/{ines['id']}/deactivate", headers=key)
    assert off.status_code == 200 and off.json()["active"] is False
    everyone = (await client.get("/v1/staff/mentors", headers=key)).json()
    assert [m["display_name"] for m in everyone] == ["Hugo", "Inès", "Léa"]
    active = await client.get("/v1/staff/mentors", headers=key, params={"include_inactive": False})
    assert [m["display_name"] for m in active.json()] == ["Hugo", "Léa"]
    assert problem_code(await client.get(f"/v1/mentors/{ines['id']}"), 404) == "not_found"

    on = await client.post(f"/v1/staff/mentors/{ines['id']}/activate", headers=key)
    assert on.json()["active"] is True


INVALID_MENTORS: list[tuple[dict[str, Any], str]] = [
    ({"filieres": ["astrophysique"]}, "validation_failed"),
    ({"filieres": []}, "validation_failed"),
    ({"email": "lea@example.org"}, "validation_failed"),
    ({"email": "pas-une-adresse"}, "validation_failed"),
    ({"timezone": "Europe/Lutece"}, "invalid_timezone"),
    ({"year_of_study": 13}, "validation_failed"),
    ({"photo_url": "javascript:alert(1)"}, "validation_failed"),
    ({"photo_url": "https://cdn.thotis.fr/a b.jpg"}, "validation_failed"),
    ({"languages": ["français"]}, "validation_failed"),
    ({"display_name": "\u0000"}, "validation_failed"),
    ({"role": "admin"}, "validation_failed"),
]


async def test_an_invalid_mentor_is_refused_and_nothing_is_created(
    client: Client, world: World, key: dict[str, str]
) -> None:
    for changes, code in INVALID_MENTORS:
        response = await client.post("/v1/staff/mentors", headers=key, json=new_mentor(**changes))
        assert problem_code(response, 422) == code, changes
    assert len((await client.get("/v1/staff/mentors", headers=key)).json()) == 2


async def test_an_invalid_update_changes_nothing(
    client: Client, world: World, key: dict[str, str]
) -> None:
    path = f"/v1/staff/mentors/{world.mentor_id}"
    before = (await client.get(path, headers=key)).json()
    # A valid field next to an invalid one: neither is written.
    bad = await client.patch(
        path, headers=key, json={"bio": "Nouveau", "email": "hugo@example.org"}
    )
    assert problem_code(bad, 422) == "validation_failed"
    assert (await client.get(path, headers=key)).json() == before
    unknown = await client.patch(f"/v1/staff/mentors/{uuid4()}", headers=key, json={"bio": "x"})
    assert problem_code(unknown, 404) == "not_found"
    for action in ("deactivate", "activate", "tokens"):
        missing = await client.post(f"/v1/staff/mentors/{uuid4()}/{action}", headers=key)
        assert problem_code(missing, 404) == "not_found"
    assert problem_code(await client.get(f"/v1/staff/mentors/{uuid4()}", headers=key), 404) == (
        "not_found"
    )


async def test_a_mentor_token_is_issued_once_and_opens_the_mentors_routes_only(
    client: Client, world: World, key: dict[str, str]
) -> None:
    issued = await client.post(f"/v1/staff/mentors/{world.mentor_id}/tokens", headers=key)
    assert issued.status_code == 201, issued.text
    token = issued.json()["token"]
    assert issued.json()["expires_at"]  # it expires, as one made in the console does
    mine = await client.get("/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert mine.json()["id"] == str(world.mentor_id)
    staff = await client.get("/v1/staff/mentors", headers={"Authorization": f"Bearer {token}"})
    assert problem_code(staff, 401) == "unauthorized"

    await client.post(f"/v1/staff/mentors/{world.mentor_id}/deactivate", headers=key)
    refused = await client.post(f"/v1/staff/mentors/{world.mentor_id}/tokens", headers=key)
    assert problem_code(refused, 409) == "mentor_unavailable"


# --- the ledger ------------------------------------------------------------------------------


async def test_list_bookings_with_filters_and_pages(
    client: Client, db: Database, world: World, key: dict[str, str], clock: Clock
) -> None:
    lea_monday = await book(db, world.mentor_id, MONDAY_18H, clock.now, 1)
    lea_tuesday = await book(db, world.mentor_id, TUESDAY_18H, clock.now, 2)
    hugo_monday = await book(db, world.other_mentor_id, MONDAY_18H, clock.now, 3, filiere=None)
    await client.post(f"/v1/staff/bookings/{lea_tuesday}/cancel", headers=key, json={})

    async def ids(**params: Any) -> list[str]:
        response = await client.get("/v1/staff/bookings", headers=key, params=params)
        assert response.status_code == 200, response.text
        return [b["id"] for b in response.json()]

    assert sorted(await ids()) == sorted(map(str, (lea_monday, lea_tuesday, hugo_monday)))
    assert await ids(mentor=str(world.mentor_id)) == [str(lea_monday), str(lea_tuesday)]
    assert await ids(status="cancelled") == [str(lea_tuesday)]
    # Hugo's booking named no page, and Hugo is only in Droit: it is kept in Droit.
    assert sorted(await ids(filiere="droit")) == sorted(
        map(str, (lea_monday, lea_tuesday, hugo_monday))
    )
    assert await ids(filiere="medecine") == []
    tuesday = await ids(**{"from": "2026-12-01T00:00:00+01:00", "to": "2026-12-02T00:00:00+01:00"})
    assert tuesday == [str(lea_tuesday)]
    assert len(await ids(limit=2)) == 2 and len(await ids(limit=2, offset=2)) == 1

    one = (
        await client.get("/v1/staff/bookings", headers=key, params={"status": "cancelled"})
    ).json()
    assert one[0]["visitor_email"] == "camille2@lycee.example.fr"
    assert (one[0]["cancelled_by"], one[0]["mentor_name"], one[0]["filiere"]) == (
        "staff",
        "Léa",
        "droit",
    )

    for params, code in (
        ({"from": "2026-12-02T00:00:00Z", "to": "2026-12-01T00:00:00Z"}, "validation_failed"),
        ({"from": "2026-12-01T00:00:00"}, "naive_datetime"),
        ({"status": "lost"}, "validation_failed"),
        ({"limit": 0}, "validation_failed"),
        ({"limit": 501}, "validation_failed"),
        ({"mentor": "léa"}, "validation_failed"),
    ):
        response = await client.get("/v1/staff/bookings", headers=key, params=params)
        assert problem_code(response, 422) == code, params


async def test_the_csv_export_is_defused_against_formulas(
    client: Client, db: Database, world: World, key: dict[str, str], clock: Clock
) -> None:
    await book(db, world.mentor_id, MONDAY_18H, clock.now, 1, first_name='=HYPERLINK("x")')
    await book(
        db, world.other_mentor_id, MONDAY_18H, clock.now, 2, question="+33 6 00 00 00 00, @moi"
    )
    await book(db, world.mentor_id, TUESDAY_18H, clock.now, 3, question="-1 point ?\nEt après")

    response = await client.get("/v1/staff/bookings.csv", headers=key)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/csv")
    assert "attachment" in response.headers["content-disposition"]
    assert response.content.startswith("\ufeff".encode())
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert len(rows) == 3
    names = {row["visitor_first_name"] for row in rows}
    assert '\'=HYPERLINK("x")' in names
    questions = {row["visitor_question"] for row in rows}
    assert "'+33 6 00 00 00 00, @moi" in questions
    assert "'-1 point ?\nEt après" in questions
    assert all(row["start"].endswith("+00:00") for row in rows)
    assert {row["mentor_name"] for row in rows} == {"Léa", "Hugo"}

    filtered = await client.get(
        "/v1/staff/bookings.csv", headers=key, params={"mentor": str(world.other_mentor_id)}
    )
    assert len(list(csv.DictReader(io.StringIO(filtered.content.decode("utf-8-sig"))))) == 1
    bad = await client.get("/v1/staff/bookings.csv", headers=key, params={"status": "x"})
    assert problem_code(bad, 422) == "validation_failed"


async def test_staff_cancel_a_booking(
    client: Client, db: Database, world: World, key: dict[str, str], clock: Clock
) -> None:
    booking_id = await book(db, world.mentor_id, MONDAY_18H, clock.now)
    path = f"/v1/staff/bookings/{booking_id}/cancel"
    done = await client.post(path, headers=key, json={"reason": "Mentor malade"})
    assert done.status_code == 200, done.text
    assert (done.json()["status"], done.json()["cancel_reason"]) == ("cancelled", "Mentor malade")
    assert problem_code(await client.post(path, headers=key, json={}), 409) == "booking_not_live"
    unknown = await client.post(f"/v1/staff/bookings/{uuid4()}/cancel", headers=key, json={})
    assert problem_code(unknown, 404) == "not_found"


# --- statistics and questions ----------------------------------------------------------------


async def test_statistics_per_filiere_and_mentor(
    client: Client, db: Database, world: World, key: dict[str, str], clock: Clock
) -> None:
    await client.post(
        "/v1/staff/filieres",
        headers=key,
        json={"slug": "medecine", "name_fr": "Médecine", "name_en": "Medicine"},
    )
    await book(db, world.mentor_id, MONDAY_18H, clock.now, 1)
    missed = await book(db, world.mentor_id, MONDAY_18H + timedelta(minutes=30), clock.now, 2)
    cancelled = await book(db, world.other_mentor_id, TUESDAY_18H, clock.now, 3, filiere=None)
    async with db.session() as session:
        await booking_service.cancel_by_staff(session, cancelled, clock.now)
    async with db.session() as session:
        noe = await booking_service.book(
            session,
            mentor_id=world.other_mentor_id,
            slot_start=MONDAY_18H,
            visitor=booking_service.Visitor("Noé", "noe@lycee.example.fr"),
            now=clock.now,
            filiere="droit",
        )
    # A reschedule leaves two rows; statistics count the series once.
    async with db.session() as session:
        await booking_service.reschedule_by_token(
            session, noe.booking.id, noe.manage_token, MONDAY_18H + timedelta(minutes=30), clock.now
        )
    clock.now = MONDAY_18H + timedelta(hours=1)
    async with db.session() as session:
        await booking_service.mark_no_show(session, missed, clock.now, STAFF)

    stats = (await client.get("/v1/staff/stats", headers=key)).json()
    assert stats["total"] == {
        "bookings": 4,
        "confirmed": 2,
        "cancelled": 1,
        "no_show": 1,
        "held": 3,
        "cancellation_rate": 0.25,
        "no_show_rate": pytest.approx(1 / 3),
    }
    per_filiere = {f["filiere"]: f["counts"]["bookings"] for f in stats["per_filiere"]}
    # The booking made without a page is kept in Hugo's only filière (Droit): none is left
    # "Sans filière" while a mentor belongs to one.
    assert per_filiere == {"droit": 4, "medecine": 0}
    per_mentor = {m["display_name"]: m["counts"] for m in stats["per_mentor"]}
    assert per_mentor["Léa"]["no_show"] == 1 and per_mentor["Léa"]["no_show_rate"] == 0.5
    assert per_mentor["Hugo"]["cancellation_rate"] == 0.5

    monday = await client.get(
        "/v1/staff/stats",
        headers=key,
        params={"from": "2026-11-30T00:00:00+01:00", "to": "2026-12-01T00:00:00+01:00"},
    )
    assert monday.json()["total"]["bookings"] == 3
    empty = await client.get("/v1/staff/stats", headers=key, params={"to": "2020-01-01T00:00:00Z"})
    assert empty.json()["total"]["cancellation_rate"] is None
    bad = await client.get("/v1/staff/stats", headers=key, params={"from": "hier"})
    assert problem_code(bad, 422) == "validation_failed"


async def test_questions_are_searchable_and_carry_no_identity(
    client: Client, db: Database, world: World, key: dict[str, str], clock: Clock
) -> None:
    await book(db, world.mentor_id, MONDAY_18H, clock.now, 1, question="Quelle charge de TRAVAIL ?")
    await book(db, world.other_mentor_id, MONDAY_18H, clock.now, 2, question="100% de réussite ?")
    await book(db, world.mentor_id, TUESDAY_18H, clock.now, 3, question=None, filiere=None)

    everything = (await client.get("/v1/staff/questions", headers=key)).json()
    assert {q["question"] for q in everything} == {
        "Quelle charge de TRAVAIL ?",
        "100% de réussite ?",
    }
    assert all("email" not in str(q) and "Camille" not in str(q) for q in everything)

    async def found(**params: Any) -> list[str]:
        response = await client.get("/v1/staff/questions", headers=key, params=params)
        assert response.status_code == 200, response.text
        return [q["question"] for q in response.json()]

    assert await found(q="travail") == ["Quelle charge de TRAVAIL ?"]
    # % and _ are searched for literally.
    assert await found(q="%") == ["100% de réussite ?"]
    assert await found(q="_") == []
    assert await found(filiere="droit", q="réussite") == ["100% de réussite ?"]
    assert await found(filiere="medecine") == []
    too_long = await client.get("/v1/staff/questions", headers=key, params={"q": "x" * 101})
    assert problem_code(too_long, 422) == "validation_failed"
