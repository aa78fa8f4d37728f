"""Values the Google tests build often."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from uuid import UUID, uuid4

from scheduler.booking import BookingView
from scheduler.calendar import GoogleTokens
from testkit.fake_google import ALL_CALENDAR_SCOPES, FakeGoogle

MENTOR = "camille.mentor@example.org"
START = datetime(2031, 3, 10, 14, 0, tzinfo=UTC)


def booking_view(
    series_id: UUID | None = None, start: datetime = START, **changes: object
) -> BookingView:
    series = series_id or uuid4()
    view = BookingView(
        booking_id=series,
        series_id=series,
        sequence=0,
        status="confirmed",
        start=start,
        end=start + timedelta(minutes=15),
        mentor_id=uuid4(),
        mentor_name="Camille",
        mentor_email=MENTOR,
        mentor_timezone="Europe/Paris",
        mentor_allows_reply_to=False,
        filiere_name_fr="Droit",
        filiere_name_en="Law",
        visitor_first_name="Léa",
        visitor_email="lea.visitor@example.org",
        visitor_question="Comment se passe la première année ?",
        visitor_timezone="Europe/Paris",
        language="fr",
        manage_url="https://thotis.test/b/manage/abc",
    )
    return replace(view, **changes)  # type: ignore[arg-type]


def connected(
    fake: FakeGoogle,
    email: str = MENTOR,
    *,
    scopes: frozenset[str] = ALL_CALENDAR_SCOPES,
    expiry: datetime | None = None,
) -> GoogleTokens:
    """Tokens of an account that connected earlier (the OAuth flow has its own tests)."""
    if email not in fake.calendars:
        fake.add_account(email)
    access, refresh = fake.issue_tokens(email, scopes)
    return GoogleTokens(
        access_token=access,
        refresh_token=refresh,
        expiry=expiry or datetime.now(UTC) + timedelta(minutes=50),
        scopes=tuple(sorted(scopes)),
    )


class Sleeps:
    """Stands in for time.sleep in the client's back-off: records instead of waiting."""

    def __init__(self) -> None:
        self.calls: list[float] = []

    def __call__(self, seconds: float) -> None:
        self.calls.append(seconds)
