"""The mentor's sign-in page and the one-time link by email (a fallback to Google)."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, Response, get, post

from api.deps import Now, Session
from api.space.auth.common import link_mail_task, log, open_space, sign_in_page
from api.space.deps import Outgoing, Pages
from api.space.web import check_pre_token, language
from scheduler.catalog import get_mentor
from scheduler.identity import SIGN_IN_LINK_TTL, Role, sessions
from scheduler.platform import InvalidToken, TokenExpired


class SignInLinkController(Controller):
    path = "/mentor/sign-in"

    @get("/")
    async def mentor_sign_in(self, request: Request[Any, Any, Any], web: Pages) -> Response[str]:
        return sign_in_page(web, request, Role.MENTOR)

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
            lang = language(request)
            return sign_in_page(
                web,
                request,
                Role.MENTOR,
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

    @get("/link/{token:str}")
    async def link_page(
        self, request: Request[Any, Any, Any], web: Pages, token: str
    ) -> Response[str]:
        # A page with a button, not the sign-in itself: mail scanners open links with GET.
        pre, cookies = web.pre_token(request)
        return web.render(
            request, "link_confirm.html", cookies=cookies, role="mentor", pre_token=pre, token=token
        )

    @post("/link/{token:str}")
    async def use_link(
        self, request: Request[Any, Any, Any], session: Session, now: Now, web: Pages, token: str
    ) -> Response[str]:
        await check_pre_token(request)
        try:
            mentor_id = await sessions.use_sign_in_link(session, token, now)
        except TokenExpired:
            return web.redirect("/mentor/sign-in?error=link_expired")
        except InvalidToken:
            return web.redirect("/mentor/sign-in?error=link")
        return await open_space(web, session, now, Role.MENTOR, mentor_id=mentor_id)
