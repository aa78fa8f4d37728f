"""Signing in with Google (OpenID Connect: openid email), for mentors and staff, and the one
callback Google comes back to, for sign-ins and for the mentor's calendar connection alike."""

from __future__ import annotations

import hmac
from datetime import datetime
from typing import Any

from litestar import Controller, Request, Response, get
from sqlalchemy.ext.asyncio import AsyncSession

from api.deps import Now, Session
from api.space import oidc
from api.space.auth.common import CALLBACK_PATH, log, open_space, redirect_uri
from api.space.deps import MaybeCalendar, Pages
from api.space.web import BIND_COOKIE, BIND_PATH, SESSION_PATH, Web, language
from integrations.google import AuthorizationFailed, ScopesNotGranted, finish_authorization
from scheduler.calendar import CalendarService, CalendarUnavailable
from scheduler.identity import Role, sessions


async def start_google(web: Web, session: AsyncSession, now: datetime, role: Role) -> Response[str]:
    if not oidc.configured(web.settings.google):
        return web.redirect(f"{SESSION_PATH[role]}/sign-in?error=not_configured")
    started = oidc.start(web.settings.google, redirect_uri(web))
    await sessions.remember_sign_in(
        session,
        role=role,
        state=started.state,
        code_verifier=started.code_verifier,
        nonce=started.nonce,
        now=now,
    )
    bind = web.cookie(BIND_COOKIE, started.state, BIND_PATH, max_age=900)
    return web.redirect(started.url, [bind])


def _not_started_here(web: Web, request: Request[Any, Any, Any]) -> Response[str]:
    lang = language(request)
    return web.render(
        request,
        "error.html",
        http_status=400,
        title="Expired link" if lang == "en" else "Lien expiré",
        message=(
            "Start again from the sign-in page."
            if lang == "en"
            else "Recommencez depuis la page de connexion."
        ),
    )


class GoogleSignInController(Controller):
    path = "/"

    @get("/mentor/sign-in/google")
    async def mentor_google(self, session: Session, now: Now, web: Pages) -> Response[str]:
        return await start_google(web, session, now, Role.MENTOR)

    @get("/staff/sign-in/google")
    async def staff_google(self, session: Session, now: Now, web: Pages) -> Response[str]:
        return await start_google(web, session, now, Role.STAFF)

    @get(CALLBACK_PATH)
    async def callback(
        self,
        request: Request[Any, Any, Any],
        session: Session,
        now: Now,
        web: Pages,
        calendar_service: MaybeCalendar,
    ) -> Response[str]:
        state = request.query_params.get("state") or ""
        bound = request.cookies.get(BIND_COOKIE) or ""
        if not state or not hmac.compare_digest(state.encode(), bound.encode()):
            # A callback this browser did not start (or a stale one): never sign anybody in.
            return _not_started_here(web, request)
        response_url = f"{redirect_uri(web)}?{request.url.query}"
        code = request.query_params.get("code")
        pending = await sessions.take_sign_in(session, state, now)
        if pending is None:
            return await self._connect_calendar(
                web, request, calendar_service, state, code, response_url
            )
        home = SESSION_PATH[pending.role]
        if request.query_params.get("error") or not code:
            return web.redirect(f"{home}/sign-in?error=cancelled")
        try:
            email = await oidc.finish(
                web.settings.google,
                redirect_uri(web),
                state,
                pending.code_verifier,
                pending.nonce,
                response_url,
            )
        except oidc.SignInFailed as failure:
            log.info("google sign-in failed: %s", failure)
            return web.redirect(f"{home}/sign-in?error=google")
        if pending.role == Role.STAFF:
            if not sessions.staff_allowed(web.settings, email):
                return web.redirect("/staff/sign-in?error=not_staff")
            return await open_space(web, session, now, Role.STAFF, email=email)
        mentor_id = await sessions.sign_in_mentor_id(session, email)
        if mentor_id is None:
            return web.redirect("/mentor/sign-in?error=not_invited")
        return await open_space(web, session, now, Role.MENTOR, mentor_id=mentor_id)

    async def _connect_calendar(
        self,
        web: Web,
        request: Request[Any, Any, Any],
        service: CalendarService | None,
        state: str,
        code: str | None,
        response_url: str,
    ) -> Response[str]:
        """The end of a mentor's calendar connection (a state no sign-in is waiting for)."""
        pending = await service.take_state(state) if service is not None else None
        if service is None or pending is None:
            return web.redirect("/mentor/calendar?google=expired")
        mentor_id, verifier = pending
        clear = [web.expired_cookie(BIND_COOKIE, BIND_PATH)]
        if request.query_params.get("error") or not code:
            return web.redirect("/mentor/calendar?google=cancelled", clear)
        try:
            tokens, email = await finish_authorization(
                web.settings.google, redirect_uri(web), state, verifier, response_url
            )
        except ScopesNotGranted:
            return web.redirect("/mentor/calendar?google=scopes", clear)
        except AuthorizationFailed as failure:
            log.info("calendar connection of mentor %s failed: %s", mentor_id, failure)
            return web.redirect("/mentor/calendar?google=failed", clear)
        except CalendarUnavailable:
            return web.redirect("/mentor/calendar?google=unavailable", clear)
        await service.connect(mentor_id, tokens, email)
        return web.redirect("/mentor/calendar?google=connected", clear)
