"""Steps the space's tests share: signing in through the fake Google, booking as a visitor
through the public API, reading the demo data."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

import httpx
from playwright.async_api import Page

from tests.space.conftest import Space


def mentor_id(space: Space, email: str) -> uuid.UUID:
    return space.sql("SELECT id FROM mentors WHERE email = %s", email)[0][0]


def mark_onboarded(space: Space, email: str) -> None:
    """Test set-up: this mentor already went through onboarding."""
    space.sql(
        "INSERT INTO mentor_preferences (mentor_id, onboarded_at) VALUES (%s, now()) "
        "ON CONFLICT (mentor_id) DO UPDATE SET onboarded_at = now()",
        mentor_id(space, email),
    )


async def google_sign_in(page: Page, space: Space, role: str, email: str) -> None:
    """Sign in as ``email`` through the fake Google (which approves whoever it is told)."""
    space.google.signed_in = email
    await page.goto(f"{space.url}/{role}/sign-in")
    await page.get_by_role("link", name="Se connecter avec Google").click()
    await page.wait_for_load_state("networkidle")


async def book(
    space: Space,
    email: str,
    first_name: str,
    question: str,
    filiere: str = "droit",
    timezone: str | None = None,
) -> dict[str, Any]:
    """A visitor books the mentor's first free slot through the public API (from
    ``timezone`` when given)."""
    mentor = mentor_id(space, email)
    visitor = f"visiteur-{uuid.uuid4().hex[:8]}@example.fr"
    async with space.api() as api:
        slots = (await api.get(f"/v1/mentors/{mentor}/slots")).json()
        first = next(s for day in slots["days"] for s in day["slots"])
        answer = await api.post(
            "/v1/bookings",
            json={
                "mentor_id": str(mentor),
                "start": first["start"],
                "first_name": first_name,
                "email": visitor,
                "consent": True,
                "question": question,
                "filiere": filiere,
                **({"timezone": timezone} if timezone else {}),
            },
        )
    assert answer.status_code == 201, answer.text
    body: dict[str, Any] = answer.json()
    body["visitor_email"] = visitor
    return body


def http_client(space: Space) -> httpx.AsyncClient:
    return httpx.AsyncClient(base_url=space.url, timeout=15.0, follow_redirects=True)


async def http_google_sign_in(
    client: httpx.AsyncClient, space: Space, role: str, email: str
) -> httpx.Response:
    """The same Google sign-in without a browser: httpx follows the redirects and keeps the
    cookies (each on its own path, as a browser does)."""
    space.google.signed_in = email
    return await client.get(f"/{role}/sign-in/google")


def csrf_of(html: str) -> str:
    marker = 'name="csrf_token" value="'
    start = html.index(marker) + len(marker)
    return html[start : html.index('"', start)]


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text)


def new_mentor(space: Space, email: str, name: str, *, hours: bool = True) -> uuid.UUID:
    """Test set-up: a mentor of Droit of the tests' own (the demo mentors are shared by other
    tests), with the default policy and, unless ``hours`` is false, every day 08:00–22:00."""
    made = space.sql(
        "INSERT INTO mentors (display_name, email, university, year_of_study) "
        "VALUES (%s, %s, 'Université de Lille', 2) RETURNING id",
        name,
        email,
    )[0][0]
    space.sql(
        "INSERT INTO mentor_filieres (mentor_id, filiere_id) "
        "SELECT %s, id FROM filieres WHERE slug = 'droit'",
        made,
    )
    space.sql("INSERT INTO policies (mentor_id) VALUES (%s)", made)
    if hours:
        for weekday in range(7):
            space.sql(
                "INSERT INTO availability_rules (mentor_id, weekday, start_minute, end_minute) "
                "VALUES (%s, %s, 480, 1320)",
                made,
                weekday,
            )
    return made
