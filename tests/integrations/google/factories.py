"""Values the Google tests build often."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from uuid import UUID, uuid4

from scheduler.booking import BookingView
from scheduler.calendar import GoogleTokens
from testkit.booking_views import make_view
from testkit.fake_google import ALL_CALENDAR_SCOPES, FakeGoogle

MENTOR = "camille.mentor@example.org"
START = datetime(2031, 3, 10, 14, 0, tzinfo=UTC)


def booking_view(
    series_id: UUID | None = None, start: datetime = START, **changes: object
) -> BookingView:
    """testkit's booking view, as the Google tests know it: Camille the mentor at MENTOR, Léa the
    visitor, no Meet link yet."""
    values: dict[str, object] = {
        "mentor_id": uuid4(),
        "mentor_name": "Camille",
        "mentor_email": MENTOR,
        "visitor_first_name": "Léa",
        "visitor_email": "lea.visitor@example.org",
        "manage_url": "https://thotis.test/b/manage/abc",
        "meet_url": None,
    }
    return make_view(series_id=series_id, start=start, **(values | changes))


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
