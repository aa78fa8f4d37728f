"""The space's services on real PostgreSQL: sessions and links expire and are single-use,
invitations hide the mentor until onboarding, a report resolved by blocking stops the visitor
from booking again, and the console's readers count what they say."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from scheduler import booking, catalog
from scheduler.identity import invitations, sessions
from scheduler.platform import (
    Actor,
    Database,
    EmailBlocked,
    InvalidToken,
    NotFound,
    Settings,
    TokenExpired,
)
from scheduler.schedules import rules as schedules
from scheduler.staff import insights, moderation, reports
from testkit import factories

NOW = datetime(2030, 1, 7, 6, 0, tzinfo=UTC)  # Monday 07:00 in Paris
STAFF = Actor.staff("equipe@thotis.fr")


async def _mentor(db: Database, email: str = "lea@example.org") -> catalog.MentorRecord:  # type: ignore[name-defined]
    async with db.session() as session:
        if not await catalog.list_filieres(session):
            await catalog.create_filiere(session, "droit", "Droit", "Law", STAFF)
        mentor = await catalog.create_mentor(
            session,
            catalog.MentorFields("Léa", email, "Université Paris Cité", 3, ("droit",)),
            STAFF,
        )
        await schedules.set_weekly_rules(session, mentor.id, {0: [("18:00", "20:00")]}, STAFF)
    return mentor


async def test_a_sign_in_link_works_once_and_only_for_fifteen_minutes(db: Database) -> None:
    mentor = await _mentor(db)
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
    mentor = await _mentor(db)
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
    mentor = await _mentor(db)
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
    settings = Settings(staff_emails=("Equipe@Thotis.fr",), staff_domain="staff.thotis.fr")
    assert sessions.staff_allowed(settings, "equipe@thotis.fr")
    assert sessions.staff_allowed(settings, "lea@STAFF.thotis.fr")
    assert not sessions.staff_allowed(settings, "lea@thotis.fr")
    assert not sessions.staff_allowed(settings, "lea@evil-staff.thotis.fr.example")
    assert not sessions.staff_allowed(Settings(), "anyone@thotis.fr")


async def test_an_invited_mentor_stays_hidden_until_onboarding(db: Database) -> None:
    await _mentor(db, "other@example.org")  # creates the filière
    async with db.session() as session:
        invited = await invitations.invite_mentor(
            session,
            catalog.MentorFields(
                "Zoé M.", "Zoe@Example.org", "Université de Strasbourg", 2, ("droit",)
            ),
            STAFF,
            NOW,
        )
        assert (
            invited.created and invited.mentor.paused and invited.mentor.email == "zoe@example.org"
        )
        again = await invitations.invite_mentor(
            session,
            catalog.MentorFields(
                "Zoé M.", "zoe@example.org", "Université de Strasbourg", 2, ("droit",)
            ),
            STAFF,
            NOW,
        )
        assert not again.created
        assert await invitations.finish_onboarding(session, invited.mentor.id, NOW) is True
        assert (await catalog.get_mentor(session, invited.mentor.id)).paused is False
        # Later completions (a mentor who paused since) leave the pause alone.
        await catalog.update_mentor(
            session, invited.mentor.id, catalog.MentorChanges(paused=True), STAFF
        )
        assert await invitations.finish_onboarding(session, invited.mentor.id, NOW) is False
        assert (await catalog.get_mentor(session, invited.mentor.id)).paused is True


async def test_blocking_a_reported_visitor_stops_their_next_booking(db: Database) -> None:
    mentor = await _mentor(db)
    other = await _mentor(db, "hugo@example.org")
    visitor = booking.Visitor("Noé", "Noe@Example.fr", "Une question ?")
    slot = datetime(2030, 1, 7, 17, 0, tzinfo=UTC)  # Monday 18:00 in Paris
    async with db.session() as session:
        made = await booking.book(
            session, mentor_id=mentor.id, slot_start=slot, visitor=visitor, now=NOW
        )
        with pytest.raises(NotFound):
            await moderation.report_booking(session, made.booking.id, other.id, "pas à moi", NOW)
        report = await moderation.report_booking(
            session, made.booking.id, mentor.id, "Propos insultants", NOW
        )
        [line] = await moderation.open_reports(session)
        assert line.id == report and line.visitor_email == "noe@example.fr" and not line.blocked
        await moderation.resolve_report(session, report, "blocked", STAFF, NOW)
        assert await moderation.open_reports(session) == []
        with pytest.raises(EmailBlocked):
            await booking.book(
                session,
                mentor_id=other.id,
                slot_start=slot + timedelta(minutes=30),
                visitor=booking.Visitor("Noé", "noe@example.fr"),
                now=NOW,
            )
        actions = [a.action for a in await moderation.recent_audit(session, 10)]
        assert "block" in actions and "report" in actions
        # The audit trail names the block by a hash prefix, never by the address.
        assert all(
            "noe@" not in str(a.entity_id) + str(a.details)
            for a in await moderation.recent_audit(session, 50)
        )


async def test_utilisation_counts_booked_and_free_slots(db: Database) -> None:
    mentor = await _mentor(db)
    async with db.session() as session:
        await schedules.set_policy(
            session,
            mentor.id,
            schedules.PolicySettings(buffer_before_minutes=0, buffer_after_minutes=0),
            STAFF,
        )
        before = {u.mentor_id: u for u in await insights.utilisation(session, NOW, days=7)}
        assert before[mentor.id].booked == 0 and before[mentor.id].free == 8  # Monday 18–20
        await booking.book(
            session,
            mentor_id=mentor.id,
            slot_start=datetime(2030, 1, 7, 17, 0, tzinfo=UTC),
            visitor=booking.Visitor("Noé", "noe@example.fr"),
            now=NOW,
            filiere="droit",
        )
        after = {u.mentor_id: u for u in await insights.utilisation(session, NOW, days=7)}
        assert (after[mentor.id].booked, after[mentor.id].free, after[mentor.id].offered) == (
            1,
            7,
            8,
        )
        weeks = await insights.weekly_bookings(session, NOW)
        assert [(w.week.isoformat(), w.filiere, w.bookings) for w in weeks] == [
            ("2030-01-07", "droit", 1)
        ]


async def test_rates_list_every_filiere_and_questions_are_searchable(db: Database) -> None:
    mentor = await _mentor(db)
    async with db.session() as session:
        await catalog.create_filiere(session, "medecine", "Médecine", "Medicine", STAFF)
        made = await booking.book(
            session,
            mentor_id=mentor.id,
            slot_start=datetime(2030, 1, 7, 17, 0, tzinfo=UTC),
            visitor=booking.Visitor("Noé", "noe@example.fr", "Comment réviser le 100% partiel ?"),
            now=NOW,
            filiere="droit",
        )
        await booking.cancel_by_mentor(session, made.booking.id, mentor.id, NOW, "Empêchement")
        stats = await reports.statistics(session, NOW, NOW - timedelta(days=7))
        rates = {r.slug: r.counts for r in stats.per_filiere}
        assert set(rates) == {"droit", "medecine"}
        assert (rates["droit"].bookings, rates["droit"].cancellation_rate) == (1, 1.0)
        assert rates["medecine"].bookings == 0 and rates["medecine"].cancellation_rate is None
        found = await reports.questions(session, search="100%")
        assert [q.question for q in found] == ["Comment réviser le 100% partiel ?"]
        assert await reports.questions(session, search="100_") == []
        assert await reports.questions(session, filiere="medecine") == []


async def test_mentor_bookings_limit_and_ends_filter_the_rows_returned(db: Database) -> None:
    mentor = await factories.make_mentor(db)
    starts = [factories.TUESDAY_18H + timedelta(minutes=15 * i) for i in range(4)]
    for n, start in enumerate(starts, start=1):
        async with db.sessions() as session:
            await booking.book(
                session,
                mentor_id=mentor.id,
                slot_start=start,
                visitor=factories.visitor(n),
                now=factories.NOW,
            )
    window = (mentor.id, factories.NOW, factories.NOW + timedelta(days=7))
    async with db.sessions() as session:
        everything = await booking.list_mentor_bookings(session, *window)
        first_two = await booking.list_mentor_bookings(session, *window, limit=2)
        latest = await booking.list_mentor_bookings(session, *window, newest_first=True, limit=1)
        # At the second meeting's start the first has ended: out of "ahead", in "ended",
        # and the cap counts only the rows that pass.
        at = starts[1]
        ahead = await booking.list_mentor_bookings(session, *window, ends_after=at, limit=2)
        ended = await booking.list_mentor_bookings(session, *window, ends_by=at)
    assert [b.start for b in everything] == starts
    assert [b.start for b in first_two] == starts[:2]
    assert [b.start for b in latest] == starts[-1:]
    assert [b.start for b in ahead] == starts[1:3]
    assert [b.start for b in ended] == starts[:1]
