"""What signing in shares: the sign-in page, the link mail, opening a session, the one Google
callback address."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from email.message import EmailMessage
from typing import Any
from uuid import UUID

from litestar import Request, Response
from sqlalchemy.ext.asyncio import AsyncSession

from api.space import oidc
from api.space.mail import sign_in_message
from api.space.web import (
    BIND_COOKIE,
    BIND_PATH,
    SESSION_COOKIE,
    SESSION_PATH,
    Web,
    safe_next,
)
from integrations.messages import Brand
from scheduler.identity import (
    INVITATION_LINK_TTL,
    SIGN_IN_LINK_TTL,
    Role,
    invitations,
    sessions,
)
from scheduler.platform import Settings

log = logging.getLogger("thotis.space")

CALLBACK_PATH = "/auth/google/callback"
SIGN_IN_ERRORS = {
    "not_invited": (
        "Ce compte Google n'est pas celui d'un mentor invité par l'équipe Thotis. Utilisez "
        "l'adresse de votre invitation, ou demandez un lien par email.",
        "This Google account is not one of a mentor invited by the Thotis team. Use the address "
        "you were invited with, or ask for a link by email.",
    ),
    "not_staff": (
        "Ce compte Google ne fait pas partie de l'équipe Thotis.",
        "This Google account is not part of the Thotis team.",
    ),
    "google": (
        "Google n'a pas confirmé votre identité. Réessayez.",
        "Google did not confirm who you are. Try again.",
    ),
    "cancelled": ("Connexion annulée.", "Sign-in cancelled."),
    "link": (
        "Ce lien de connexion n'est plus valable (déjà utilisé ou inconnu). Demandez-en un nouveau.",
        "This sign-in link is no longer valid (already used or unknown). Ask for a new one.",
    ),
    "link_expired": (
        "Ce lien de connexion a expiré. Demandez-en un nouveau.",
        "This sign-in link has expired. Ask for a new one.",
    ),
    "not_staff_any_more": (
        "Cette adresse ne fait plus partie de l'équipe Thotis : la session est terminée.",
        "This address is no longer part of the Thotis team: the session has ended.",
    ),
    "not_configured": (
        "La connexion avec Google n'est pas configurée sur ce serveur.",
        "Signing in with Google is not configured on this server.",
    ),
}


def redirect_uri(web: Web) -> str:
    return f"{web.settings.http.public_url.rstrip('/')}{CALLBACK_PATH}"


def link_url(web: Web, raw: str, role: Role = Role.MENTOR) -> str:
    return settings_link_url(web.settings, raw, role)


def settings_link_url(settings: Settings, raw: str, role: Role = Role.MENTOR) -> str:
    return f"{settings.http.public_url.rstrip('/')}{SESSION_PATH[role]}/sign-in/link/{raw}"


def link_message(
    web: Web,
    *,
    email: str,
    name: str,
    raw: str,
    now: Any,
    invitation: bool,
    role: Role = Role.MENTOR,
) -> EmailMessage:
    return settings_link_message(
        web.settings, email=email, name=name, raw=raw, now=now, invitation=invitation, role=role
    )


def settings_link_message(
    settings: Settings,
    *,
    email: str,
    name: str,
    raw: str,
    now: Any,
    invitation: bool,
    role: Role = Role.MENTOR,
) -> EmailMessage:
    """The link mail from the settings alone (the worker has no request to hand)."""
    ttl = INVITATION_LINK_TTL if invitation else SIGN_IN_LINK_TTL
    minutes = int(ttl.total_seconds() // 60)
    valid_fr, valid_en = (
        (f"{ttl.days} jours", f"{ttl.days} days")
        if ttl.days
        else (f"{minutes} minutes", f"{minutes} minutes")
    )
    return sign_in_message(
        Brand.from_settings(settings),
        to_email=email,
        name=name,
        url=settings_link_url(settings, raw, role),
        now=now,
        invitation=invitation,
        valid_for=valid_fr,
        valid_for_en=valid_en,
        staff=role == Role.STAFF,
    )


def sign_in_page(
    web: Web, request: Request[Any, Any, Any], role: Role, **context: Any
) -> Response[str]:
    token, cookies = web.pre_token(request)
    error = request.query_params.get("error")
    return web.render(
        request,
        "sign_in.html",
        http_status=context.pop("http_status", 200),
        cookies=cookies,
        role=role,
        pre_token=token,
        google=oidc.configured(web.settings.google),
        next_path=safe_next(request.query_params.get("next"), role),
        expired=request.query_params.get("expired") == "1",
        signed_out=request.query_params.get("signed_out") == "1",
        error=SIGN_IN_ERRORS.get(error or ""),
        **context,
    )


async def open_space(
    web: Web,
    session: AsyncSession,
    now: datetime,
    role: Role,
    *,
    mentor_id: UUID | None = None,
    email: str | None = None,
) -> Response[str]:
    """A new session for whoever just proved who they are, then their space."""
    lifetime = timedelta(hours=web.settings.access.session_lifetime_hours)
    raw, _ = await sessions.open_session(
        session, role=role, now=now, lifetime=lifetime, mentor_id=mentor_id, staff_email=email
    )
    if mentor_id is not None:
        await invitations.note_sign_in(session, mentor_id, now)
    cookies = [
        web.cookie(
            SESSION_COOKIE[role], raw, SESSION_PATH[role], max_age=int(lifetime.total_seconds())
        ),
        web.expired_cookie(BIND_COOKIE, BIND_PATH),
    ]
    return web.redirect(SESSION_PATH[role], cookies)
