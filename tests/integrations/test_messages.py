from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta
from email import message_from_bytes, policy
from email.header import decode_header, make_header
from email.message import EmailMessage
from email.utils import parseaddr, parsedate_to_datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from icalendar import Calendar

from integrations.messages import (
    INVITE_METHOD,
    KINDS,
    RECIPIENTS,
    Brand,
    compose,
    compose_one,
    feedback_links,
)
from integrations.when import when_text
from testkit.booking_views import NOW, START, cancelled, make_view, rescheduled
from testkit.settings import settings_of
from tests.integrations.ical_rules import check_invite

BRAND = Brand(
    mail_from="Thotis <rendez-vous@thotis.fr>",
    public_url="https://rdv.thotis.fr",
    logo_url="https://www.thotis.fr/logo.png",
)
FEEDBACK = "https://rdv.thotis.fr/v1/feedback/fb-token-1"


def _all(view, **kwargs) -> dict[tuple[str, str], EmailMessage]:  # type: ignore[no-untyped-def]
    messages = {}
    for kind in KINDS:
        for message in compose(kind, view, BRAND, now=NOW, feedback_url=FEEDBACK, **kwargs):
            recipient = "mentor" if "univ.example" in str(message["To"]) else "visitor"
            messages[(kind, recipient)] = message
    return messages


def _part(message: EmailMessage, content_type: str) -> EmailMessage | None:
    for part in message.walk():
        if part.get_content_type() == content_type and not part.is_attachment():
            assert isinstance(part, EmailMessage)
            return part
    return None


def _text(message: EmailMessage) -> str:
    part = _part(message, "text/plain")
    assert part is not None
    return str(part.get_content())


def _html(message: EmailMessage) -> str:
    part = _part(message, "text/html")
    assert part is not None
    return str(part.get_content())


def _invite(message: EmailMessage) -> tuple[str, bytes] | None:
    part = _part(message, "text/calendar")
    if part is None:
        return None
    attachments = [
        p for p in message.iter_attachments() if p.get_content_type() == "application/ics"
    ]
    assert len(attachments) == 1
    data = part.get_payload(decode=True)
    assert attachments[0].get_payload(decode=True) == data
    return str(part.get_param("method")), data


def test_each_kind_goes_to_the_expected_people() -> None:
    view = make_view()
    messages = _all(view)
    assert set(messages) == {(kind, r) for kind in KINDS for r in RECIPIENTS[kind]}
    for (kind, recipient), message in messages.items():
        to = parseaddr(str(message["To"]))[1]
        assert to == (view.visitor_email if recipient == "visitor" else view.mentor_email)
        assert len(message.get_all("To")) == 1
        assert message["Cc"] is None and message["Bcc"] is None
        assert parseaddr(str(message["From"])) == ("Thotis", "rendez-vous@thotis.fr")
        assert parsedate_to_datetime(str(message["Date"])) == NOW
        assert str(message["Message-ID"]).endswith("@thotis.fr>")
        assert message["X-Thotis-Kind"] == kind
        assert message["List-Unsubscribe"] is None
        assert message["Auto-Submitted"] == "auto-generated"


def test_subjects_language_and_local_time() -> None:
    view = make_view(visitor_timezone="America/Montreal", language="en")
    messages = _all(view)
    visitor = messages[("booked", "visitor")]
    mentor = messages[("booked", "mentor")]
    assert visitor["Subject"] == "Call confirmed with Léa (Law) – Tuesday 3 March at 12:15"
    assert visitor["Content-Language"] == "en"
    assert "Tuesday 3 March 2026 at 12:15 (Montreal time)" in _text(visitor)
    assert '<html lang="en"' in _html(visitor)
    # The mentor reads French and their own time, whatever the visitor chose.
    assert mentor["Subject"] == "Nouvel échange réservé par Camille – mardi 3 mars à 18:15"
    assert mentor["Content-Language"] == "fr"
    assert "mardi 3 mars 2026 à 18:15 (heure de Paris)" in _text(mentor)
    assert '<html lang="fr"' in _html(mentor)


def test_french_is_the_default_for_visitors() -> None:
    messages = _all(make_view())
    expected = {
        "booked": "Échange confirmé avec Léa (Droit) – mardi 3 mars à 18:15",
        "rescheduled": "Nouvel horaire pour ton échange avec Léa (Droit) – mardi 3 mars à 18:15",
        "cancelled": "Échange annulé avec Léa (Droit) – mardi 3 mars à 18:15",
        "reminder_24h": "Rappel : ton échange avec Léa (Droit) – mardi 3 mars à 18:15",
        "reminder_1h": "Dans 1 heure : ton échange avec Léa (Droit) à 18:15",
        "follow_up": "Ton échange avec Léa t’a-t-il aidé ?",
    }
    for kind, subject in expected.items():
        message = messages[(kind, "visitor")]
        assert message["Subject"] == subject
        assert message["Content-Language"] == "fr"
        assert '<html lang="fr"' in _html(message)


def test_times_follow_each_persons_timezone_across_dst() -> None:
    # 17 March 2026: Toronto is already on summer time (UTC-4), Paris not yet (UTC+1).
    start = datetime(2026, 3, 17, 17, 15, tzinfo=UTC)
    view = make_view(
        start=start, visitor_timezone="America/Toronto", mentor_timezone="Europe/Paris"
    )
    visitor, mentor = compose("booked", view, BRAND, now=NOW)
    assert "mardi 17 mars 2026 à 13:15 (heure de Toronto)" in _text(visitor)
    assert "mardi 17 mars 2026 à 18:15 (heure de Paris)" in _text(mentor)
    assert "13:15" in str(visitor["Subject"]) and "18:15" in str(mentor["Subject"])


def test_when_text_in_both_languages() -> None:
    first = datetime(2026, 2, 28, 23, 30, tzinfo=UTC)  # 1 March in Paris
    assert (
        when_text(first, "Europe/Paris", "fr") == "dimanche 1er mars 2026 à 00:30 (heure de Paris)"
    )
    assert when_text(first, "Europe/Paris", "en") == "Sunday 1 March 2026 at 00:30 (Paris time)"
    assert (
        when_text(first, "Indian/Reunion", "fr")
        == "dimanche 1er mars 2026 à 03:30 (heure de La Réunion)"
    )
    assert when_text(first, "UTC", "fr") == "samedi 28 février 2026 à 23:30 (UTC)"
    # An unknown zone still gives a true time, labelled UTC.
    assert when_text(first, "Mars/Olympus", "en") == "Saturday 28 February 2026 at 23:30 (UTC)"


def test_invites_request_cancel_same_uid_higher_sequence() -> None:
    first = make_view()
    moved = rescheduled(first, START + timedelta(days=1))
    gone = cancelled(moved, by="visitor")
    seen = []
    for kind, view in (("booked", first), ("rescheduled", moved), ("cancelled", gone)):
        for message in compose(kind, view, BRAND, now=NOW):  # type: ignore[arg-type]
            found = _invite(message)
            assert found is not None, f"{kind} must carry an invite"
            method, data = found
            assert method == INVITE_METHOD[kind]  # type: ignore[index]
            calendar = check_invite(data, method)
            assert calendar.one("METHOD") == method
            event = Calendar.from_ical(data).walk("VEVENT")[0]
            seen.append((str(event["UID"]), int(event["SEQUENCE"]), kind))
    assert len({uid for uid, _, _ in seen}) == 1
    by_kind = {kind: sequence for _, sequence, kind in seen}
    assert by_kind["booked"] < by_kind["rescheduled"] < by_kind["cancelled"]


def test_message_structure_for_calendar_clients() -> None:
    (message,) = compose("booked", make_view(), BRAND, recipients=["visitor"], now=NOW)
    assert message.get_content_type() == "multipart/mixed"
    alternative = next(message.iter_parts())
    assert alternative.get_content_type() == "multipart/alternative"
    assert [p.get_content_type() for p in alternative.iter_parts()] == [
        "text/plain",
        "text/html",
        "text/calendar",
    ]
    calendar_part = list(alternative.iter_parts())[2]
    assert calendar_part.get_param("method") == "REQUEST"
    assert calendar_part.get_content_charset() == "utf-8"
    (attachment,) = message.iter_attachments()
    assert attachment.get_filename() == "invite.ics"
    # The calendar bytes survive serialisation exactly (CRLFs and folding included).
    again = message_from_bytes(message.as_bytes(), policy=policy.default)
    assert _invite(again) == _invite(message)  # type: ignore[arg-type]


def test_reminders_and_follow_up_carry_no_invite() -> None:
    messages = _all(make_view())
    for kind in ("reminder_24h", "reminder_1h", "follow_up"):
        for recipient in RECIPIENTS[kind]:  # type: ignore[index]
            message = messages[(kind, recipient)]
            assert _invite(message) is None
            assert message.get_content_type() == "multipart/alternative"


def test_mentor_invite_can_be_left_out() -> None:
    visitor, mentor = compose("booked", make_view(), BRAND, now=NOW, mentor_invite=False)
    assert _invite(visitor) is not None
    assert _invite(mentor) is None
    assert "L'invitation est jointe" not in _text(mentor)


def test_reply_to_is_the_mentor_only_with_consent_and_only_for_visitors() -> None:
    allowed = _all(make_view(mentor_allows_reply_to=True))
    for (kind, recipient), message in allowed.items():
        if recipient == "visitor":
            assert parseaddr(str(message["Reply-To"])) == ("Léa", "lea.mentor@univ.example"), kind
        else:
            assert message["Reply-To"] is None
    for message in _all(make_view(mentor_allows_reply_to=False)).values():
        assert message["Reply-To"] is None
        if message["To"] and "lycee.example" in str(message["To"]):
            assert "lea.mentor@univ.example" not in message.as_string()


def test_mentor_mail_shows_the_question_escaped() -> None:
    view = make_view(
        visitor_question='<script>alert("x")</script>\nEt <b>après</b> la L1 ?',
        visitor_first_name="<img src=x onerror=alert(1)>",
    )
    (mentor,) = compose("booked", view, BRAND, recipients=["mentor"], now=NOW)
    html = _html(mentor)
    assert "<script>" not in html and "<img src=x" not in html and "<b>après" not in html
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;<br>" in html
    assert "Et &lt;b&gt;après&lt;/b&gt; la L1 ?" in html
    assert '<script>alert("x")</script>' in _text(mentor)  # plain text shows it as typed


def test_names_cannot_inject_headers() -> None:
    view = make_view(
        visitor_first_name="Camille\r\nBcc: victim@example.com", mentor_name="Léa\nX: y"
    )
    for message in _all(view).values():
        assert message["Bcc"] is None and message["X"] is None
        assert "\n" not in str(message["Subject"])
        raw = message.as_bytes()
        assert b"\nBcc:" not in raw


def test_manage_link_only_for_the_visitor() -> None:
    view = make_view()
    for (kind, recipient), message in _all(view).items():
        body = _text(message) + _html(message)
        if recipient == "mentor":
            assert view.manage_url not in message.as_string(), kind
            assert "https://rdv.thotis.fr/mentor" in body
        elif kind not in ("follow_up", "cancelled"):  # nothing left to manage then
            assert view.manage_url in body, kind


def test_branding_and_accessibility() -> None:
    brand = dataclasses.replace(BRAND, primary_color="#123456", accent_color="#abcdef")
    for message in compose("booked", make_view(), brand, now=NOW):
        html = _html(message)
        assert 'src="https://www.thotis.fr/logo.png" alt="Thotis"' in html
        assert "#123456" in html and "#abcdef" in html
        assert "<title>" in html and 'role="presentation"' in html
        assert "<h1" in html


def test_brand_from_settings_and_colour_guard() -> None:
    settings = settings_of(
        mail_from="Thotis RDV <rdv@mail.thotis.fr>",
        public_url="https://x.example/",
        brand_primary_color="#000000",
    )
    brand = Brand.from_settings(settings)
    assert brand.mail_from == "Thotis RDV <rdv@mail.thotis.fr>"
    assert brand.mentor_url == "https://x.example/mentor"
    assert brand.domain == "mail.thotis.fr"
    with pytest.raises(ValueError):
        Brand(primary_color="red;background:url(x)")
    (message,) = compose("booked", make_view(), brand, recipients=["visitor"], now=NOW)
    assert str(message["Message-ID"]).endswith("@mail.thotis.fr>")


def test_cancellation_says_who_and_why() -> None:
    view = cancelled(make_view(), by="mentor", reason="Partiel déplacé <à 18h>")
    visitor, mentor = compose("cancelled", view, BRAND, now=NOW)
    assert "Léa a dû annuler ton échange" in _text(visitor)
    assert "Partiel déplacé <à 18h>" in _text(visitor)
    assert "Partiel déplacé &lt;à 18h&gt;" in _html(visitor)
    assert "Vous avez annulé l'échange avec Camille" in _text(mentor)

    by_visitor = cancelled(make_view(language="en"), by="visitor", reason=None)
    visitor, mentor = compose("cancelled", by_visitor, BRAND, now=NOW)
    assert "is cancelled, as you asked" in _text(visitor)
    assert "Reason" not in _text(visitor)
    assert "Camille a annulé son échange avec vous" in _text(mentor)


def test_reschedule_shows_old_and_new_time() -> None:
    moved = rescheduled(make_view(), START + timedelta(days=7))
    visitor, mentor = compose("rescheduled", moved, BRAND, now=NOW)
    assert "Nouvel horaire : mardi 10 mars 2026 à 18:15 (heure de Paris)" in _text(visitor)
    assert "Ancien horaire : mardi 3 mars 2026 à 18:15 (heure de Paris)" in _text(visitor)
    assert "Camille a déplacé son échange" in _text(mentor)


def test_reminders_name_the_lead_time() -> None:
    view = make_view()
    (day_before,) = compose("reminder_24h", view, BRAND, recipients=["visitor"], now=NOW)
    (hour_before,) = compose("reminder_1h", view, BRAND, recipients=["visitor"], now=NOW)
    assert "Ton échange a lieu demain" in _html(day_before)
    assert "Ton échange commence bientôt" in _html(hour_before)
    _, mentor = compose("reminder_1h", view, BRAND, now=NOW)
    assert "Comment se passe la première année ?" in _text(mentor)


def test_follow_up_asks_yes_or_no() -> None:
    (message,) = compose("follow_up", make_view(), BRAND, now=NOW, feedback_url=FEEDBACK)
    for body in (_text(message), _html(message)):
        assert f"{FEEDBACK}?helpful=yes" in body
        assert f"{FEEDBACK}?helpful=no" in body
    with pytest.raises(ValueError):
        compose("follow_up", make_view(), BRAND, now=NOW)
    with pytest.raises(ValueError):
        compose("follow_up", make_view(), BRAND, recipients=["mentor"], feedback_url=FEEDBACK)
    assert feedback_links("https://h/v1/feedback/t?src=mail") == (
        "https://h/v1/feedback/t?src=mail&helpful=yes",
        "https://h/v1/feedback/t?src=mail&helpful=no",
    )


def test_recomposing_keeps_the_message_id() -> None:
    view = make_view()
    first = compose_one("booked", "visitor", view, BRAND, now=NOW)
    again = compose_one("booked", "visitor", view, BRAND, now=NOW + timedelta(minutes=3))
    other = compose_one("booked", "mentor", view, BRAND, now=NOW)
    assert first["Message-ID"] == again["Message-ID"] != other["Message-ID"]
    moved = rescheduled(view, START + timedelta(days=1))
    assert compose_one("rescheduled", "visitor", moved, BRAND)["Message-ID"] != first["Message-ID"]


def test_without_meet_link_people_are_told_where_it_will_be() -> None:
    visitor, mentor = compose("booked", make_view(meet_url=None), BRAND, now=NOW)
    assert "Le lien apparaîtra sur ta page de réservation." in _html(visitor)
    assert "meet.google.com" not in visitor.as_string()
    assert "Le lien sera ajouté à l&#39;événement de votre agenda" in _html(mentor)


def test_unknown_kind_is_refused() -> None:
    with pytest.raises(ValueError):
        compose("welcome", make_view(), BRAND)  # type: ignore[arg-type]


free_text = st.text(st.characters(exclude_categories=("Cs",)), max_size=80)


@settings(max_examples=10)  # each example composes all 11 messages
@given(
    mentor=free_text.filter(lambda t: t.strip()),
    visitor=free_text.filter(lambda t: t.strip()),
    question=free_text,
    reason=free_text,
    language=st.sampled_from(["fr", "en"]),
)
def test_any_form_text_composes_safe_messages(
    mentor: str, visitor: str, question: str, reason: str, language: str
) -> None:
    view = cancelled(
        make_view(
            mentor_name=mentor,
            visitor_first_name=visitor,
            visitor_question=question + "<script>x</script>",
            language=language,
            mentor_allows_reply_to=True,
        ),
        by="visitor",
        reason=reason,
    )
    for kind in KINDS:
        for message in compose(kind, view, BRAND, now=NOW, feedback_url=FEEDBACK):
            raw = message.as_bytes()
            reparsed = message_from_bytes(raw, policy=policy.default)
            assert "\n" not in str(reparsed["Subject"])
            assert len(reparsed.get_all("To")) == 1
            assert reparsed["Bcc"] is None
            assert "<script>" not in _html(message)


@pytest.mark.parametrize("kind", ["booked", "rescheduled", "reminder_24h", "reminder_1h"])
def test_every_mail_about_a_coming_call_carries_the_readers_own_join_link(kind: str) -> None:
    visitor_join = "https://rdv.thotis.fr/join/visitor-token"
    mentor_join = "https://rdv.thotis.fr/join/mentor-token"
    view = make_view(
        meet_url=None,
        visitor_join_url=visitor_join,
        mentor_join_url=mentor_join,
        previous_start=START - timedelta(days=1),
    )
    for message in compose(kind, view, BRAND, now=NOW):  # type: ignore[arg-type]
        mentor = "univ.example" in str(message["To"])
        mine, theirs = (mentor_join, visitor_join) if mentor else (visitor_join, mentor_join)
        assert mine in _text(message) and f'href="{mine}"' in _html(message)
        # Every part decoded (the invites travel in base64).
        decoded = b"".join(
            part.get_payload(decode=True) or b""
            for part in message.walk()
            if not part.is_multipart()
        ).decode()
        assert mine in decoded and theirs not in decoded
        if mentor:
            # The visitor's address never reaches the mentor, mail or invite.
            assert view.visitor_email not in decoded + str(message)


@pytest.mark.parametrize("kind", KINDS)
def test_long_french_subjects_come_back_from_a_mail_parser_with_their_spaces(kind: str) -> None:
    # Names, filières and days of different lengths move the fold: the words at the fold
    # ("décembre à") used to be glued together by RFC 2047 readers.
    for mentor, filiere, start in [
        ("Élodie Ménard-Laurent", "Droit", datetime(2026, 12, 4, 8, 15, tzinfo=UTC)),
        ("Zoé", "Sciences politiques et relations internationales", START),
        ("Jean-Baptiste de la Fontaine", "Médecine", datetime(2026, 12, 8, 17, tzinfo=UTC)),
        ("Camille", "Droit", datetime(2027, 2, 12, 13, 45, tzinfo=UTC)),
    ]:
        view = make_view(
            mentor_name=mentor, filiere_name_fr=filiere, filiere_name_en=filiere, start=start
        )
        messages = compose(kind, view, BRAND, now=NOW, feedback_url=FEEDBACK)  # type: ignore[arg-type]
        for message in messages:
            subject = str(message["Subject"])
            for linesep in ("\n", "\r\n"):
                raw = message.as_bytes(policy=message.policy.clone(linesep=linesep))
                modern = message_from_bytes(raw, policy=policy.default)
                assert str(modern["Subject"]) == subject
                legacy = message_from_bytes(raw)
                assert str(make_header(decode_header(legacy["Subject"]))) == subject


def test_every_text_part_names_its_charset_once() -> None:
    for message in _all(make_view()).values():
        for part in message.walk():
            if part.get_content_maintype() == "text":
                assert str(part["Content-Type"]).lower().count("charset") == 1


def test_the_logo_is_the_services_own_by_default() -> None:
    brand = Brand.from_settings(settings_of(public_url="https://rdv.thotis.fr/"))
    assert brand.logo_url == "https://rdv.thotis.fr/brand/logo.png"
    (message,) = compose("booked", make_view(), brand, recipients=["visitor"], now=NOW)
    assert 'src="https://rdv.thotis.fr/brand/logo.png"' in _html(message)


def test_the_cancellation_offers_a_way_to_book_again() -> None:
    view = cancelled(make_view(filiere_slug="droit"), by="mentor")
    visitor, mentor = compose("cancelled", view, BRAND, now=NOW)
    again = f"https://rdv.thotis.fr/book/{view.mentor_id}?filiere=droit"
    assert again in _text(visitor) and f'href="{again}"' in _html(visitor)
    assert again not in _text(mentor)


@pytest.mark.parametrize(
    ("zone", "french", "english"),
    [
        ("Europe/Brussels", "heure de Bruxelles", "Brussels time"),
        ("Indian/Reunion", "heure de La Réunion", "Réunion time"),
        ("Pacific/Noumea", "heure de Nouméa", "Nouméa time"),
    ],
)
def test_zone_names_are_in_the_readers_language(zone: str, french: str, english: str) -> None:
    from integrations.when import zone_label

    assert zone_label(zone, "fr") == french and zone_label(zone, "en") == english


def test_the_first_of_the_month_is_1er_in_french() -> None:
    first = datetime(2026, 12, 1, 17, 0, tzinfo=UTC)
    assert (
        when_text(first, "Europe/Paris", "fr") == "mardi 1er décembre 2026 à 18:00 (heure de Paris)"
    )
    assert when_text(first, "Europe/Paris", "en") == "Tuesday 1 December 2026 at 18:00 (Paris time)"
