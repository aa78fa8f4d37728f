"""Signing in and out of the mentor space and the staff console.

GET  /mentor/sign-in                  Google button and the "email me a link" form
GET  /mentor/sign-in/google           to Google (OpenID Connect: openid email)
POST /mentor/sign-in/link             email a one-time link (same answer for any address)
GET  /mentor/sign-in/link/{token}     a button that uses the link (mail scanners only GET)
POST /mentor/sign-in/link/{token}     use it: a session, then the space
GET  /staff/sign-in, /staff/sign-in/google
GET  /auth/google/callback            Google comes back here, for sign-ins and for the
                                      mentor's calendar connection alike
POST /mentor/sign-out, /mentor/sign-out-everywhere, /staff/sign-out, /staff/sign-out-everywhere
"""

from __future__ import annotations

import hmac
import logging
from datetime import timedelta
from email.message import EmailMessage
from typing import Any
from uuid import UUID

from litestar import Request, Response, get, post
from litestar.background_tasks import BackgroundTask

from api.deps import Now, Session
from api.google import calendar_service
from api.space import oidc
from api.space.mail import send_reporting, sign_in_message
from api.space.web import (
    BIND_COOKIE,
    BIND_PATH,
    SESSION_COOKIE,
    SESSION_PATH,
    Web,
    check_pre_token,
    language,
    safe_next,
    session_guard,
)
from integrations.google import AuthorizationFailed, ScopesNotGranted, finish_authorization
from integrations.messages import Brand
from scheduler.calendar import CalendarUnavailable
from scheduler.catalog import get_mentor
from scheduler.identity import (
    INVITATION_LINK_TTL,
    SIGN_IN_LINK_TTL,
    Role,
    SpaceSession,
    invitations,
    sessions,
)
from scheduler.messaging import Mailer
from scheduler.platform import InvalidToken, TokenExpired

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
    "not_configured": (
        "La connexion avec Google n'est pas configurée sur ce serveur.",
        "Signing in with Google is not configured on this server.",
    ),
}


def redirect_uri(web: Web) -> str:
    return f"{web.settings.public_url.rstrip('/')}{CALLBACK_PATH}"


def link_url(web: Web, raw: str) -> str:
    return f"{web.settings.public_url.rstrip('/')}/mentor/sign-in/link/{raw}"


def link_mail_task(
    web: Web, mailer: Mailer, *, email: str, name: str, raw: str, now: Any, invitation: bool
) -> BackgroundTask:
    """The link sent after the response: a failure is logged and the person asks again (the
    public form must answer the same whatever happens, so it cannot wait for the mail)."""
    message = link_message(web, email=email, name=name, raw=raw, now=now, invitation=invitation)
    return BackgroundTask(send_reporting, mailer, message)


def link_message(
    web: Web, *, email: str, name: str, raw: str, now: Any, invitation: bool
) -> EmailMessage:
    ttl = INVITATION_LINK_TTL if invitation else SIGN_IN_LINK_TTL
    minutes = int(ttl.total_seconds() // 60)
    valid_fr, valid_en = (
        (f"{ttl.days} jours", f"{ttl.days} days")
        if ttl.days
        else (f"{minutes} minutes", f"{minutes} minutes")
    )
    return sign_in_message(
        Brand.from_settings(web.settings),
        to_email=email,
        name=name,
        url=link_url(web, raw),
        now=now,
        invitation=invitation,
        valid_for=valid_fr,
        valid_for_en=valid_en,
    )


def build_auth_handlers(web: Web, mailer: Mailer) -> list[Any]:
    settings = web.settings
    lifetime = timedelta(hours=settings.session_lifetime_hours)

    def sign_in_page(request: Request[Any, Any, Any], role: Role, **context: Any) -> Response[str]:
        token, cookies = web.pre_token(request)
        error = request.query_params.get("error")
        return web.render(
            request,
            "sign_in.html",
            http_status=context.pop("http_status", 200),
            cookies=cookies,
            role=role,
            pre_token=token,
            google=oidc.configured(settings),
            next_path=safe_next(request.query_params.get("next"), role),
            expired=request.query_params.get("expired") == "1",
            signed_out=request.query_params.get("signed_out") == "1",
            error=SIGN_IN_ERRORS.get(error or ""),
            **context,
        )

    async def start_google(
        request: Request[Any, Any, Any], session: Any, now: Any, role: Role
    ) -> Response[str]:
        if not oidc.configured(settings):
            return web.redirect(f"{SESSION_PATH[role]}/sign-in?error=not_configured")
        started = oidc.start(settings, redirect_uri(web))
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

    async def open_space(
        session: Any,
        now: Any,
        role: Role,
        *,
        mentor_id: UUID | None = None,
        email: str | None = None,
    ) -> Response[str]:
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

    # --- mentor ---------------------------------------------------------------------------

    @get("/mentor/sign-in", include_in_schema=False)
    async def mentor_sign_in(request: Request[Any, Any, Any]) -> Response[str]:
        return sign_in_page(request, "mentor")

    @get("/mentor/sign-in/google", include_in_schema=False)
    async def mentor_google(
        request: Request[Any, Any, Any], session: Session, now: Now
    ) -> Response[str]:
        return await start_google(request, session, now, "mentor")

    @post("/mentor/sign-in/link", include_in_schema=False)
    async def request_link(
        request: Request[Any, Any, Any], session: Session, now: Now
    ) -> Response[str]:
        await check_pre_token(request)
        email = str((await request.form()).get("email") or "").strip().lower()[:320]
        if "@" not in email:
            lang = language(request)
            return sign_in_page(
                request,
                "mentor",
                http_status=422,
                link_error="Enter your email address."
                if lang == "en"
                else "Saisissez votre adresse email.",
            )
        mentor_id = await sessions.sign_in_mentor_id(session, email)
        task = None
        if mentor_id is not None and not await sessions.may_send_sign_in_link(
            session, mentor_id, now
        ):
            # The same page as for a sent link: the form never tells who is a mentor.
            log.info("sign-in link not sent: the per-address limit is reached")
        elif mentor_id is not None:
            mentor = await get_mentor(session, mentor_id)
            raw = await sessions.issue_sign_in_link(session, mentor_id, now)
            task = link_mail_task(
                web,
                mailer,
                email=mentor.email,
                name=mentor.display_name,
                raw=raw,
                now=now,
                invitation=False,
            )
        response = web.render(
            request,
            "link_sent.html",
            role="mentor",
            email=email,
            minutes=int(SIGN_IN_LINK_TTL.total_seconds() // 60),
            most=sessions.SIGN_IN_LINKS_PER_WINDOW,
        )
        response.background = task
        return response

    @get("/mentor/sign-in/link/{token:str}", include_in_schema=False)
    async def link_page(request: Request[Any, Any, Any], token: str) -> Response[str]:
        pre, cookies = web.pre_token(request)
        return web.render(
            request, "link_confirm.html", cookies=cookies, role="mentor", pre_token=pre, token=token
        )

    @post("/mentor/sign-in/link/{token:str}", include_in_schema=False)
    async def use_link(
        request: Request[Any, Any, Any], session: Session, now: Now, token: str
    ) -> Response[str]:
        await check_pre_token(request)
        try:
            mentor_id = await sessions.use_sign_in_link(session, token, now)
        except TokenExpired:
            return web.redirect("/mentor/sign-in?error=link_expired")
        except InvalidToken:
            return web.redirect("/mentor/sign-in?error=link")
        return await open_space(session, now, "mentor", mentor_id=mentor_id)

    # --- staff ----------------------------------------------------------------------------

    @get("/staff/sign-in", include_in_schema=False)
    async def staff_sign_in(request: Request[Any, Any, Any]) -> Response[str]:
        return sign_in_page(request, "staff")

    @get("/staff/sign-in/google", include_in_schema=False)
    async def staff_google(
        request: Request[Any, Any, Any], session: Session, now: Now
    ) -> Response[str]:
        return await start_google(request, session, now, "staff")

    # --- Google's callback ----------------------------------------------------------------

    @get(CALLBACK_PATH, include_in_schema=False)
    async def callback(
        request: Request[Any, Any, Any], session: Session, now: Now
    ) -> Response[str]:
        state = request.query_params.get("state") or ""
        bound = request.cookies.get(BIND_COOKIE) or ""
        lang = language(request)
        if not state or not hmac.compare_digest(state.encode(), bound.encode()):
            # A callback this browser did not start (or a stale one): never sign anybody in.
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
        response_url = f"{redirect_uri(web)}?{request.url.query}"
        code = request.query_params.get("code")
        pending = await sessions.take_sign_in(session, state, now)
        if pending is not None:
            home = SESSION_PATH[pending.role]
            if request.query_params.get("error") or not code:
                return web.redirect(f"{home}/sign-in?error=cancelled")
            try:
                email = await oidc.finish(
                    settings,
                    redirect_uri(web),
                    state,
                    pending.code_verifier,
                    pending.nonce,
                    response_url,
                )
            except oidc.SignInFailed as failure:
                log.info("google sign-in failed: %s", failure)
                return web.redirect(f"{home}/sign-in?error=google")
            if pending.role == "staff":
                if not sessions.staff_allowed(settings, email):
                    return web.redirect("/staff/sign-in?error=not_staff")
                return await open_space(session, now, "staff", email=email)
            mentor_id = await sessions.sign_in_mentor_id(session, email)
            if mentor_id is None:
                return web.redirect("/mentor/sign-in?error=not_invited")
            return await open_space(session, now, "mentor", mentor_id=mentor_id)
        return await connect_calendar(request, state, code, response_url)

    async def connect_calendar(
        request: Request[Any, Any, Any], state: str, code: str | None, response_url: str
    ) -> Response[str]:
        service = calendar_service(request.app.state)
        pending = await service.take_state(state) if service is not None else None
        if service is None or pending is None:
            return web.redirect("/mentor/calendar?google=expired")
        mentor_id, verifier = pending
        clear = [web.expired_cookie(BIND_COOKIE, BIND_PATH)]
        if request.query_params.get("error") or not code:
            return web.redirect("/mentor/calendar?google=cancelled", clear)
        try:
            tokens, email = await finish_authorization(
                settings, redirect_uri(web), state, verifier, response_url
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

    # --- signing out ----------------------------------------------------------------------

    def signed_out(role: Role) -> Response[str]:
        return web.redirect(
            f"{SESSION_PATH[role]}/sign-in?signed_out=1",
            [web.expired_cookie(SESSION_COOKIE[role], SESSION_PATH[role])],
        )

    def current(request: Request[Any, Any, Any]) -> SpaceSession:
        space: SpaceSession = request.state.space
        return space

    @post("/mentor/sign-out", guards=[session_guard("mentor")], include_in_schema=False)
    async def mentor_sign_out(request: Request[Any, Any, Any], session: Session) -> Response[str]:
        await sessions.end_session(session, current(request).id_hash)
        return signed_out("mentor")

    @post("/mentor/sign-out-everywhere", guards=[session_guard("mentor")], include_in_schema=False)
    async def mentor_sign_out_all(
        request: Request[Any, Any, Any], session: Session
    ) -> Response[str]:
        await sessions.end_all_sessions(session, mentor_id=current(request).mentor_id)
        return signed_out("mentor")

    @post("/staff/sign-out", guards=[session_guard("staff")], include_in_schema=False)
    async def staff_sign_out(request: Request[Any, Any, Any], session: Session) -> Response[str]:
        await sessions.end_session(session, current(request).id_hash)
        return signed_out("staff")

    @post("/staff/sign-out-everywhere", guards=[session_guard("staff")], include_in_schema=False)
    async def staff_sign_out_all(
        request: Request[Any, Any, Any], session: Session
    ) -> Response[str]:
        await sessions.end_all_sessions(session, staff_email=current(request).staff_email)
        return signed_out("staff")

    return [
        mentor_sign_in,
        mentor_google,
        request_link,
        link_page,
        use_link,
        staff_sign_in,
        staff_google,
        callback,
        mentor_sign_out,
        mentor_sign_out_all,
        staff_sign_out,
        staff_sign_out_all,
    ]
