"""Booker email verification through HTTP, with it on (the default): a code mailed to the
visitor, the slot held meanwhile, the booking made once the code is typed, the address
remembered, and a cap on a visitor's live bookings."""

from __future__ import annotations

import re
from datetime import timedelta
from email.message import EmailMessage
from typing import Any

import pytest
from cryptography.fernet import Fernet
from litestar.testing import AsyncTestClient
from sqlalchemy import text

from api.wiring import Parts, build_handlers
from scheduler.platform import Database, Settings, outbox
from testkit.factories import Clock
from testkit.settings import settings_of
from tests.api.conftest import World


class Inbox:
    def __init__(self) -> None:
        self.sent: list[EmailMessage] = []

    async def send(self, message: EmailMessage) -> None:
        self.sent.append(message)

    def code_for(self, address: str) -> str:
        mails = [m for m in self.sent if address in str(m["To"])]
        assert mails, f"no mail to {address}"
        found = re.search(r"\b(\d{6})\b", mails[-1].get_content())
        assert found is not None
        return found[1]


@pytest.fixture
def settings(database_url: str) -> Settings:
    return settings_of(
        database_url=database_url,
        public_url="http://testserver.local",
        cors_origins=("https://www.thotis.fr",),
        booking_limit_per_address=0,
        booking_limit_per_email=0,
        booking_limit_per_slot=0,
        filiere_cache_seconds=0,
        seed_demo=False,
        embedded_worker=False,
        token_keys=(Fernet.generate_key().decode(),),
        booking_email_verification=True,
        booking_live_per_email=2,
    )


@pytest.fixture
def inbox() -> Inbox:
    return Inbox()


async def _deliver(settings: Settings, db: Database, inbox: Inbox, clock: Clock) -> None:
    handlers = build_handlers(settings, Parts(db, inbox, clock=clock), None)
    await outbox.drain(
        db,
        {outbox.MAIL_VERIFICATION_CODE: handlers[outbox.MAIL_VERIFICATION_CODE]},
        worker_id="test",
        max_attempts=3,
        now=clock,
    )


async def _starts(client: AsyncTestClient, world: World) -> list[str]:  # type: ignore[type-arg]
    days = (await client.get(f"/v1/mentors/{world.mentor_id}/slots")).json()["days"]
    return [slot["start"] for day in days for slot in day["slots"]]


def _request(world: World, start: str, email: str = "camille@example.fr") -> dict[str, Any]:
    return {
        "mentor_id": str(world.mentor_id),
        "start": start,
        "first_name": "Camille",
        "email": email,
        "consent": True,
    }


async def test_booking_without_a_proof_asks_for_the_address_to_be_verified(
    client: AsyncTestClient,  # type: ignore[type-arg]
    world: World,
) -> None:
    start = (await _starts(client, world))[0]
    answer = await client.post("/v1/bookings", json=_request(world, start))
    assert answer.status_code == 403
    assert answer.json()["code"] == "email_verification_required"
    assert start in await _starts(client, world)  # nothing held, nothing booked


async def test_a_code_holds_the_slot_and_typing_it_books_and_remembers_the_address(
    client: AsyncTestClient,  # type: ignore[type-arg]
    world: World,
    settings: Settings,
    db: Database,
    inbox: Inbox,
    clock: Clock,
) -> None:
    starts = await _starts(client, world)
    start, later = starts[0], starts[2]  # not adjacent: the mentor keeps 5-minute buffers
    started = await client.post("/v1/bookings/verifications", json=_request(world, start))
    assert started.status_code == 202, started.text
    verification = started.json()
    assert verification["code_length"] == 6
    # Held: offered to nobody else, and booking it otherwise is refused.
    assert start not in await _starts(client, world)
    other = await client.post(
        "/v1/bookings/verifications", json=_request(world, start, email="hugo@example.fr")
    )
    assert other.status_code == 409
    await _deliver(settings, db, inbox, clock)
    code = inbox.code_for("camille@example.fr")
    assert inbox.sent[0]["X-Thotis-Kind"] == "verification_code"
    confirmed = await client.post(
        f"/v1/bookings/verifications/{verification['verification_id']}", json={"code": code}
    )
    assert confirmed.status_code == 201, confirmed.text
    body = confirmed.json()
    assert body["booking"]["status"] == "confirmed" and body["email_proof"]
    # The code works once.
    again = await client.post(
        f"/v1/bookings/verifications/{verification['verification_id']}", json={"code": code}
    )
    assert again.status_code == 410 and again.json()["code"] == "verification_expired"
    # A returning visitor with the proof books at once.
    returning = _request(world, later) | {"email_proof": body["email_proof"]}
    assert (await client.post("/v1/bookings", json=returning)).status_code == 201
    # The proof is the address's only: another address with it still needs a code.
    borrowed = _request(world, later, email="x@example.fr") | {"email_proof": body["email_proof"]}
    assert (await client.post("/v1/bookings", json=borrowed)).json()[
        "code"
    ] == "email_verification_required"


async def test_wrong_codes_are_counted_and_the_hold_ends_after_five(
    client: AsyncTestClient,  # type: ignore[type-arg]
    world: World,
) -> None:
    start = (await _starts(client, world))[0]
    started = (await client.post("/v1/bookings/verifications", json=_request(world, start))).json()
    url = f"/v1/bookings/verifications/{started['verification_id']}"
    answers = [(await client.post(url, json={"code": "000000"})).json() for _ in range(5)]
    # One code in a million is 000000: good enough odds for a test that runs in CI.
    assert [a["code"] for a in answers[:4]] == ["verification_code_wrong"] * 4
    assert answers[4]["code"] == "verification_expired"
    assert start in await _starts(client, world)  # released at once


async def test_a_hold_ends_by_itself_after_ten_minutes(
    client: AsyncTestClient,  # type: ignore[type-arg]
    world: World,
    settings: Settings,
    db: Database,
    inbox: Inbox,
    clock: Clock,
) -> None:
    start = (await _starts(client, world))[0]
    started = (await client.post("/v1/bookings/verifications", json=_request(world, start))).json()
    await _deliver(settings, db, inbox, clock)
    code = inbox.code_for("camille@example.fr")
    clock.now += timedelta(minutes=10)
    assert start in await _starts(client, world)
    late = await client.post(
        f"/v1/bookings/verifications/{started['verification_id']}", json={"code": code}
    )
    assert late.status_code == 410


async def test_a_visitor_address_holds_at_most_the_cap_of_live_bookings(
    client: AsyncTestClient,  # type: ignore[type-arg]
    world: World,
    settings: Settings,
    db: Database,
    inbox: Inbox,
    clock: Clock,
) -> None:
    starts = await _starts(client, world)
    proof = None
    for start in (starts[0], starts[2]):
        if proof is None:
            started = (
                await client.post("/v1/bookings/verifications", json=_request(world, start))
            ).json()
            await _deliver(settings, db, inbox, clock)
            done = await client.post(
                f"/v1/bookings/verifications/{started['verification_id']}",
                json={"code": inbox.code_for("camille@example.fr")},
            )
            proof = done.json()["email_proof"]
        else:
            booked = await client.post(
                "/v1/bookings", json=_request(world, start) | {"email_proof": proof}
            )
            assert booked.status_code == 201
    third = await client.post(
        "/v1/bookings", json=_request(world, starts[4]) | {"email_proof": proof}
    )
    assert third.status_code == 409 and third.json()["code"] == "too_many_live_bookings"
    held = await client.post("/v1/bookings/verifications", json=_request(world, starts[4]))
    assert held.json()["code"] == "too_many_live_bookings"


async def test_the_first_available_booking_asks_for_the_address_to_be_verified_too(
    client: AsyncTestClient,  # type: ignore[type-arg]
    world: World,
) -> None:
    start = (await _starts(client, world))[0]
    request = _request(world, start) | {"filiere": world.filiere}
    del request["mentor_id"]
    answer = await client.post("/v1/bookings/first-available", json=request)
    assert answer.status_code == 403
    assert answer.json()["code"] == "email_verification_required"


async def test_a_code_asked_with_only_a_filiere_holds_a_free_mentor_and_books_them(
    client: AsyncTestClient,  # type: ignore[type-arg]
    world: World,
    settings: Settings,
    db: Database,
    inbox: Inbox,
    clock: Clock,
) -> None:
    start = (await _starts(client, world))[0]
    request = _request(world, start) | {"filiere": world.filiere}
    del request["mentor_id"]
    started = await client.post("/v1/bookings/verifications", json=request)
    assert started.status_code == 202, started.text
    await _deliver(settings, db, inbox, clock)
    confirmed = await client.post(
        f"/v1/bookings/verifications/{started.json()['verification_id']}",
        json={"code": inbox.code_for("camille@example.fr")},
    )
    assert confirmed.status_code == 201, confirmed.text
    booked = confirmed.json()["booking"]
    assert booked["mentor_id"] in {str(world.mentor_id), str(world.other_mentor_id)}
    assert booked["start"].startswith(start[:16])


async def test_a_code_asked_with_neither_mentor_nor_filiere_is_refused(
    client: AsyncTestClient,  # type: ignore[type-arg]
    world: World,
) -> None:
    start = (await _starts(client, world))[0]
    request = _request(world, start)
    del request["mentor_id"]
    answer = await client.post("/v1/bookings/verifications", json=request)
    assert answer.status_code == 422 and answer.json()["code"] == "validation_failed"


async def test_the_parents_agreement_stated_before_the_code_is_kept_with_the_booking(
    client: AsyncTestClient,  # type: ignore[type-arg]
    world: World,
    settings: Settings,
    db: Database,
    inbox: Inbox,
    clock: Clock,
) -> None:
    start = (await _starts(client, world))[0]
    request = _request(world, start) | {"age": "under_15", "parent_agreed": True}
    started = await client.post("/v1/bookings/verifications", json=request)
    assert started.status_code == 202, started.text
    await _deliver(settings, db, inbox, clock)
    confirmed = await client.post(
        f"/v1/bookings/verifications/{started.json()['verification_id']}",
        json={"code": inbox.code_for("camille@example.fr")},
    )
    assert confirmed.status_code == 201, confirmed.text
    async with db.session() as session:
        basis = await session.scalar(
            text("SELECT consent_basis FROM bookings WHERE id = :id"),
            {"id": confirmed.json()["booking"]["id"]},
        )
    assert basis == "parental"
