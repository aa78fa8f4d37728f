"""A booking as a Google Calendar event, and what the adapter reads back from events."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from availability.intervals import as_utc
from scheduler.booking import BookingView
from scheduler.calendar import SyncedEvent, event_id_for_series

JSON = dict[str, Any]
SERIES_PROPERTY = "thotisSeriesId"
BOOKING_PROPERTY = "thotisBookingId"


def rfc3339(instant: datetime) -> str:
    return as_utc(instant).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_rfc3339(text: str) -> datetime:
    return as_utc(datetime.fromisoformat(text))


def conference_request_id(series_id: UUID) -> str:
    """Stable per series: Google ignores a create request whose id it has already seen, so a
    retried insert or a patch never makes a second Meet."""
    return f"thotis-{series_id.hex}"


def _description(view: BookingView) -> str:
    lines = [
        f"Échange de 15 minutes avec {view.visitor_first_name}, lycéen·ne intéressé·e par "
        f"{view.filiere_name_fr}, réservé sur Thotis.",
    ]
    if view.visitor_question:
        lines.append(f"Sa question : {view.visitor_question}")
    lines += [
        "",
        f"15-minute Q&A with {view.visitor_first_name}, a high-school student interested in "
        f"{view.filiere_name_en}, booked on Thotis.",
    ]
    if view.visitor_question:
        lines.append(f"Their question: {view.visitor_question}")
    if view.mentor_join_url:
        lines += ["", f"Rejoindre l'appel / Join the call : {view.mentor_join_url}"]
    return "\n".join(lines)


def event_body(view: BookingView) -> JSON:
    """The event's fields (without ``id``), for insert and for patch alike."""
    return {
        "summary": f"Thotis · {view.filiere_name_fr} · {view.visitor_first_name}",
        "description": _description(view),
        "start": {"dateTime": rfc3339(view.start), "timeZone": view.mentor_timezone},
        "end": {"dateTime": rfc3339(view.end), "timeZone": view.mentor_timezone},
        # Restores the event if the mentor deleted it in Google and the booking still stands.
        "status": "confirmed",
        "transparency": "opaque",
        "location": view.mentor_join_url or "",
        # No attendee: the visitor's address is never given to the mentor's calendar (nor to
        # Google). The description names them by first name and carries the mentor's join link.
        "attendees": [],
        "guestsCanInviteOthers": False,
        "guestsCanSeeOtherGuests": False,
        "guestsCanModify": False,
        "reminders": {"useDefault": True},
        "extendedProperties": {
            "private": {
                SERIES_PROPERTY: str(view.series_id),
                BOOKING_PROPERTY: str(view.booking_id),
            }
        },
        "conferenceData": {
            "createRequest": {
                "requestId": conference_request_id(view.series_id),
                "conferenceSolutionKey": {"type": "hangoutsMeet"},
            }
        },
    }


def insert_body(view: BookingView) -> JSON:
    return {"id": event_id_for_series(view.series_id), **event_body(view)}


def conference_status(event: JSON) -> str | None:
    """``pending``, ``success``, ``failure``, or None when no conference was requested."""
    conference = event.get("conferenceData") or {}
    status = (conference.get("createRequest") or {}).get("status") or {}
    if status.get("statusCode"):
        return str(status["statusCode"])
    return "success" if meet_url(event) else None


def meet_url(event: JSON) -> str | None:
    if event.get("hangoutLink"):
        return str(event["hangoutLink"])
    for entry in (event.get("conferenceData") or {}).get("entryPoints") or []:
        if entry.get("entryPointType") == "video" and entry.get("uri"):
            return str(entry["uri"])
    return None


def _bound(value: JSON | None) -> datetime | None:
    if value and value.get("dateTime"):
        return parse_rfc3339(value["dateTime"]).astimezone(UTC)
    return None


def synced_event(item: JSON) -> SyncedEvent:
    private = (item.get("extendedProperties") or {}).get("private") or {}
    series: UUID | None
    try:
        series = UUID(private[SERIES_PROPERTY]) if SERIES_PROPERTY in private else None
    except ValueError:
        series = None
    return SyncedEvent(
        event_id=str(item["id"]),
        start=_bound(item.get("start")),
        end=_bound(item.get("end")),
        series_id=series,
    )
