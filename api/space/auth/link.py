"""The one-time sign-in link by email, for mentors (a fallback to Google) and for staff (a way
in without Google): one flow, parametrised by role. The form answers the same for any address,
at most ``SIGN_IN_LINKS_PER_WINDOW`` links go to an address per quarter hour (counted in
PostgreSQL), and the link is used from a page with a button (mail scanners open links with GET).
"""

from __future__ import annotations

from typing import Any, ClassVar

from litestar import Controller, Request, Response, get, post
from sqlalchemy.ext.asyncio import AsyncSession

from api.deps import Now, Session
from api.space.auth.common import link_mail_task, log, open_space, sign_in_page
from api.space.deps import Outgoing, Pages
from api.space.web import SESSION_PATH, Web, check_pre_token, language
from scheduler.catalog import get_mentor
from scheduler.identity import SIGN_IN_LINK_TTL, Role, sessions
from scheduler.platform import InvalidToken, TokenExpired


class LinkSignInController(Controller):
    """The sign-in page and the link's three steps under ``{SESSION_PATH[role]}/sign-in``;
    subclasses name the role (and the path)."""

    role: ClassVar[Role]

    @get("/")
    async def sign_in(self, request: Request[Any, Any, Any], web: Pages) -> Response[str]:
        return sign_in_page(web, request, self.role)

    @post("/link")
    async def request_link(
        self,
        request: Request[Any, Any, Any],
        session: Session,
        now: Now,
        web: Pages,
        mailer: Outgoing,
    ) -> Response[str]:
        await check_pre_token(request)
        email = str((await request.form()).get("email") or "").strip().lower()[:320]
        if "@" not in email:
            return sign_in_page(
                web,
                request,
                self.role,
                http_status=422,
                link_error="Enter your email address."
                if language(request) == "en"
                else "Saisissez votre adresse email.",
            )
        # The same page whether a link went or not: the form never tells who is a mentor or staff.
        link = await _new_link(web, session, self.role, email, now)
        task = None
        if link is not None:
            to_email, name, raw = link
            task = link_mail_task(
                web,
                mailer,
                email=to_email,
                name=name,
                raw=raw,
                now=now,
                invitation=False,
                role=self.role,
            )
        response = web.render(
            request,
            "link_sent.html",
            role=self.role.value,
            email=email,
            minutes=int(SIGN_IN_LINK_TTL.total_seconds() // 60),
            most=sessions.SIGN_IN_LINKS_PER_WINDOW,
        )
        response.background = task
        return response

    @get("/link/{token:str}")
    async def link_page(
        self, request: Request[Any, Any, Any], web: Pages, token: str
    ) -> Response[str]:
        # A page with a button, not the sign-in itself: mail scanners open links with GET.
        pre, cookies = web.pre_token(request)
        return web.render(
            request,
            "link_confirm.html",
            cookies=cookies,
            role=self.role.value,
            pre_token=pre,
            token=token,
        )

    @post("/link/{token:str}")
    async def use_link(
        self, request: Request[Any, Any, Any], session: Session, now: Now, web: Pages, token: str
    ) -> Response[str]:
        await check_pre_token(request)
        sign_in = f"{SESSION_PATH[self.role]}/sign-in"
        try:
            if self.role == Role.STAFF:
                email = await sessions.use_staff_sign_in_link(session, token, now)
            else:
                mentor_id = await sessions.use_sign_in_link(session, token, now)
        except TokenExpired:
            return web.redirect(f"{sign_in}?error=link_expired")
        except InvalidToken:
            return web.redirect(f"{sign_in}?error=link")
        if self.role == Role.MENTOR:
            return await open_space(web, session, now, Role.MENTOR, mentor_id=mentor_id)
        # Removed from the team since the link was sent: the link is spent, nobody signs in.
        if not sessions.staff_allowed(web.settings, email):
            return web.redirect(f"{sign_in}?error=not_staff_any_more")
        return await open_space(web, session, now, Role.STAFF, email=email)


async def _new_link(
    web: Web, session: AsyncSession, role: Role, email: str, now: Any
) -> tuple[str, str, str] | None:
    """A new link for whoever the form's address belongs to, as (address to send it to, name,
    raw token); None when it is nobody's (not an active mentor; not in ``STAFF_EMAILS`` /
    ``STAFF_DOMAIN``) or the per-address limit is reached."""
    if role == Role.STAFF:
        if not sessions.staff_allowed(web.settings, email):
            return None
        if not await sessions.may_send_staff_sign_in_link(session, email, now):
            log.info("staff sign-in link not sent: the per-address limit is reached")
            return None
        return email, "", await sessions.issue_staff_sign_in_link(session, email, now)
    mentor_id = await sessions.sign_in_mentor_id(session, email)
    if mentor_id is None:
        return None
    if not await sessions.may_send_sign_in_link(session, mentor_id, now):
        log.info("sign-in link not sent: the per-address limit is reached")
        return None
    mentor = await get_mentor(session, mentor_id)
    return (
        mentor.email,
        mentor.display_name,
        await sessions.issue_sign_in_link(session, mentor_id, now),
    )


class SignInLinkController(LinkSignInController):
    """The mentor's sign-in page and link."""

    path = "/mentor/sign-in"
    role = Role.MENTOR
