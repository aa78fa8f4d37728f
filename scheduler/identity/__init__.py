"""Who is signed in: browser sessions and one-time links, staff API keys, mentor tokens,
invitations."""

from scheduler.identity.credentials import (
    MentorTokenLine,
    StaffKeyLine,
    create_mentor_token,
    create_staff_api_key,
    list_mentor_tokens,
    list_staff_api_keys,
    revoke_mentor_token,
    revoke_staff_api_key,
    verify_mentor_token,
    verify_staff_api_key,
)
from scheduler.identity.models import MentorInvitation, MentorToken, Role, StaffApiKey
from scheduler.identity.sessions import (
    INVITATION_LINK_TTL,
    SIGN_IN_LINK_TTL,
    SpaceSession,
    csrf_matches,
    end_session,
    find_session,
    staff_allowed,
)

__all__ = [
    "INVITATION_LINK_TTL",
    "SIGN_IN_LINK_TTL",
    "MentorInvitation",
    "MentorToken",
    "MentorTokenLine",
    "Role",
    "SpaceSession",
    "StaffApiKey",
    "StaffKeyLine",
    "create_mentor_token",
    "create_staff_api_key",
    "csrf_matches",
    "end_session",
    "find_session",
    "list_mentor_tokens",
    "list_staff_api_keys",
    "revoke_mentor_token",
    "revoke_staff_api_key",
    "staff_allowed",
    "verify_mentor_token",
    "verify_staff_api_key",
]
