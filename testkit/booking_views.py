"""BookingView values for the mail and invite tests, built directly (no database)."""

from __future__ import annotations

import dataclasses
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from scheduler.booking import BookingView

START = datetime(2026, 3, 3, 17, 15, tzinfo=UTC)  # mardi 3 mars 2026, 18:15 in Paris
NOW = datetime(2026, 2, 20, 9, 0, tzinfo=UTC)


def make_view(**changes: Any) -> BookingView:
    series = changes.pop("series_id", None) or uuid.uuid4()
    start = changes.pop("start", START)
    base = BookingView(
        booking_id=series,
        series_id=series,
        sequence=0,
        status="confirmed",
        start=start,
        end=start + timedelta(minutes=15),
        mentor_id=uuid.UUID("00000000-0000-4000-8000-00000000000a"),
        mentor_name="Léa",
        mentor_email="lea.mentor@univ.example",
        mentor_timezone="Europe/Paris",
        mentor_allows_reply_to=False,
        filiere_name_fr="Droit",
        filiere_name_en="Law",
        visitor_first_name="Camille",
        visitor_email="camille@lycee.example",
        visitor_question="Comment se passe la première année ?",
        visitor_timezone="Europe/Paris",
        language="fr",
        manage_url="http://127.0.0.1:8000/manage/tok-visitor-123",
        meet_url="https://meet.google.com/abc-defg-hij",
    )
    return dataclasses.replace(base, **changes)


def rescheduled(view: BookingView, new_start: datetime) -> BookingView:
    """The next booking of the same series, as the booking core builds it."""
    return dataclasses.replace(
        view,
        booking_id=uuid.uuid4(),
        sequence=view.sequence + 1,
        start=new_start,
        end=new_start + (view.end - view.start),
        previous_start=view.start,
    )


def cancelled(view: BookingView, by: str = "visitor", reason: str | None = None) -> BookingView:
    return dataclasses.replace(
        view,
        sequence=view.sequence + 1,
        status="cancelled",
        cancelled_by=by,
        cancel_reason=reason,
    )
