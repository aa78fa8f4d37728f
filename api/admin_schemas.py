"""Request and response bodies of the mentor (``/v1/me``) and staff (``/v1/staff``) routes.

Bounds here are the first line of input checking (a violation is a 422 ``validation_failed``
before anything runs); the services check the meaning (ranges, policy, slugs) again.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal
from uuid import UUID

import msgspec

from api.decoding import TIMEZONE_PATTERN
from api.schemas import WallTime
from scheduler.catalog import SLUG_PATTERN

BookingStatus = Literal["confirmed", "cancelled", "rescheduled", "no_show"]

# A wall-clock range ["HH:MM", "HH:MM"], half-open, in the mentor's timezone; "24:00" may end it.
WallRange = Annotated[
    list[WallTime],
    msgspec.Meta(
        min_length=2,
        max_length=2,
        description='Plage horaire ["HH:MM", "HH:MM") / wall-clock range, 5-minute steps',
        examples=[["18:00", "20:00"]],
    ),
]
DayRanges = Annotated[list[WallRange], msgspec.Meta(max_length=24)]
Minutes = Annotated[int, msgspec.Meta(ge=0, le=10080)]  # up to 7 days, as the engine allows
Cap = Annotated[int, msgspec.Meta(ge=0, le=1000)]
Slug = Annotated[str, msgspec.Meta(min_length=1, max_length=60, pattern=SLUG_PATTERN)]
Name = Annotated[str, msgspec.Meta(min_length=1, max_length=120)]
DisplayName = Annotated[str, msgspec.Meta(min_length=1, max_length=80)]
Bio = Annotated[str, msgspec.Meta(max_length=1200)]
Url = Annotated[str, msgspec.Meta(max_length=500)]
LanguageCode = Annotated[str, msgspec.Meta(pattern=r"^[a-z]{2}$")]
Timezone = Annotated[str, msgspec.Meta(min_length=1, max_length=64, pattern=TIMEZONE_PATTERN)]
MentorReason = Annotated[str, msgspec.Meta(min_length=1, max_length=500)]


# --- mentor: availability --------------------------------------------------------------------


class WeeklyRanges(msgspec.Struct, forbid_unknown_fields=True):
    """Weekday -> ranges; "0" is Monday … "6" Sunday. A missing or empty weekday is off."""

    monday: DayRanges = msgspec.field(default_factory=list, name="0")
    tuesday: DayRanges = msgspec.field(default_factory=list, name="1")
    wednesday: DayRanges = msgspec.field(default_factory=list, name="2")
    thursday: DayRanges = msgspec.field(default_factory=list, name="3")
    friday: DayRanges = msgspec.field(default_factory=list, name="4")
    saturday: DayRanges = msgspec.field(default_factory=list, name="5")
    sunday: DayRanges = msgspec.field(default_factory=list, name="6")

    def by_weekday(self) -> dict[int, list[list[str]]]:
        days = (
            self.monday,
            self.tuesday,
            self.wednesday,
            self.thursday,
            self.friday,
            self.saturday,
            self.sunday,
        )
        return {weekday: list(ranges) for weekday, ranges in enumerate(days) if ranges}

    @classmethod
    def from_weekdays(cls, days: dict[int, list[list[str]]]) -> WeeklyRanges:
        names = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
        return cls(**{names[day]: ranges for day, ranges in days.items()})


class WeeklyRulesIn(msgspec.Struct, forbid_unknown_fields=True):
    """Replaces every weekly rule: ``{"rules": {"0": [["18:00", "20:00"]], "2": [...]}}``."""

    rules: WeeklyRanges


class WeeklyRulesOut(msgspec.Struct):
    timezone: str
    rules: WeeklyRanges


class OverrideIn(msgspec.Struct, forbid_unknown_fields=True):
    """The ranges of one local date, replacing its weekly rules; ``[]`` = day off."""

    ranges: DayRanges


class Override(msgspec.Struct):
    date: date
    ranges: DayRanges
    day_off: bool


class Overrides(msgspec.Struct):
    timezone: str
    overrides: list[Override]


class PolicyBody(msgspec.Struct, forbid_unknown_fields=True):
    """Booking policy: buffers around a meeting, minimum notice, how far ahead visitors may
    book, and caps on live bookings per local day / ISO week (``null`` = no cap)."""

    buffer_before_minutes: Minutes
    buffer_after_minutes: Minutes
    notice_minutes: Minutes
    horizon_days: Annotated[int, msgspec.Meta(ge=1, le=366)]
    day_cap: Cap | None = None
    week_cap: Cap | None = None


# --- mentor: bookings ------------------------------------------------------------------------


class MentorBooking(msgspec.Struct):
    """A booking as its mentor sees it (no visitor email: the call happens through the join
    link)."""

    id: UUID
    start: datetime
    end: datetime
    status: BookingStatus
    filiere: str | None
    visitor_first_name: str | None
    visitor_question: str | None
    visitor_timezone: str
    language: str
    meet_url: str | None
    cancelled_by: str | None
    cancel_reason: str | None
    # The mentor's stable link to the call ({PUBLIC_URL}/join/{token}), whatever the venue.
    join_url: str


class MentorCancelRequest(msgspec.Struct, forbid_unknown_fields=True):
    """The visitor receives the reason in the cancellation email."""

    reason: MentorReason


# --- staff: filières and mentors -------------------------------------------------------------


class FiliereCreate(msgspec.Struct, forbid_unknown_fields=True):
    slug: Slug
    name_fr: Name
    name_en: Name


class FiliereUpdate(msgspec.Struct, forbid_unknown_fields=True):
    name_fr: Name | None = None
    name_en: Name | None = None


class MentorAccount(msgspec.Struct):
    """A mentor's whole record, for staff and for the mentor themself."""

    id: UUID
    display_name: str
    email: str
    photo_url: str | None
    university: str
    year_of_study: int
    bio: str
    languages: list[str]
    timezone: str
    filieres: list[str]
    active: bool
    paused: bool
    allow_reply_to: bool
    # The mentor's own video call link (https), used instead of Google Meet or Jitsi.
    meeting_url: str | None = None


class MeetingLink(msgspec.Struct, forbid_unknown_fields=True):
    """``null`` or ``""`` removes the mentor's own link (back to Meet or Jitsi)."""

    meeting_url: Annotated[str, msgspec.Meta(max_length=500)] | None


class MentorCreate(msgspec.Struct, forbid_unknown_fields=True):
    display_name: DisplayName
    email: Annotated[str, msgspec.Meta(min_length=3, max_length=254)]
    university: Name
    year_of_study: Annotated[int, msgspec.Meta(ge=1, le=12)]
    filieres: Annotated[list[Slug], msgspec.Meta(min_length=1, max_length=20)]
    bio: Bio = ""
    photo_url: Url | None = None
    languages: Annotated[list[LanguageCode], msgspec.Meta(min_length=1, max_length=10)] = (
        msgspec.field(default_factory=lambda: ["fr"])
    )
    timezone: Timezone = "Europe/Paris"
    allow_reply_to: bool = False


class MentorUpdate(msgspec.Struct, forbid_unknown_fields=True):
    """A partial update: absent or ``null`` fields stay; ``photo_url: ""`` removes the photo."""

    display_name: DisplayName | None = None
    email: Annotated[str, msgspec.Meta(min_length=3, max_length=254)] | None = None
    university: Name | None = None
    year_of_study: Annotated[int, msgspec.Meta(ge=1, le=12)] | None = None
    filieres: Annotated[list[Slug], msgspec.Meta(min_length=1, max_length=20)] | None = None
    bio: Bio | None = None
    photo_url: Url | None = None
    languages: Annotated[list[LanguageCode], msgspec.Meta(min_length=1, max_length=10)] | None = (
        None
    )
    timezone: Timezone | None = None
    allow_reply_to: bool | None = None
    paused: bool | None = None


class MentorTokenIssued(msgspec.Struct):
    """Shown once: only its SHA-256 is stored. The API refuses it (401) from ``expires_at``
    on, or once revoked in the staff console."""

    mentor_id: UUID
    token: str
    expires_at: datetime


# --- staff: bookings, statistics, questions --------------------------------------------------


class StaffBooking(msgspec.Struct):
    id: UUID
    series_id: UUID
    mentor_id: UUID
    mentor_name: str
    filiere: str | None
    start: datetime
    end: datetime
    status: BookingStatus
    visitor_first_name: str | None
    visitor_email: str | None
    visitor_question: str | None
    visitor_timezone: str
    language: str
    cancelled_by: str | None
    cancel_reason: str | None
    cancelled_at: datetime | None
    created_at: datetime


class StaffCancelRequest(msgspec.Struct, forbid_unknown_fields=True):
    reason: Annotated[str, msgspec.Meta(max_length=500)] | None = None


class Counts(msgspec.Struct):
    bookings: int
    confirmed: int
    cancelled: int
    no_show: int
    held: int
    cancellation_rate: float | None
    no_show_rate: float | None


class FiliereStats(msgspec.Struct):
    filiere: str | None
    name_fr: str | None
    name_en: str | None
    counts: Counts


class MentorStats(msgspec.Struct):
    mentor_id: UUID
    display_name: str
    active: bool
    counts: Counts


class Stats(msgspec.Struct):
    """Rescheduled bookings count once (as their latest booking). ``cancellation_rate`` =
    cancelled / bookings; ``no_show_rate`` = no_show / held (started, not cancelled)."""

    start: datetime | None
    end: datetime | None
    total: Counts
    per_filiere: list[FiliereStats]
    per_mentor: list[MentorStats]


class VisitorQuestion(msgspec.Struct):
    """Once its booking's personal data is erased, a question is kept alone: no booking,
    status or mentor, and ``start`` is the first day of its month."""

    booking_id: UUID | None
    start: datetime
    status: BookingStatus | None
    filiere: str | None
    mentor_id: UUID | None
    mentor_name: str | None
    question: str
    language: str


# --- staff: the themes of the questions and the dataset (issue 17) ----------------------------


class QuestionTheme(msgspec.Struct):
    """A theme of a filière's questions in one month; questions are scrubbed."""

    id: int
    filiere: str
    period: str  # YYYY-MM
    key: str
    label: str
    question: str  # the most representative question
    count: int
    previous_count: int
    trend: int
    examples: list[str]
    approved: bool


class QuestionThemeDetail(msgspec.Struct):
    theme: QuestionTheme
    questions: list[str]


class ThemeApprovalRequest(msgspec.Struct, forbid_unknown_fields=True):
    approved: bool
