"""The mentor's own routes (/v1/me) through HTTP: each route's success and documented errors,
and the boundary between two mentors (Léa's token never reaches Hugo's rules or bookings)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID, uuid4

import pytest_asyncio
from litestar.testing import AsyncTestClient

from scheduler import booking as booking_service
from scheduler import catalog
from scheduler.identity import credentials as credentials
from scheduler.platform import Actor, Database, SecretsSettings
from testkit.factories import Clock
from tests.api.conftest import World

Client = AsyncTestClient  # type: ignore[type-arg]
STAFF = Actor.staff("tests")
# The world's clock is Monday 2026-11-30 07:00 UTC; Paris is UTC+1, rules are 18:00–20:00.
MONDAY_18H = datetime(2026, 11, 30, 17, 0, tzinfo=UTC)
TUESDAY_18H = datetime(2026, 12, 1, 17, 0, tzinfo=UTC)


@dataclass(frozen=True)
class Tokens:
    lea: dict[str, str]
    hugo: dict[str, str]


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@pytest_asyncio.fixture(loop_scope="session")
async def tokens(db: Database, world: World) -> Tokens:
    async with db.session() as session:
        lea = await credentials.create_mentor_token(session, world.mentor_id, STAFF)
        hugo = await credentials.create_mentor_token(session, world.other_mentor_id, STAFF)
    return Tokens(bearer(lea), bearer(hugo))


async def book(db: Database, mentor_id: UUID, start: datetime, now: datetime, n: int = 1) -> UUID:
    async with db.session() as session:
        result = await booking_service.book(
            session,
            mentor_id=mentor_id,
            slot_start=start,
            visitor=booking_service.Visitor(
                first_name=f"Camille{n}",
                email=f"camille{n}@lycee.example.fr",
                question="Combien d'heures de cours par semaine ?",
            ),
            now=now,
            filiere="droit",
        )
    return result.booking.id


def problem_code(response: Any, status: int) -> str:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    code: str = response.json()["code"]
    return code


# --- authentication --------------------------------------------------------------------------

MENTOR_ROUTES = [
    ("GET", "/v1/me"),
    ("GET", "/v1/me/rules"),
    ("PUT", "/v1/me/rules"),
    ("GET", "/v1/me/overrides"),
    ("PUT", "/v1/me/overrides/2026-12-24"),
    ("DELETE", "/v1/me/overrides/2026-12-24"),
    ("GET", "/v1/me/policy"),
    ("PUT", "/v1/me/policy"),
    ("GET", "/v1/me/bookings"),
    ("POST", f"/v1/me/bookings/{uuid4()}/cancel"),
    ("POST", f"/v1/me/bookings/{uuid4()}/no-show"),
    ("GET", "/v1/me/slots/preview"),
    ("PUT", "/v1/me/meeting-link"),
]


REFUSED_HEADERS = [
    {},
    {"Authorization": "Bearer not-a-token"},
    {"Authorization": "Basic bGVhOnNlY3JldA=="},
    {"Authorization": "Bearer"},
    {"Authorization": "Bearer " + "x" * 5000},
]


async def test_every_mentor_route_refuses_a_caller_without_a_valid_token(
    client: Client, world: World
) -> None:
    for headers in REFUSED_HEADERS:
        for method, path in MENTOR_ROUTES:
            response = await client.request(method, path, headers=headers, json={})
            assert problem_code(response, 401) == "unauthorized", (headers, method, path)
            assert response.headers["www-authenticate"].startswith("Bearer")


async def test_a_deactivated_mentors_token_stops_working(
    client: Client, db: Database, world: World, tokens: Tokens
) -> None:
    assert (await client.get("/v1/me", headers=tokens.lea)).status_code == 200
    async with db.session() as session:
        await catalog.deactivate_mentor(session, world.mentor_id, STAFF)
    assert problem_code(await client.get("/v1/me", headers=tokens.lea), 401) == "unauthorized"


async def test_a_staff_api_key_does_not_open_mentor_routes(
    client: Client, db: Database, world: World
) -> None:
    async with db.session() as session:
        _, key = await credentials.create_staff_api_key(session, "site", STAFF)
    response = await client.get("/v1/me/rules", headers=bearer(key))
    assert problem_code(response, 401) == "unauthorized"


async def test_the_account_is_the_token_holders(
    client: Client, world: World, tokens: Tokens
) -> None:
    lea = (await client.get("/v1/me", headers=tokens.lea)).json()
    hugo = (await client.get("/v1/me", headers=tokens.hugo)).json()
    assert (lea["id"], lea["email"]) == (str(world.mentor_id), "lea@example.org")
    assert (hugo["id"], hugo["email"]) == (str(world.other_mentor_id), "hugo@example.org")


async def test_a_mentor_sets_and_removes_their_own_meeting_link(
    client: Client, world: World, tokens: Tokens
) -> None:
    assert (await client.get("/v1/me", headers=tokens.lea)).json()["meeting_url"] is None
    link = "https://zoom.us/j/123456?pwd=abc"
    saved = await client.put("/v1/me/meeting-link", json={"meeting_url": link}, headers=tokens.lea)
    assert saved.status_code == 200, saved.text
    assert saved.json()["meeting_url"] == link
    assert (await client.get("/v1/me", headers=tokens.hugo)).json()["meeting_url"] is None
    for refused in ("http://zoom.us/j/1", "javascript:alert(1)", "https://zoom.us/j 1", "zoom"):
        answer = await client.put(
            "/v1/me/meeting-link", json={"meeting_url": refused}, headers=tokens.lea
        )
        assert problem_code(answer, 422) == "validation_failed", refused
    assert (await client.get("/v1/me", headers=tokens.lea)).json()["meeting_url"] == link
    removed = await client.put(
        "/v1/me/meeting-link", json={"meeting_url": None}, headers=tokens.lea
    )
    assert removed.json()["meeting_url"] is None


# --- weekly rules ----------------------------------------------------------------------------


async def test_read_and_replace_weekly_rules(client: Client, world: World, tokens: Tokens) -> None:
    seen = (await client.get("/v1/me/rules", headers=tokens.lea)).json()
    assert seen["timezone"] == "Europe/Paris"
    assert seen["rules"]["0"] == [["18:00", "20:00"]]
    assert seen["rules"]["5"] == seen["rules"]["6"] == []

    new = {"rules": {"2": [["14:00", "16:00"], ["09:00", "10:30"]], "6": [["20:00", "24:00"]]}}
    replaced = await client.put("/v1/me/rules", headers=tokens.lea, json=new)
    assert replaced.status_code == 200, replaced.text
    # Ranges come back sorted; weekdays not given are now off.
    assert replaced.json()["rules"] == {
        "0": [],
        "1": [],
        "2": [["09:00", "10:30"], ["14:00", "16:00"]],
        "3": [],
        "4": [],
        "5": [],
        "6": [["20:00", "24:00"]],
    }
    assert (await client.get("/v1/me/rules", headers=tokens.lea)).json() == replaced.json()


INVALID_RULES: list[tuple[dict[str, Any], str]] = [
    ({"0": [["18:00", "20:00"]], "1": [["20:00", "18:00"]]}, "range_out_of_order"),
    ({"0": [["18:00", "20:00"]], "1": [["18:03", "19:00"]]}, "range_not_on_5_minutes"),
    ({"0": [["18:00", "20:00"]], "1": [["18:00", "25:00"]]}, "invalid_range"),
    ({"0": [["18:00", "20:00"]], "1": [["6pm", "8pm"]]}, "validation_failed"),
    ({"0": [["18:00", "20:00"]], "7": [["18:00", "20:00"]]}, "validation_failed"),
    ({"0": [["18:00", "20:00", "21:00"]]}, "validation_failed"),
    ({"0": [["18:00", "20:00"]] * 25}, "validation_failed"),
]


async def test_one_invalid_range_rejects_the_whole_rules_and_keeps_the_old_ones(
    client: Client, world: World, tokens: Tokens
) -> None:
    before = (await client.get("/v1/me/rules", headers=tokens.lea)).json()
    for rules, code in INVALID_RULES:
        response = await client.put("/v1/me/rules", headers=tokens.lea, json={"rules": rules})
        assert problem_code(response, 422) == code, rules
        assert (await client.get("/v1/me/rules", headers=tokens.lea)).json() == before, rules


async def test_a_mentor_changes_only_their_own_rules(
    client: Client, world: World, tokens: Tokens
) -> None:
    hugo_before = (await client.get("/v1/me/rules", headers=tokens.hugo)).json()
    await client.put("/v1/me/rules", headers=tokens.lea, json={"rules": {}})
    assert (await client.get("/v1/me/rules", headers=tokens.lea)).json()["rules"]["0"] == []
    assert (await client.get("/v1/me/rules", headers=tokens.hugo)).json() == hugo_before
    # Léa now offers nothing, Hugo still does.
    lea = (await client.get(f"/v1/mentors/{world.mentor_id}/slots")).json()
    hugo = (await client.get(f"/v1/mentors/{world.other_mentor_id}/slots")).json()
    assert lea["days"] == [] and hugo["days"] != []


# --- date overrides --------------------------------------------------------------------------


async def test_overrides_set_list_and_delete(client: Client, world: World, tokens: Tokens) -> None:
    assert (await client.get("/v1/me/overrides", headers=tokens.lea)).json()["overrides"] == []

    off = await client.put("/v1/me/overrides/2026-12-01", headers=tokens.lea, json={"ranges": []})
    assert off.status_code == 200, off.text
    assert off.json() == {"date": "2026-12-01", "ranges": [], "day_off": True}
    morning = await client.put(
        "/v1/me/overrides/2026-12-02", headers=tokens.lea, json={"ranges": [["09:00", "10:00"]]}
    )
    assert morning.json() == {
        "date": "2026-12-02",
        "ranges": [["09:00", "10:00"]],
        "day_off": False,
    }

    listed = (await client.get("/v1/me/overrides", headers=tokens.lea)).json()
    assert [o["date"] for o in listed["overrides"]] == ["2026-12-01", "2026-12-02"]
    later = await client.get("/v1/me/overrides", headers=tokens.lea, params={"from": "2026-12-02"})
    assert [o["date"] for o in later.json()["overrides"]] == ["2026-12-02"]
    assert (await client.get("/v1/me/overrides", headers=tokens.hugo)).json()["overrides"] == []

    # The day off shows in the preview: no Tuesday slots, Wednesday 09:00 instead of 18:00.
    preview = (await client.get("/v1/me/slots/preview", headers=tokens.lea)).json()
    by_day = {d["date"]: [s["label"] for s in d["slots"]] for d in preview["days"]}
    assert "2026-12-01" not in by_day
    assert by_day["2026-12-02"] == ["09:00", "09:15", "09:30", "09:45"]

    removed = await client.delete("/v1/me/overrides/2026-12-01", headers=tokens.lea)
    assert removed.status_code == 204
    again = await client.delete("/v1/me/overrides/2026-12-01", headers=tokens.lea)
    assert problem_code(again, 404) == "not_found"
    # Hugo cannot remove Léa's override: for him it does not exist.
    other = await client.delete("/v1/me/overrides/2026-12-02", headers=tokens.hugo)
    assert problem_code(other, 404) == "not_found"
    listed = (await client.get("/v1/me/overrides", headers=tokens.lea)).json()
    assert [o["date"] for o in listed["overrides"]] == ["2026-12-02"]


async def test_an_invalid_override_changes_nothing(
    client: Client, world: World, tokens: Tokens
) -> None:
    await client.put(
        "/v1/me/overrides/2026-12-03", headers=tokens.lea, json={"ranges": [["09:00", "10:00"]]}
    )
    bad = await client.put(
        "/v1/me/overrides/2026-12-03",
        headers=tokens.lea,
        json={"ranges": [["11:00", "12:00"], ["13:00", "12:00"]]},
    )
    assert problem_code(bad, 422) == "range_out_of_order"
    missing_body = await client.put("/v1/me/overrides/2026-12-03", headers=tokens.lea, json={})
    assert problem_code(missing_body, 422) == "validation_failed"
    listed = (await client.get("/v1/me/overrides", headers=tokens.lea)).json()["overrides"]
    assert listed == [{"date": "2026-12-03", "ranges": [["09:00", "10:00"]], "day_off": False}]


# --- policy ----------------------------------------------------------------------------------


async def test_read_and_replace_the_policy(client: Client, world: World, tokens: Tokens) -> None:
    seen = (await client.get("/v1/me/policy", headers=tokens.lea)).json()
    assert seen == {
        "buffer_before_minutes": 5,
        "buffer_after_minutes": 5,
        "notice_minutes": 120,
        "horizon_days": 30,
        "day_cap": None,
        "week_cap": None,
    }
    new = {
        "buffer_before_minutes": 0,
        "buffer_after_minutes": 15,
        "notice_minutes": 60 * 24,
        "horizon_days": 14,
        "day_cap": 2,
        "week_cap": None,
    }
    replaced = await client.put("/v1/me/policy", headers=tokens.lea, json=new)
    assert replaced.status_code == 200, replaced.text
    assert replaced.json() == new
    assert (await client.get("/v1/me/policy", headers=tokens.lea)).json() == new
    assert (await client.get("/v1/me/policy", headers=tokens.hugo)).json() == seen

    # A day's notice and a cap of two a day: Monday has nothing left, Tuesday offers 18:00 on.
    preview = (await client.get("/v1/me/slots/preview", headers=tokens.lea)).json()
    assert preview["days"][0]["date"] == "2026-12-01"


INVALID_POLICY_CHANGES: list[dict[str, Any]] = [
    {"horizon_days": 0},
    {"horizon_days": 400},
    {"notice_minutes": -1},
    {"buffer_after_minutes": 10081},
    {"day_cap": -1},
    {"buffer_before_minutes": "five"},
    {"buffer_before_minutes": 2**40},
    {"extra": 1},
]


async def test_an_invalid_policy_is_refused_and_changes_nothing(
    client: Client, world: World, tokens: Tokens
) -> None:
    before = (await client.get("/v1/me/policy", headers=tokens.lea)).json()
    for change in INVALID_POLICY_CHANGES:
        response = await client.put("/v1/me/policy", headers=tokens.lea, json=before | change)
        assert problem_code(response, 422) == "validation_failed", change
        assert (await client.get("/v1/me/policy", headers=tokens.lea)).json() == before, change


# --- bookings --------------------------------------------------------------------------------


async def test_bookings_upcoming_and_past_are_the_mentors_own(
    client: Client, db: Database, world: World, tokens: Tokens, clock: Clock
) -> None:
    monday = await book(db, world.mentor_id, MONDAY_18H, clock.now, 1)
    tuesday = await book(db, world.mentor_id, TUESDAY_18H, clock.now, 2)
    hugos = await book(db, world.other_mentor_id, MONDAY_18H, clock.now, 3)

    upcoming = (await client.get("/v1/me/bookings", headers=tokens.lea)).json()
    assert [b["id"] for b in upcoming] == [str(monday), str(tuesday)]
    first = upcoming[0]
    assert first["status"] == "confirmed" and first["filiere"] == "droit"
    assert first["visitor_first_name"] == "Camille1"
    assert first["visitor_question"] == "Combien d'heures de cours par semaine ?"
    assert "visitor_email" not in first
    # The mentor's own join link (the series' second token), never the visitor's.
    assert first["join_url"].startswith("http://testserver.local/join/")
    token = first["join_url"].rsplit("/", 1)[1]
    assert booking_service.read_join_token(SecretsSettings().secret_key, token)[1] == "mentor"
    assert [b["id"] for b in (await client.get("/v1/me/bookings", headers=tokens.hugo)).json()] == [
        str(hugos)
    ]
    limited = await client.get("/v1/me/bookings", headers=tokens.lea, params={"limit": 1})
    assert [b["id"] for b in limited.json()] == [str(monday)]
    assert (
        await client.get("/v1/me/bookings", headers=tokens.lea, params={"scope": "past"})
    ).json() == []

    # Wednesday: both meetings are over.
    clock.now = datetime(2026, 12, 2, 7, 0, tzinfo=UTC)
    past = (
        await client.get("/v1/me/bookings", headers=tokens.lea, params={"scope": "past"})
    ).json()
    assert [b["id"] for b in past] == [str(tuesday), str(monday)]
    assert (await client.get("/v1/me/bookings", headers=tokens.lea)).json() == []

    bad = await client.get("/v1/me/bookings", headers=tokens.lea, params={"scope": "later"})
    assert problem_code(bad, 422) == "validation_failed"


async def test_cancel_a_booking_with_a_reason(
    client: Client, db: Database, world: World, tokens: Tokens, clock: Clock
) -> None:
    booking_id = await book(db, world.mentor_id, TUESDAY_18H, clock.now)
    path = f"/v1/me/bookings/{booking_id}/cancel"

    empty = await client.post(path, headers=tokens.lea, json={"reason": "  \u0000 "})
    assert problem_code(empty, 422) == "validation_failed"
    assert problem_code(await client.post(path, headers=tokens.lea, json={}), 422) == (
        "validation_failed"
    )

    done = await client.post(path, headers=tokens.lea, json={"reason": "Partiel\u0007 ce jour-là"})
    assert done.status_code == 200, done.text
    body = done.json()
    assert (body["status"], body["cancelled_by"], body["cancel_reason"]) == (
        "cancelled",
        "mentor",
        "Partiel ce jour-là",
    )
    # Still listed among the upcoming ones, so the mentor sees what happened.
    upcoming = (await client.get("/v1/me/bookings", headers=tokens.lea)).json()
    assert [(b["id"], b["status"]) for b in upcoming] == [(str(booking_id), "cancelled")]

    twice = await client.post(path, headers=tokens.lea, json={"reason": "encore"})
    assert problem_code(twice, 409) == "booking_not_live"
    unknown = await client.post(
        f"/v1/me/bookings/{uuid4()}/cancel", headers=tokens.lea, json={"reason": "x"}
    )
    assert problem_code(unknown, 404) == "not_found"


async def test_a_mentor_cannot_cancel_or_mark_another_mentors_booking(
    client: Client, db: Database, world: World, tokens: Tokens, clock: Clock
) -> None:
    hugos = await book(db, world.other_mentor_id, MONDAY_18H, clock.now)
    cancel = await client.post(
        f"/v1/me/bookings/{hugos}/cancel", headers=tokens.lea, json={"reason": "pas à moi"}
    )
    assert problem_code(cancel, 404) == "not_found"
    clock.now = MONDAY_18H + timedelta(minutes=20)
    no_show = await client.post(f"/v1/me/bookings/{hugos}/no-show", headers=tokens.lea)
    assert problem_code(no_show, 404) == "not_found"
    async with db.session() as session:
        assert (await booking_service.get_booking(session, hugos)).status == "confirmed"


async def test_mark_a_no_show_once_the_meeting_has_started(
    client: Client, db: Database, world: World, tokens: Tokens, clock: Clock
) -> None:
    booking_id = await book(db, world.mentor_id, MONDAY_18H, clock.now)
    path = f"/v1/me/bookings/{booking_id}/no-show"
    early = await client.post(path, headers=tokens.lea)
    assert problem_code(early, 409) == "booking_not_live"

    clock.now = MONDAY_18H + timedelta(minutes=10)
    marked = await client.post(path, headers=tokens.lea)
    assert marked.status_code == 200, marked.text
    assert marked.json()["status"] == "no_show"
    assert problem_code(await client.post(path, headers=tokens.lea), 409) == "booking_not_live"


# --- preview ---------------------------------------------------------------------------------


async def test_the_preview_shows_the_next_seven_days_as_visitors_see_them(
    client: Client, db: Database, world: World, tokens: Tokens, clock: Clock
) -> None:
    await book(db, world.mentor_id, MONDAY_18H, clock.now)
    preview = (await client.get("/v1/me/slots/preview", headers=tokens.lea)).json()
    assert preview["mentor_id"] == str(world.mentor_id)
    assert preview["timezone"] == "Europe/Paris"
    # Weekdays only, from Monday 30 Nov to Friday 4 Dec (the 7 days end Monday 7 Dec 08:00).
    assert [d["date"] for d in preview["days"]] == [
        "2026-11-30",
        "2026-12-01",
        "2026-12-02",
        "2026-12-03",
        "2026-12-04",
    ]
    monday = [s["label"] for s in preview["days"][0]["slots"]]
    # 18:00 is booked and its 5-minute buffers also take 18:15's neighbourhood: the engine
    # offers what a visitor sees on the public route.
    public = (await client.get(f"/v1/mentors/{world.mentor_id}/slots")).json()
    assert monday == [s["label"] for s in public["days"][0]["slots"]]
    assert "18:00" not in monday and "19:45" in monday

    in_london = await client.get(
        "/v1/me/slots/preview", headers=tokens.lea, params={"tz": "Europe/London"}
    )
    assert in_london.json()["days"][0]["slots"][-1]["label"] == "18:45"
    bad = await client.get("/v1/me/slots/preview", headers=tokens.lea, params={"tz": "Mars/Base"})
    assert problem_code(bad, 422) == "invalid_timezone"
