"""The staff console (``/staff``): mentors and their connection health, invitations, filières,
moderation with the audit trail, statistics with charts and the visitors' questions, one
controller per page group.

Signed in with Google or a one-time link by email, for ``settings.access.staff_emails`` or
``settings.access.staff_domain`` only (checked again on every request). Every
change is recorded in the audit trail under the staff member's email.
"""

from __future__ import annotations

from litestar import Router

from api.space.staff.bookings import StaffBookingsController
from api.space.staff.credentials import CredentialsController
from api.space.staff.filieres import FilieresController
from api.space.staff.invitations import InvitationsController
from api.space.staff.mentors import StaffMentorsController
from api.space.staff.moderation import ModerationController
from api.space.staff.privacy import PrivacyController
from api.space.staff.statistics import StatisticsController
from api.space.staff.themes import ThemesController
from api.space.staff.webhooks import WebhooksController
from api.space.web import role_router
from scheduler.identity import Role

__all__ = ["build_staff_router"]


def build_staff_router() -> Router:
    return role_router(
        Role.STAFF,
        StaffMentorsController,
        InvitationsController,
        FilieresController,
        ModerationController,
        StatisticsController,
        CredentialsController,
        PrivacyController,
        StaffBookingsController,
        WebhooksController,
        ThemesController,
    )
