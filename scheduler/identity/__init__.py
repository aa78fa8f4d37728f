"""Who is signed in: browser sessions and one-time links, staff API keys, mentor tokens,
invitations."""

from scheduler.identity.credentials import (
    create_mentor_token,
    create_staff_api_key,
    verify_mentor_token,
    verify_staff_api_key,
)
from scheduler.identity.models import MentorInvitation, MentorToken, Role, StaffApiKey
from scheduler.identity.sessions import (
    INVITATION_LINK_TTL,
    SIGN_IN_LINK_TTL,
    SpaceSession,
    csrf_matches,
    find_session,
)

__all__ = [
    "INVITATION_LINK_TTL",
    "SIGN_IN_LINK_TTL",
    "MentorInvitation",
    "MentorToken",
    "Role",
    "SpaceSession",
    "StaffApiKey",
    "create_mentor_token",
    "create_staff_api_key",
    "csrf_matches",
    "find_session",
    "verify_mentor_token",
    "verify_staff_api_key",
]
