"""The one-time sign-in link by email, for mentors (a fallback to Google) and for staff (a way
in without Google): one flow, parametrised by role. The form answers the same for any address,
with the same work (the lookup and the mail are the worker's: ``sign_in_link_handler``), at
most ``SIGN_IN_LINKS_PER_WINDOW`` links go to an address per quarter hour, requests are capped
per address and overall (all counted in PostgreSQL), and the link is used from a page with a
button (mail scanners open links with GET).
"""

from __future__ import annotations

from typing import Any, ClassVar

from litestar import Controller, Request, Response, get, post

from api.deps import Now, Session
from api.space.auth.common import open_space, settings_link_message, sign_in_page
from api.space.deps import Pages
from api.space.web import SESSION_PATH, check_pre_token, language
from scheduler.calendar import SecretBox, SecretUnreadable
from scheduler.identity import SIGN_IN_LINK_TTL, Role, link_requests, sessions
from scheduler.messaging import Mailer
from scheduler.platform import (
    Clock,
    Database,
    InvalidToken,
    PermanentDeliveryError,
    Settings,
    TokenExpired,
    outbox,
)


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
    ) -> Response[str]:
        await check_pre_token(request)
        email = str((await request.form()).get("email") or "").strip().lower()[:320]
        # Not an address at all (a NUL or other control character, spaces): the form's 422.
        if "@" not in email or not email.isprintable() or any(c.isspace() for c in email):
            return sign_in_page(
                web,
                request,
                self.role,
                http_status=422,
                link_error="Enter your email address."
                if language(request) == "en"
                else "Saisissez votre adresse email.",
            )
        # The same page and the same work whoever the address is: the lookup and the mail are
        # the worker's (scheduler.identity.link_requests), so neither the answer nor its timing
        # tells who is a mentor or staff.
        await link_requests.request_link(
            session,
            role=self.role,
            email=email,
            now=now,
            limits=link_requests.link_request_limits(web.settings),
            secret_key=web.settings.secrets.secret_key,
            sealer=sealer(web.settings),
        )
        response = web.render(
            request,
            "link_sent.html",
            role=self.role.value,
            email=email,
            minutes=int(SIGN_IN_LINK_TTL.total_seconds() // 60),
            most=sessions.SIGN_IN_LINKS_PER_WINDOW,
        )
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


def sealer(settings: Settings) -> SecretBox:
    """What seals an address in the outbox: the deployment's token keys (``TOKEN_KEYS``)."""
    return SecretBox(settings.secrets)


class SignInLinkController(LinkSignInController):
    """The mentor's sign-in page and link."""

    path = "/mentor/sign-in"
    role = Role.MENTOR


def sign_in_link_handler(
    settings: Settings, database: Database, mailer: Mailer, clock: Clock
) -> outbox.Handler:
    """The outbox handler of ``MAIL_SIGN_IN_LINK``: find whose address it is, issue the link,
    mail it. Nobody's address, or its owner's limit reached: nothing is sent."""
    box = sealer(settings)

    async def handle(message: outbox.OutboxMessage) -> None:
        now = clock()
        try:
            async with database.session() as session:
                found = await link_requests.deliver_link(
                    session, dict(message.payload), now=now, sealer=box, settings=settings
                )
        except SecretUnreadable as error:
            raise PermanentDeliveryError("the sealed address cannot be opened") from error
        if found is None:
            return
        letter = settings_link_message(
            settings,
            email=found.email,
            name=found.name,
            raw=found.raw_token,
            now=now,
            invitation=False,
            role=found.role,
        )
        await mailer.send(letter)

    return handle
