"""The mentor space (``/mentor``): bookings, onboarding, availability with its live preview,
the Google Calendar connection, profile and preferences, one controller per page group. Every
route acts on the signed-in mentor (``request.state.space``): no route takes a mentor id, and
another mentor's booking is answered like an unknown one (404).

Each page runs a fixed number of queries whatever the number of bookings (see bench/pages.py).
"""

from __future__ import annotations

from litestar import Router

from api.space.mentor.availability import MentorAvailabilityController
from api.space.mentor.bookings import MentorBookingsController
from api.space.mentor.calendar import MentorCalendarController
from api.space.mentor.impact import MentorImpactController
from api.space.mentor.onboarding import MentorOnboardingController
from api.space.mentor.overrides import MentorOverridesController
from api.space.mentor.photo import MentorPhotoController
from api.space.mentor.profile import MentorNotificationsController, MentorProfileController
from api.space.web import role_router
from scheduler.identity import Role

__all__ = ["build_mentor_router"]


def build_mentor_router() -> Router:
    return role_router(
        Role.MENTOR,
        MentorBookingsController,
        MentorOnboardingController,
        MentorCalendarController,
        MentorAvailabilityController,
        MentorOverridesController,
        MentorProfileController,
        MentorPhotoController,
        MentorNotificationsController,
        MentorImpactController,
    )
