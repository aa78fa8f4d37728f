"""Signing out: this session, or every session of the person (a lost phone)."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, Response, post

from api.deps import Session
from api.space.deps import Pages
from api.space.web import SESSION_COOKIE, SESSION_PATH, Web, session_guard
from scheduler.identity import Role, SpaceSession, sessions


def signed_out(web: Web, role: Role) -> Response[str]:
    return web.redirect(
        f"{SESSION_PATH[role]}/sign-in?signed_out=1",
        [web.expired_cookie(SESSION_COOKIE[role], SESSION_PATH[role])],
    )


def current(request: Request[Any, Any, Any]) -> SpaceSession:
    space: SpaceSession = request.state.space
    return space


class SignOutController(Controller):
    path = "/"

    @post("/mentor/sign-out", guards=[session_guard(Role.MENTOR)])
    async def mentor_sign_out(
        self, request: Request[Any, Any, Any], session: Session, web: Pages
    ) -> Response[str]:
        await sessions.end_session(session, current(request).id_hash)
        return signed_out(web, Role.MENTOR)

    @post("/mentor/sign-out-everywhere", guards=[session_guard(Role.MENTOR)])
    async def mentor_sign_out_all(
        self, request: Request[Any, Any, Any], session: Session, web: Pages
    ) -> Response[str]:
        await sessions.end_all_sessions(session, mentor_id=current(request).mentor_id)
        return signed_out(web, Role.MENTOR)

    @post("/staff/sign-out", guards=[session_guard(Role.STAFF)])
    async def staff_sign_out(
        self, request: Request[Any, Any, Any], session: Session, web: Pages
    ) -> Response[str]:
        await sessions.end_session(session, current(request).id_hash)
        return signed_out(web, Role.STAFF)

    @post("/staff/sign-out-everywhere", guards=[session_guard(Role.STAFF)])
    async def staff_sign_out_all(
        self, request: Request[Any, Any, Any], session: Session, web: Pages
    ) -> Response[str]:
        await sessions.end_all_sessions(session, staff_email=current(request).staff_email)
        return signed_out(web, Role.STAFF)
