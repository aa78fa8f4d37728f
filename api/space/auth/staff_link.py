"""The staff console's one-time link by email: a way in without Google (a new install, or a
team that does not use Google), with the mentors' rules: the form answers the same for any
address, only ``STAFF_EMAILS`` / ``STAFF_DOMAIN`` addresses are sent a link, at most
``SIGN_IN_LINKS_PER_WINDOW`` per address per quarter hour (counted in PostgreSQL)."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, Response, get, post

from api.deps import Now, Session
from api.space.auth.common import link_mail_task, log, open_space, sign_in_page
from api.space.deps import Outgoing, Pages
from api.space.web import check_pre_token, language
from scheduler.identity import SIGN_IN_LINK_TTL, Role, sessions
from scheduler.platform import InvalidToken, TokenExpired


class StaffSignInLinkController(Controller):
    path = "/staff/sign-in"

    @get("/")
    async def staff_sign_in(self, request: Request[Any, Any, Any], web: Pages) -> Response[str]:
        return sign_in_page(web, request, Role.STAFF)

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
                Role.STAFF,
                http_status=422,
                link_error="Enter your email address."
                if language(request) == "en"
                else "Saisissez votre adresse email.",
            )
        task = None
        if not sessions.staff_allowed(web.settings, email):
            pass  # the same page as for a sent link: the form never tells who is staff
        elif not await sessions.may_send_staff_sign_in_link(session, email, now):
            log.info("staff sign-in link not sent: the per-address limit is reached")
        else:
            raw = await sessions.issue_staff_sign_in_link(session, email, now)
            task = link_mail_task(
                web,
                mailer,
                email=email,
                name="",
                raw=raw,
                now=now,
                invitation=False,
                role=Role.STAFF,
            )
        response = web.render(
            request,
            "link_sent.html",
            role="staff",
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
            request, "link_confirm.html", cookies=cookies, role="staff", pre_token=pre, token=token
        )

    @post("/link/{token:str}")
    async def use_link(
        self, request: Request[Any, Any, Any], session: Session, now: Now, web: Pages, token: str
    ) -> Response[str]:
        await check_pre_token(request)
        try:
            email = await sessions.use_staff_sign_in_link(session, token, now)
        except TokenExpired:
            return web.redirect("/staff/sign-in?error=link_expired")
        except InvalidToken:
            return web.redirect("/staff/sign-in?error=link")
        # Removed from the team since the link was sent: the link is spent, nobody signs in.
        if not sessions.staff_allowed(web.settings, email):
            return web.redirect("/staff/sign-in?error=not_staff_any_more")
        return await open_space(web, session, now, Role.STAFF, email=email)
