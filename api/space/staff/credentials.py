"""« Clés et jetons »: the staff API keys and the mentors' tokens, listed with their expiry,
made (the secret shown once, on the page that made it) and revoked behind a confirmation.

A new key or token expires after ``settings.access.credential_lifetime_days`` unless the member of
staff picks another lifetime from the form's short list: a forgotten credential stops working
by itself. The list never holds a secret (only its SHA-256 is stored).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

from litestar import Controller, Request, Response, get, post
from sqlalchemy.ext.asyncio import AsyncSession

from api.deps import Now, Session
from api.space import forms
from api.space.deps import Pages
from api.space.forms import tr
from api.space.staff.common import actor, page
from api.space.web import Web, error_text, language
from api.text import clean_text
from scheduler import catalog
from scheduler.identity import (
    create_mentor_token,
    create_staff_api_key,
    list_mentor_tokens,
    list_staff_api_keys,
    revoke_mentor_token,
    revoke_staff_api_key,
)
from scheduler.platform import MentorUnavailable, NotFound, SchedulingError

# The lifetimes the form offers, in days; the settings' default is added when it differs.
LIFETIMES = (30, 90, 365)


def lifetimes(web: Web) -> list[int]:
    return sorted({*LIFETIMES, web.settings.access.credential_lifetime_days})


def expiry(web: Web, form: Any, now: datetime) -> datetime:
    """The expiry the form asks for: one of the offered lifetimes, else the default."""
    days = web.settings.access.credential_lifetime_days
    asked = forms.field(form, "days", 5)
    if asked.isdigit() and int(asked) in lifetimes(web):
        days = int(asked)
    return now + timedelta(days=days)


async def credentials_page(
    web: Web,
    request: Request[Any, Any, Any],
    session: AsyncSession,
    now: datetime,
    *,
    http_status: int = 200,
    error: str | None = None,
    secret: str | None = None,
    secret_of: str | None = None,
) -> Response[str]:
    return page(
        web,
        request,
        "staff/credentials.html",
        http_status=http_status,
        keys=await list_staff_api_keys(session),
        tokens=await list_mentor_tokens(session),
        mentors=await catalog.list_mentors(session),
        lifetimes=lifetimes(web),
        default_days=web.settings.access.credential_lifetime_days,
        now=now,
        error=error,
        secret=secret,
        secret_of=secret_of,
    )


class CredentialsController(Controller):
    path = "/credentials"

    @get("/")
    async def credentials(
        self, request: Request[Any, Any, Any], session: Session, now: Now, web: Pages
    ) -> Response[str]:
        return await credentials_page(web, request, session, now)

    @post("/keys")
    async def create_key(
        self, request: Request[Any, Any, Any], session: Session, now: Now, web: Pages
    ) -> Response[str]:
        form = await request.form()
        lang = language(request)
        try:
            key, raw = await create_staff_api_key(
                session,
                clean_text(forms.field(form, "name", 200)),
                actor(request),
                expires_at=expiry(web, form, now),
            )
        except SchedulingError as error:
            return await credentials_page(
                web, request, session, now, http_status=422, error=error_text(error, lang)
            )
        # Shown on this answer only (no redirect to a page that could show it again).
        return await credentials_page(
            web,
            request,
            session,
            now,
            http_status=201,
            secret=raw,
            secret_of=tr(lang, f"la clé d'API « {key.name} »", f"the API key “{key.name}”"),
        )

    @post("/tokens")
    async def create_token(
        self, request: Request[Any, Any, Any], session: Session, now: Now, web: Pages
    ) -> Response[str]:
        form = await request.form()
        lang = language(request)
        try:
            mentor = await catalog.get_mentor(session, UUID(forms.field(form, "mentor_id", 40)))
            if not mentor.active:
                raise MentorUnavailable("a deactivated mentor cannot receive a token")
            raw = await create_mentor_token(
                session, mentor.id, actor(request), expires_at=expiry(web, form, now)
            )
        except ValueError:
            return await credentials_page(
                web,
                request,
                session,
                now,
                http_status=422,
                error=tr(lang, "Choisissez un mentor.", "Choose a mentor."),
            )
        except SchedulingError as error:
            return await credentials_page(
                web, request, session, now, http_status=422, error=error_text(error, lang)
            )
        return await credentials_page(
            web,
            request,
            session,
            now,
            http_status=201,
            secret=raw,
            secret_of=tr(
                lang, f"le jeton de {mentor.display_name}", f"{mentor.display_name}'s token"
            ),
        )

    @get("/keys/{key_id:uuid}/revoke")
    async def confirm_key(
        self, request: Request[Any, Any, Any], session: Session, web: Pages, key_id: UUID
    ) -> Response[str]:
        key = next((k for k in await list_staff_api_keys(session) if k.id == key_id), None)
        if key is None or key.revoked_at is not None:
            raise NotFound("no such live API key")
        lang = language(request)
        return page(
            web,
            request,
            "staff/confirm.html",
            heading=tr(lang, "Révoquer cette clé d'API ?", "Revoke this API key?"),
            message=tr(
                lang,
                f"« {key.name} » cessera de fonctionner tout de suite : les services qui "
                "l'utilisent recevront une erreur 401. Cela ne peut pas être annulé.",
                f"“{key.name}” stops working at once: the services that use it will get a 401 "
                "error. This cannot be undone.",
            ),
            action=f"/staff/credentials/keys/{key_id}/revoke",
            confirm=tr(lang, "Révoquer la clé", "Revoke the key"),
            back="/staff/credentials",
        )

    @post("/keys/{key_id:uuid}/revoke")
    async def revoke_key(
        self, request: Request[Any, Any, Any], session: Session, now: Now, web: Pages, key_id: UUID
    ) -> Response[str]:
        await revoke_staff_api_key(session, key_id, now, actor(request))
        return web.redirect("/staff/credentials?ok=revoked")

    @get("/tokens/{token_id:uuid}/revoke")
    async def confirm_token(
        self, request: Request[Any, Any, Any], session: Session, web: Pages, token_id: UUID
    ) -> Response[str]:
        token = next((t for t in await list_mentor_tokens(session) if t.id == token_id), None)
        if token is None or token.revoked_at is not None:
            raise NotFound("no such live mentor token")
        lang = language(request)
        back = request.query_params.get("back") or ""
        return page(
            web,
            request,
            "staff/confirm.html",
            heading=tr(
                lang,
                f"Révoquer le jeton de {token.mentor_name} ?",
                f"Revoke {token.mentor_name}'s token?",
            ),
            message=tr(
                lang,
                "Ce jeton cessera de fonctionner tout de suite : l'API répondra 401 à qui "
                "l'utilise. Cela ne peut pas être annulé.",
                "This token stops working at once: the API answers 401 to whoever uses it. "
                "This cannot be undone.",
            ),
            action=f"/staff/credentials/tokens/{token_id}/revoke",
            confirm=tr(lang, "Révoquer le jeton", "Revoke the token"),
            back=(
                f"/staff/mentors/{token.mentor_id}" if back == "mentor" else "/staff/credentials"
            ),
        )

    @post("/tokens/{token_id:uuid}/revoke")
    async def revoke_token(
        self,
        request: Request[Any, Any, Any],
        session: Session,
        now: Now,
        web: Pages,
        token_id: UUID,
    ) -> Response[str]:
        mentor_id = await revoke_mentor_token(session, token_id, now, actor(request))
        # Back where the member of staff started: the mentor's page, or this list.
        back = (await request.form()).get("back") == f"/staff/mentors/{mentor_id}"
        target = f"/staff/mentors/{mentor_id}" if back else "/staff/credentials"
        return web.redirect(f"{target}?ok=revoked")
