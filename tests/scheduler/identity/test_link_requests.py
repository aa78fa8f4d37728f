"""Sign-in link requests on real PostgreSQL: the request path stores the same thing for any
address (a counter and a sealed outbox row), the worker finds the owner, and the limits hold."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from cryptography.fernet import Fernet
from sqlalchemy import select

from scheduler.calendar import SecretBox
from scheduler.identity import Role, link_requests
from scheduler.platform import Database, Limit, outbox
from scheduler.platform.outbox import OutboxRow
from scheduler.platform.rate_limits import RateLimitRow
from testkit import factories
from testkit.settings import settings_of

NOW = datetime(2030, 1, 7, 6, 0, tzinfo=UTC)
SETTINGS = settings_of(token_keys=(Fernet.generate_key().decode(),), staff_emails=("s@thotis.fr",))
BOX = SecretBox(SETTINGS.secrets)
LIMITS = link_requests.LinkRequestLimits(
    per_address=Limit(5, timedelta(hours=1)), overall=Limit(100, timedelta(minutes=1))
)


async def _request(db: Database, email: str, role: Role = Role.MENTOR) -> bool:
    async with db.session() as session:
        return await link_requests.request_link(
            session,
            role=role,
            email=email,
            now=NOW,
            limits=LIMITS,
            secret_key=SETTINGS.secrets.secret_key,
            sealer=BOX,
        )


async def _rows(db: Database) -> list[OutboxRow]:
    async with db.session() as session:
        return list(
            (
                await session.execute(
                    select(OutboxRow)
                    .where(OutboxRow.kind == outbox.MAIL_SIGN_IN_LINK)
                    .order_by(OutboxRow.id)
                )
            ).scalars()
        )


async def test_a_known_and_an_unknown_address_store_the_same_kind_of_row(db: Database) -> None:
    mentor = await factories.make_mentor(db)
    assert await _request(db, mentor.email)
    assert await _request(db, "nobody@example.org")
    known, unknown = await _rows(db)
    assert set(known.payload) == set(unknown.payload) == {"role", "sealed_email"}
    # The address is sealed, never stored as such.
    assert mentor.email not in str(known.payload)
    assert "nobody@example.org" not in str(unknown.payload)
    assert BOX.decrypt(known.payload["sealed_email"]) == mentor.email


async def test_the_worker_issues_a_link_only_for_an_active_mentor(db: Database) -> None:
    mentor = await factories.make_mentor(db)
    async with db.session() as session:
        found = await link_requests.deliver_link(
            session,
            {"role": "mentor", "sealed_email": BOX.encrypt(mentor.email.upper())},
            now=NOW,
            sealer=BOX,
            settings=SETTINGS,
        )
        nobody = await link_requests.deliver_link(
            session,
            {"role": "mentor", "sealed_email": BOX.encrypt("nobody@example.org")},
            now=NOW,
            sealer=BOX,
            settings=SETTINGS,
        )
    assert found is not None and found.email == mentor.email and found.raw_token
    assert nobody is None


async def test_the_worker_issues_a_staff_link_only_to_staff(db: Database) -> None:
    async with db.session() as session:
        staff = await link_requests.deliver_link(
            session,
            {"role": "staff", "sealed_email": BOX.encrypt("s@thotis.fr")},
            now=NOW,
            sealer=BOX,
            settings=SETTINGS,
        )
        stranger = await link_requests.deliver_link(
            session,
            {"role": "staff", "sealed_email": BOX.encrypt("x@thotis.fr")},
            now=NOW,
            sealer=BOX,
            settings=SETTINGS,
        )
    assert staff is not None and staff.name == "" and stranger is None


async def test_an_address_is_counted_under_a_keyed_hash_and_capped(db: Database) -> None:
    answers = [await _request(db, "Flood@Example.org") for _ in range(7)]
    assert answers == [True] * 5 + [False] * 2
    assert len(await _rows(db)) == 5
    key = link_requests.address_key(SETTINGS.secrets.secret_key, "flood@example.org")
    assert key != link_requests.address_key("another secret", "flood@example.org")
    async with db.session() as session:
        keys = {k for (k,) in await session.execute(select(RateLimitRow.key))}
    assert key in keys and not any("flood" in k for k in keys)


async def test_the_overall_cap_stops_requests_for_every_address(db: Database) -> None:
    limits = link_requests.LinkRequestLimits(
        per_address=Limit(5, timedelta(hours=1)), overall=Limit(3, timedelta(minutes=1))
    )
    async with db.session() as session:
        answers = [
            await link_requests.request_link(
                session,
                role=Role.MENTOR,
                email=f"a{n}@example.org",
                now=NOW,
                limits=limits,
                secret_key="k",
                sealer=BOX,
            )
            for n in range(5)
        ]
    assert answers == [True, True, True, False, False]
