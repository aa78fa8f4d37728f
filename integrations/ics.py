"""iCalendar invites (RFC 5545 documents with RFC 5546 iTIP methods) for a booking.

One booking series is one meeting in people's calendars: the UID derives from
``view.series_id`` (the first booking of a reschedule chain) and every change the attendees
must see carries a higher ``SEQUENCE``, so a reschedule (``REQUEST``) moves the event and a
cancellation (``CANCEL``) removes it instead of adding a second one.

The organizer is Thotis (the sender of the mail), not the mentor: replies to the invite would
otherwise land in a mentor's mailbox as calendar noise. Both parties are attendees already
``ACCEPTED`` with ``RSVP=FALSE`` (a booking is confirmed when made; there is nothing to answer).
The mentor's address appears in the visitor's copy only when the mentor allowed being
contacted (``mentor_allows_reply_to``), the same consent that sets ``Reply-To``. The visitor's
address never appears in the mentor's copy (they may be minors; the mentor has the first name).
LOCATION and URL are the recipient's own join link (``{PUBLIC_URL}/join/{token}``), which opens
the current venue when clicked.

Times are written in UTC (``Z``): no VTIMEZONE to get wrong, and every calendar shows them in
its owner's zone. The zone the recipient booked in is named in the description text.
"""

from __future__ import annotations

import unicodedata
from datetime import datetime, timedelta
from email.utils import parseaddr
from typing import Literal

from icalendar import Alarm, Calendar, Event, vCalAddress, vText

from integrations.when import utc, when_text
from scheduler.booking import BookingView
from scheduler.platform import Language

Method = Literal["REQUEST", "CANCEL"]
Audience = Literal["visitor", "mentor"]

UID_DOMAIN = "thotis.fr"
PRODID = "-//Thotis//Booking engine//FR"
DEFAULT_ORGANIZER = "Thotis <rendez-vous@thotis.fr>"
ALARM_BEFORE = timedelta(minutes=15)
# Surrogate, unassigned, private-use and format characters (bidi overrides among them) are
# dropped from names; control characters become spaces.
_INVISIBLE = frozenset({"Cs", "Cn", "Co", "Cf"})

__all__ = [
    "ALARM_BEFORE",
    "DEFAULT_ORGANIZER",
    "PRODID",
    "Audience",
    "Method",
    "invite",
    "one_line",
    "uid",
]


def uid(view: BookingView) -> str:
    return f"{view.series_id}@{UID_DOMAIN}"


def invite(
    view: BookingView,
    method: Method,
    now: datetime,
    *,
    audience: Audience = "visitor",
    organizer: str = DEFAULT_ORGANIZER,
) -> bytes:
    """The ``.ics`` document (UTF-8, CRLF, folded at 75 octets) for ``audience``'s copy.

    ``REQUEST`` creates or updates the event, ``CANCEL`` removes it; ``now`` is ``DTSTAMP``.
    The visitor's copy is in ``view.language``; the mentor's in French.
    """
    if method not in ("REQUEST", "CANCEL"):
        raise ValueError(f"unsupported iTIP method {method!r}")
    language: Language = view.language if audience == "visitor" else "fr"

    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", method)

    event = Event()
    event.add("uid", uid(view))
    event.add("sequence", view.sequence)
    event.add("dtstamp", utc(now))
    event.add("dtstart", utc(view.start))
    event.add("dtend", utc(view.end))
    event.add("summary", _summary(view, audience, language))
    event.add("description", _description(view, audience, language))
    event.add("status", "CONFIRMED" if method == "REQUEST" else "CANCELLED")
    event.add("transp", "OPAQUE")
    link = _link(view, audience)
    if link:
        event.add("location", link)
        event.add("url", link)
    event.add("organizer", _address(organizer_name(organizer), organizer_email(organizer)))
    for attendee in _attendees(view, audience):
        event.add("attendee", attendee)
    if method == "REQUEST":
        event.add_component(_alarm(view, audience, language))
    calendar.add_component(event)
    document: bytes = calendar.to_ical()
    return document


def organizer_email(address: str) -> str:
    return parseaddr(address)[1] or parseaddr(DEFAULT_ORGANIZER)[1]


def organizer_name(address: str) -> str:
    return parseaddr(address)[0] or "Thotis"


def _link(view: BookingView, audience: Audience) -> str | None:
    """The recipient's stable join link: it opens the current venue when clicked, so a Meet link
    written back later or a reschedule needs no new invite. The raw video link only for a view
    built without join links."""
    join = view.visitor_join_url if audience == "visitor" else view.mentor_join_url
    return join or view.meet_url


def _filiere(view: BookingView, language: Language) -> str:
    return one_line(view.filiere_name_en if language == "en" else view.filiere_name_fr)


def _summary(view: BookingView, audience: Audience, language: Language) -> str:
    if audience == "mentor":
        return f"Échange Thotis avec {one_line(view.visitor_first_name)} ({_filiere(view, 'fr')})"
    name, filiere = one_line(view.mentor_name), _filiere(view, language)
    if language == "en":
        return f"Thotis call with {name} ({filiere})"
    return f"Échange Thotis avec {name} ({filiere})"


def _description(view: BookingView, audience: Audience, language: Language) -> str:
    minutes = int((view.end - view.start).total_seconds() // 60)
    tz_name = view.visitor_timezone if audience == "visitor" else view.mentor_timezone
    when = when_text(view.start, tz_name, language)
    if audience == "mentor":
        lines = [
            f"Échange de {minutes} minutes avec {one_line(view.visitor_first_name)}, "
            f"qui s'intéresse à la filière {_filiere(view, 'fr')}.",
            f"Heure : {when}.",
        ]
        link = _link(view, "mentor")
        lines.append(
            f"Lien de la visio : {link}"
            if link
            else "Le lien de la visio sera ajouté à l'événement dès qu'il est prêt."
        )
        question = (view.visitor_question or "").strip()
        if question:
            # What the visitor wants to ask, so the mentor can prepare from their calendar.
            lines.append("Sa question :")
            lines.extend(one_line(line) for line in question.splitlines() if line.strip())
        return "\n".join(lines)
    name = one_line(view.mentor_name)
    filiere = _filiere(view, language)
    link = _link(view, "visitor")
    if language == "en":
        lines = [
            f"A {minutes}-minute video call on Thotis with {name}, who studies {filiere}.",
            f"Time: {when}.",
            f"Video link: {link}"
            if link
            else f"The video link will appear on your booking page: {view.manage_url}",
            f"Cancel or reschedule: {view.manage_url}",
        ]
    else:
        lines = [
            f"Échange vidéo de {minutes} minutes sur Thotis avec {name}, qui étudie en {filiere}.",
            f"Heure : {when}.",
            f"Lien de la visio : {link}"
            if link
            else f"Le lien de la visio apparaîtra sur ta page de réservation : {view.manage_url}",
            f"Annuler ou déplacer : {view.manage_url}",
        ]
    return "\n".join(lines)


def _attendees(view: BookingView, audience: Audience) -> list[vCalAddress]:
    mentor = _address(view.mentor_name, view.mentor_email, attendee=True)
    if audience == "mentor":
        # The visitor's address never reaches the mentor (nor the calendar the mentor's copy
        # lands in): the summary names them by first name and the join link is the way in.
        return [mentor]
    visitor = _address(view.visitor_first_name, view.visitor_email, attendee=True)
    return [visitor, mentor] if view.mentor_allows_reply_to else [visitor]


def _address(name: str, email: str, *, attendee: bool = False) -> vCalAddress:
    address = vCalAddress(f"mailto:{email}")
    # RFC 6868 would escape a double quote as ^' which Outlook shows literally: drop it.
    address.params["CN"] = vText(one_line(name).replace('"', "'"))
    if attendee:
        address.params["CUTYPE"] = "INDIVIDUAL"
        address.params["ROLE"] = "REQ-PARTICIPANT"
        address.params["PARTSTAT"] = "ACCEPTED"
        address.params["RSVP"] = "FALSE"
    return address


def _alarm(view: BookingView, audience: Audience, language: Language) -> Alarm:
    alarm = Alarm()
    alarm.add("action", "DISPLAY")
    alarm.add("trigger", -ALARM_BEFORE)
    alarm.add("description", _summary(view, audience, language))
    return alarm


def one_line(text: str) -> str:
    """Names come from forms: line breaks, tabs and other control characters must not reach a
    summary, a parameter or a mail header (RFC 5545 forbids CONTROL in TEXT)."""
    kept = []
    for char in text:
        category = unicodedata.category(char)
        if category == "Cc":
            kept.append(" ")
        elif category not in _INVISIBLE:
            kept.append(char)
    return " ".join("".join(kept).split())
