"""The first visit's forms over plain HTTP: each step answers its refused form again with the
reason (422) and saves nothing, « + Ajouter » shows one more row unsaved, and a saved step
leads to the next."""

from __future__ import annotations

from tests.space.conftest import Space
from tests.space.flows import csrf_of, http_client, http_google_sign_in, new_mentor

# A mentor of these tests' own, never onboarded, without hours.
NEW = "elise.onboarding@example.org"


async def test_each_onboarding_step_refuses_bad_input_then_saves_and_moves_on(
    space: Space,
) -> None:
    made = new_mentor(space, NEW, "Élise O.", hours=False)
    async with http_client(space) as client:
        await http_google_sign_in(client, space, "mentor", NEW)
        hours = await client.get("/mentor/onboarding/timezone")  # the step's former name
        assert hours.url.path == "/mentor/onboarding/hours"
        token = csrf_of(hours.text)
        week = {"timezone": "Europe/Paris", "csrf_token": token}
        nameless = await client.post(
            "/mentor/onboarding/profile", data={"display_name": "", "csrf_token": token}
        )
        assert nameless.status_code == 422 and 'id="profile-form"' in nameless.text

        backwards = await client.post(
            "/mentor/onboarding/hours", data={**week, "d0_start": "12:00", "d0_end": "09:00"}
        )
        assert backwards.status_code == 422 and 'id="hours-form"' in backwards.text
        added = await client.post(
            "/mentor/onboarding/hours",
            data={**week, "d0_start": "09:00", "d0_end": "12:00", "add_row": "0"},
        )
        rows = backwards.text.count('name="d0_start"')  # the posted row (and the row template)
        assert added.status_code == 200 and added.text.count('name="d0_start"') == rows + 1
        assert space.sql("SELECT 1 FROM availability_rules WHERE mentor_id = %s", made) == []

        saved = await client.post(
            "/mentor/onboarding/hours", data={**week, "d0_start": "09:00", "d0_end": "12:00"}
        )
        assert saved.url.path == "/mentor/onboarding/calendar"
        assert space.sql(
            "SELECT weekday, start_minute, end_minute FROM availability_rules WHERE mentor_id = %s",
            made,
        ) == [(0, 540, 720)]

        link = await client.post(
            "/mentor/onboarding/venue",
            data={"meeting_url": "pas un lien", "csrf_token": csrf_of(saved.text)},
        )
        assert link.status_code == 422 and "commence par https://" in link.text
        kept = await client.post(
            "/mentor/onboarding/venue",
            data={"meeting_url": "https://meet.example.org/elise", "csrf_token": token},
        )
        assert (kept.url.path, kept.url.query) == ("/mentor/onboarding/calendar", b"ok=saved")
        assert space.sql("SELECT meeting_url FROM mentors WHERE id = %s", made) == [
            ("https://meet.example.org/elise",)
        ]
        unknown = await client.post("/mentor/onboarding/nowhere", data={"csrf_token": token})
        assert unknown.status_code == 404
