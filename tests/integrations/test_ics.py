from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st
from icalendar import Calendar

from integrations.ics import invite, uid
from testkit.booking_views import NOW, START, cancelled, make_view, rescheduled
from tests.integrations.ical_rules import check_invite


def _event(data: bytes) -> tuple[Calendar, object]:
    calendar = Calendar.from_ical(data)
    events = calendar.walk("VEVENT")
    assert len(events) == 1
    return calendar, events[0]


def test_request_has_what_calendar_apps_need() -> None:
    view = make_view(mentor_allows_reply_to=True)
    data = invite(view, "REQUEST", NOW)

    check_invite(data, "REQUEST")
    calendar, event = _event(data)
    assert str(calendar["METHOD"]) == "REQUEST"
    assert str(event["UID"]) == f"{view.series_id}@thotis.fr"
    assert event["SEQUENCE"] == 0
    assert event.decoded("DTSTART") == START
    assert event.decoded("DTEND") == START + timedelta(minutes=15)
    assert event.decoded("DTSTAMP") == NOW
    assert str(event["SUMMARY"]) == "Échange Thotis avec Léa (Droit)"
    assert str(event["STATUS"]) == "CONFIRMED"
    assert str(event["LOCATION"]) == "https://meet.google.com/abc-defg-hij"
    assert str(event["URL"]) == "https://meet.google.com/abc-defg-hij"
    description = str(event["DESCRIPTION"])
    assert "mardi 3 mars 2026 à 18:15 (heure de Paris)" in description
    assert "https://meet.google.com/abc-defg-hij" in description
    assert view.manage_url in description
    organizer = event["ORGANIZER"]
    assert str(organizer) == "mailto:rendez-vous@thotis.fr"
    assert organizer.params["CN"] == "Thotis"
    attendees = {str(a): a.params for a in event["ATTENDEE"]}
    assert set(attendees) == {"mailto:camille@lycee.example", "mailto:lea.mentor@univ.example"}
    for params in attendees.values():
        assert params["PARTSTAT"] == "ACCEPTED"
        assert params["ROLE"] == "REQ-PARTICIPANT"
        assert params["RSVP"] == "FALSE"
    assert attendees["mailto:camille@lycee.example"]["CN"] == "Camille"
    (alarm,) = event.walk("VALARM")
    assert str(alarm["ACTION"]) == "DISPLAY"
    assert alarm.decoded("TRIGGER") == timedelta(minutes=-15)


def test_document_is_crlf_and_folded_even_with_long_text() -> None:
    view = make_view(
        mentor_name="Marie-Charlotte Élisabeth de La Tour d'Auvergne " * 3,
        filiere_name_fr="Mathématiques, informatique; et « sciences » appliquées " * 2,
    )
    data = invite(view, "REQUEST", NOW)
    check_invite(data, "REQUEST")
    assert b"\r\n " in data  # long lines were folded, not left long
    _, event = _event(data)
    assert "Marie-Charlotte Élisabeth" in str(event["SUMMARY"])


def test_cancel_removes_the_same_event() -> None:
    view = make_view()
    gone = cancelled(view, by="mentor", reason="Examen déplacé")
    data = invite(gone, "CANCEL", NOW)

    check_invite(data, "CANCEL")
    calendar, event = _event(data)
    assert str(calendar["METHOD"]) == "CANCEL"
    assert str(event["STATUS"]) == "CANCELLED"
    assert str(event["UID"]) == uid(view)
    assert event["SEQUENCE"] == 1
    assert not event.walk("VALARM")


def test_reschedule_then_cancel_keep_the_uid_and_raise_the_sequence() -> None:
    first = make_view()
    moved = rescheduled(first, START + timedelta(days=2))
    gone = cancelled(moved)
    documents = [
        invite(first, "REQUEST", NOW),
        invite(moved, "REQUEST", NOW + timedelta(hours=1)),
        invite(gone, "CANCEL", NOW + timedelta(hours=2)),
    ]
    events = [_event(data)[1] for data in documents]
    assert len({str(event["UID"]) for event in events}) == 1
    sequences = [event["SEQUENCE"] for event in events]
    assert sequences == sorted(sequences) and len(set(sequences)) == 3
    assert events[1].decoded("DTSTART") == START + timedelta(days=2)
    assert [event.decoded("DTSTAMP") for event in events] == sorted(
        event.decoded("DTSTAMP") for event in events
    )


def test_english_visitor_copy_and_french_mentor_copy() -> None:
    view = make_view(language="en", visitor_timezone="America/Montreal")
    _, visitor_event = _event(invite(view, "REQUEST", NOW))
    assert str(visitor_event["SUMMARY"]) == "Thotis call with Léa (Law)"
    assert "Tuesday 3 March 2026 at 12:15 (Montreal time)" in str(visitor_event["DESCRIPTION"])
    assert str(visitor_event.walk("VALARM")[0]["DESCRIPTION"]).startswith("Thotis call")

    mentor_data = invite(view, "REQUEST", NOW, audience="mentor")
    check_invite(mentor_data, "REQUEST")
    _, mentor_event = _event(mentor_data)
    assert str(mentor_event["SUMMARY"]) == "Échange Thotis avec Camille (Droit)"
    description = str(mentor_event["DESCRIPTION"])
    assert "mardi 3 mars 2026 à 18:15 (heure de Paris)" in description
    assert view.manage_url not in description  # the visitor's credential stays theirs
    assert view.visitor_question in description  # the mentor prepares from their calendar


def test_mentor_address_reaches_the_visitor_only_with_consent() -> None:
    closed = make_view(mentor_allows_reply_to=False)
    _, event = _event(invite(closed, "REQUEST", NOW))
    attendees = event["ATTENDEE"]
    attendees = attendees if isinstance(attendees, list) else [attendees]
    assert [str(a) for a in attendees] == ["mailto:camille@lycee.example"]
    assert b"lea.mentor@univ.example" not in invite(closed, "REQUEST", NOW)


def test_without_meet_link_there_is_no_location() -> None:
    view = make_view(meet_url=None)
    data = invite(view, "REQUEST", NOW)
    check_invite(data, "REQUEST")
    _, event = _event(data)
    assert "LOCATION" not in event and "URL" not in event
    assert view.manage_url in str(event["DESCRIPTION"])


def test_organizer_follows_the_sender_setting() -> None:
    data = invite(make_view(), "REQUEST", NOW, organizer="Équipe Thotis <rdv@example.org>")
    _, event = _event(data)
    assert str(event["ORGANIZER"]) == "mailto:rdv@example.org"
    assert event["ORGANIZER"].params["CN"] == "Équipe Thotis"


def test_times_are_written_in_utc_whatever_the_input_offset() -> None:
    paris = START.astimezone(ZoneInfo("Europe/Paris"))
    view = make_view(start=paris)
    data = invite(view, "REQUEST", NOW.astimezone(paris.tzinfo))
    assert b"DTSTART:20260303T171500Z" in data
    assert b"DTSTAMP:20260220T090000Z" in data


def test_rejects_naive_now_and_unknown_method() -> None:
    with pytest.raises(ValueError):
        invite(make_view(), "REQUEST", datetime(2026, 1, 1))
    with pytest.raises(ValueError):
        invite(make_view(), "PUBLISH", NOW)  # type: ignore[arg-type]


names = st.text(st.characters(exclude_categories=("Cs",)), min_size=1, max_size=120)


@given(
    mentor=names,
    visitor=names,
    filiere=names,
    language=st.sampled_from(["fr", "en"]),
    method=st.sampled_from(["REQUEST", "CANCEL"]),
    audience=st.sampled_from(["visitor", "mentor"]),
    consent=st.booleans(),
    sequence=st.integers(min_value=0, max_value=10_000),
    minutes=st.integers(min_value=-100_000, max_value=100_000),
)
def test_any_names_give_a_valid_document(
    mentor: str,
    visitor: str,
    filiere: str,
    language: str,
    method: str,
    audience: str,
    consent: bool,
    sequence: int,
    minutes: int,
) -> None:
    start = START + timedelta(minutes=5 * minutes)
    view = make_view(
        mentor_name=mentor,
        visitor_first_name=visitor,
        filiere_name_fr=filiere,
        filiere_name_en=filiere,
        language=language,
        sequence=sequence,
        mentor_allows_reply_to=consent,
        start=start,
    )
    data = invite(view, method, NOW, audience=audience)  # type: ignore[arg-type]
    check_invite(data, method)
    _, event = _event(data)
    assert event["SEQUENCE"] == sequence
    assert event.decoded("DTSTART") == start.astimezone(UTC)
    assert str(event["UID"]) == uid(view)


@pytest.mark.parametrize(
    "breakage",
    [
        lambda data: data.replace(b"\r\n", b"\n"),  # bare LF line endings
        lambda data: data.replace(b"\r\n ", b""),  # long lines left unfolded
        lambda data: data.replace(b"DTSTART:20260303T171500Z", b"DTSTART:20260303T181500"),
        lambda data: data.replace(b"METHOD:REQUEST\r\n", b""),
        lambda data: data.replace(b"END:VALARM\r\n", b""),
    ],
)
def test_the_rule_checker_rejects_broken_documents(breakage: object) -> None:
    data = invite(make_view(mentor_name="Léa " * 30), "REQUEST", NOW)
    check_invite(data, "REQUEST")
    with pytest.raises(AssertionError):
        check_invite(breakage(data), "REQUEST")  # type: ignore[operator]


VISITOR_JOIN = "https://rdv.thotis.fr/join/visitor-token"
MENTOR_JOIN = "https://rdv.thotis.fr/join/mentor-token"


@pytest.mark.parametrize("meet_url", [None, "https://meet.google.com/abc-defg-hij"])
def test_each_partys_invite_points_to_its_own_join_link(meet_url: str | None) -> None:
    view = make_view(meet_url=meet_url, visitor_join_url=VISITOR_JOIN, mentor_join_url=MENTOR_JOIN)
    for audience, link, other in (
        ("visitor", VISITOR_JOIN, MENTOR_JOIN),
        ("mentor", MENTOR_JOIN, VISITOR_JOIN),
    ):
        data = invite(view, "REQUEST", NOW, audience=audience)  # type: ignore[arg-type]
        check_invite(data, "REQUEST")
        _, event = _event(data)
        assert str(event["LOCATION"]) == link  # type: ignore[index]
        assert str(event["URL"]) == link  # type: ignore[index]
        assert link in str(event["DESCRIPTION"])  # type: ignore[index]
        assert other.encode() not in data
        if meet_url:
            # The join link resolves to Meet when opened; the invite never needs to change.
            assert meet_url.encode() not in data


@pytest.mark.parametrize("method", ["REQUEST", "CANCEL"])
def test_the_mentors_invite_never_carries_the_visitors_address(method: str) -> None:
    view = make_view(mentor_allows_reply_to=True, mentor_join_url=MENTOR_JOIN)
    data = invite(view, method, NOW, audience="mentor")  # type: ignore[arg-type]
    check_invite(data, method)
    assert view.visitor_email.encode() not in data
    _, event = _event(data)
    attendees = event["ATTENDEE"]  # type: ignore[index]
    attendees = attendees if isinstance(attendees, list) else [attendees]
    assert [str(a) for a in attendees] == [f"mailto:{view.mentor_email}"]
    assert "Camille" in str(event["SUMMARY"])  # type: ignore[index]


def test_the_mentors_invite_carries_the_question_to_prepare_from() -> None:
    view = make_view(visitor_question="Comment se passe\nla première année ?")
    _, event = _event(invite(view, "REQUEST", NOW, audience="mentor"))
    description = str(event["DESCRIPTION"])  # type: ignore[index]
    assert "Comment se passe" in description and "la première année ?" in description


@pytest.mark.parametrize("language", ["fr", "en"])
def test_the_visitors_description_links_to_their_manage_page(language: str) -> None:
    view = make_view(language=language)
    _, event = _event(invite(view, "REQUEST", NOW, audience="visitor"))
    assert view.manage_url in str(event["DESCRIPTION"])  # type: ignore[index]
