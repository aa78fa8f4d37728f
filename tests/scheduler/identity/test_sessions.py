"""Sign-in through the identity services on real PostgreSQL: links expire, are single-use and
rate-limited, sessions end with their lifetime or the mentor's deactivation, and staff are the
configured addresses."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from scheduler import catalog
from scheduler.identity import sessions
from scheduler.platform import Actor, Database, InvalidToken, TokenExpired
from testkit import factories
from testkit.settings import settings_of

NOW = datetime(2030, 1, 7, 6, 0, tzinfo=UTC)  # Monday 07:00 in Paris
STAFF = Actor.staff("equipe@thotis.fr")


async def test_a_sign_in_link_works_once_and_only_for_fifteen_minutes(db: Database) -> None:
    mentor = await factories.make_mentor(db)
    async with db.session() as session:
        raw = await sessions.issue_sign_in_link(session, mentor.id, NOW)
        late = await sessions.issue_sign_in_link(session, mentor.id, NOW)
        assert (
            await sessions.use_sign_in_link(session, raw, NOW + timedelta(minutes=14)) == mentor.id
        )
        with pytest.raises(InvalidToken):
            await sessions.use_sign_in_link(session, raw, NOW + timedelta(minutes=14))
        with pytest.raises(TokenExpired):
            await sessions.use_sign_in_link(session, late, NOW + timedelta(minutes=15))
        with pytest.raises(InvalidToken):
            await sessions.use_sign_in_link(session, "not-a-link", NOW)


async def test_a_mentor_may_be_sent_three_links_per_quarter_hour(db: Database) -> None:
    mentor = await factories.make_mentor(db)
    async with db.session() as session:
        for minute in range(3):
            assert await sessions.may_send_sign_in_link(session, mentor.id, NOW)
            await sessions.issue_sign_in_link(session, mentor.id, NOW + timedelta(minutes=minute))
        assert not await sessions.may_send_sign_in_link(session, mentor.id, NOW)
        # Fifteen minutes after the first one, a slot frees up again.
        assert not await sessions.may_send_sign_in_link(
            session, mentor.id, NOW + timedelta(minutes=14)
        )
        assert await sessions.may_send_sign_in_link(session, mentor.id, NOW + timedelta(minutes=15))


async def test_a_deactivated_mentor_loses_sessions_and_links(db: Database) -> None:
    mentor = await factories.make_mentor(db)
    async with db.session() as session:
        raw, opened = await sessions.open_session(
            session, role="mentor", now=NOW, lifetime=timedelta(hours=12), mentor_id=mentor.id
        )
        link = await sessions.issue_sign_in_link(session, mentor.id, NOW)
        found = await sessions.find_session(session, raw, "mentor", NOW + timedelta(hours=1))
        assert found is not None and found.csrf_token == opened.csrf_token
        # The same cookie is no staff session, and expires with its lifetime.
        assert await sessions.find_session(session, raw, "staff", NOW) is None
        assert (
            await sessions.find_session(session, raw, "mentor", NOW + timedelta(hours=12)) is None
        )
        await catalog.deactivate_mentor(session, mentor.id, STAFF)
        assert await sessions.find_session(session, raw, "mentor", NOW) is None
        with pytest.raises(InvalidToken):
            await sessions.use_sign_in_link(session, link, NOW)
        assert await sessions.sign_in_mentor_id(session, mentor.email) is None


async def test_a_google_sign_in_state_is_single_use(db: Database) -> None:
    async with db.session() as session:
        await sessions.remember_sign_in(
            session, role="staff", state="s" * 43, code_verifier="v", nonce="n", now=NOW
        )
        first = await sessions.take_sign_in(session, "s" * 43, NOW)
        assert first is not None and first.role == "staff"
        assert await sessions.take_sign_in(session, "s" * 43, NOW) is None
        await sessions.remember_sign_in(
            session, role="mentor", state="t" * 43, code_verifier="v", nonce="n", now=NOW
        )
        assert await sessions.take_sign_in(session, "t" * 43, NOW + timedelta(minutes=16)) is None


def test_staff_are_the_configured_addresses_or_domain() -> None:
    settings = settings_of(staff_emails=("Equipe@Thotis.fr",), staff_domain="staff.thotis.fr")
    assert sessions.staff_allowed(settings, "equipe@thotis.fr")
    assert sessions.staff_allowed(settings, "lea@STAFF.thotis.fr")
    assert not sessions.staff_allowed(settings, "lea@thotis.fr")
    assert not sessions.staff_allowed(settings, "lea@evil-staff.thotis.fr.example")
    assert not sessions.staff_allowed(settings_of(), "anyone@thotis.fr")
