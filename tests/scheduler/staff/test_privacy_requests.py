"""A visitor's own privacy request: the link mailed to the booking's address works once and
expires, an address may ask three times an hour, and expired requests are deleted."""

from __future__ import annotations

from datetime import timedelta

import pytest

from scheduler import booking
from scheduler.platform import Database, InvalidToken, TokenExpired
from scheduler.staff import privacy_requests
from scheduler.staff.models import PrivacyRequest
from testkit.factories import NOW, TUESDAY_18H, count, make_mentor, visitor

EMAIL = "lea1@lycee.example.fr"


async def _booked(db: Database) -> booking.BookResult:
    mentor = await make_mentor(db)
    async with db.sessions() as session:
        return await booking.book(
            session, mentor_id=mentor.id, slot_start=TUESDAY_18H, visitor=visitor(1), now=NOW
        )


async def test_a_visitors_request_link_works_once_and_expires(db: Database) -> None:
    booked = await _booked(db)
    async with db.sessions() as session:
        made = await privacy_requests.request_by_visitor(session, booked.booking.id, "erase", NOW)
        assert made is not None and made.email == EMAIL
        seen = await privacy_requests.peek_request(session, made.token, NOW)
        assert (seen.kind, seen.email) == ("erase", EMAIL)
        with pytest.raises(TokenExpired):
            await privacy_requests.use_request(session, made.token, NOW + timedelta(days=2))
        used = await privacy_requests.use_request(session, made.token, NOW)
        assert used.kind == "erase"
        with pytest.raises(InvalidToken):
            await privacy_requests.use_request(session, made.token, NOW)


async def test_a_visitor_may_ask_three_times_an_hour(db: Database) -> None:
    booked = await _booked(db)
    async with db.sessions() as session:
        answers = [
            await privacy_requests.request_by_visitor(session, booked.booking.id, "export", NOW)
            for _ in range(4)
        ]
    assert [a is not None for a in answers] == [True, True, True, False]


async def test_expired_requests_are_deleted_with_their_address(db: Database) -> None:
    booked = await _booked(db)
    async with db.sessions() as session:
        await privacy_requests.request_by_visitor(session, booked.booking.id, "export", NOW)
        assert await privacy_requests.purge_expired_requests(session, NOW + timedelta(hours=1)) == 0
        assert await privacy_requests.purge_expired_requests(session, NOW + timedelta(days=2)) == 1
    assert await count(db, PrivacyRequest) == 0
