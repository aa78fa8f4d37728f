"""Staff API keys and mentor tokens: shown once, stored as SHA-256, revocable."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from scheduler import catalog
from scheduler.identity import MentorToken, StaffApiKey, credentials
from scheduler.platform import Database, tokens
from testkit.factories import NOW, STAFF, make_mentor


async def test_staff_api_keys(db: Database) -> None:
    async with db.sessions() as session:
        key, raw = await credentials.create_staff_api_key(session, "ops", STAFF)
        assert await credentials.verify_staff_api_key(session, raw) == key
        assert await credentials.verify_staff_api_key(session, raw + "x") is None
        assert await credentials.verify_staff_api_key(session, "") is None
        stored = (await session.execute(select(StaffApiKey.key_hash))).scalars().all()
        assert stored == [tokens.digest(raw)]
        await credentials.revoke_staff_api_key(session, key.id, NOW, STAFF)
        assert await credentials.verify_staff_api_key(session, raw) is None


async def test_mentor_tokens(db: Database) -> None:
    mentor = await make_mentor(db)
    async with db.sessions() as session:
        raw = await credentials.create_mentor_token(session, mentor.id, STAFF)
        assert await credentials.verify_mentor_token(session, raw) == mentor.id
        assert raw.encode() not in b"".join(
            (await session.execute(select(MentorToken.token_hash))).scalars()
        )
        await catalog.deactivate_mentor(session, mentor.id, STAFF)
        assert await credentials.verify_mentor_token(session, raw) is None
        await catalog.set_mentor_active(session, mentor.id, True, STAFF)
        assert await credentials.verify_mentor_token(session, raw) == mentor.id
        assert (
            await credentials.revoke_mentor_tokens(session, mentor.id, NOW + timedelta(1), STAFF)
            == 1
        )
        assert await credentials.verify_mentor_token(session, raw) is None


async def test_an_expired_key_or_token_is_refused_and_an_old_one_without_expiry_is_not(
    db: Database,
) -> None:
    mentor = await make_mentor(db)
    later = NOW + timedelta(days=90)
    async with db.sessions() as session:
        key, raw_key = await credentials.create_staff_api_key(
            session, "site", STAFF, expires_at=later
        )
        raw_token = await credentials.create_mentor_token(
            session, mentor.id, STAFF, expires_at=later
        )
        _, forever = await credentials.create_staff_api_key(session, "old", STAFF)
        almost = later - timedelta(seconds=1)
        assert await credentials.verify_staff_api_key(session, raw_key, almost) == key
        assert await credentials.verify_mentor_token(session, raw_token, almost) == mentor.id
        # Expiry is exclusive: at ``expires_at`` it is over.
        assert await credentials.verify_staff_api_key(session, raw_key, later) is None
        assert await credentials.verify_mentor_token(session, raw_token, later) is None
        assert await credentials.verify_staff_api_key(session, forever, later) is not None


async def test_one_token_is_revoked_and_the_listing_names_its_mentor(db: Database) -> None:
    mentor = await make_mentor(db)
    async with db.sessions() as session:
        first = await credentials.create_mentor_token(session, mentor.id, STAFF)
        second = await credentials.create_mentor_token(session, mentor.id, STAFF)
        listed = await credentials.list_mentor_tokens(session, mentor.id)
        assert {line.mentor_name for line in listed} == {mentor.display_name}
        hashes = dict((await session.execute(select(MentorToken.token_hash, MentorToken.id))).all())
        token_id = hashes[tokens.digest(first)]
        assert await credentials.revoke_mentor_token(session, token_id, NOW, STAFF) == mentor.id
        assert await credentials.verify_mentor_token(session, first) is None
        assert await credentials.verify_mentor_token(session, second) == mentor.id
