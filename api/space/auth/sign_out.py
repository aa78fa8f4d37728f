"""Signing out: this session, or every session of the person (a lost phone). The same two
routes under ``/mentor`` and ``/staff``, each behind its role's session guard."""

from __future__ import annotations

from typing import Any, ClassVar

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


class SignOutFlow(Controller):
    """``/sign-out`` and ``/sign-out-everywhere`` for one role; subclasses name the role, the
    path and the guard."""

    role: ClassVar[Role]

    @post("/sign-out")
    async def sign_out(
        self, request: Request[Any, Any, Any], session: Session, web: Pages
    ) -> Response[str]:
        await sessions.end_session(session, current(request).id_hash)
        return signed_out(web, self.role)

    @post("/sign-out-everywhere")
    async def sign_out_everywhere(
        self, request: Request[Any, Any, Any], session: Session, web: Pages
    ) -> Response[str]:
        # A mentor's session has their id, a staff member's has none and their address.
        space = current(request)
        await sessions.end_all_sessions(
            session, mentor_id=space.mentor_id, staff_email=space.staff_email
        )
        return signed_out(web, self.role)


class SignOutController(SignOutFlow):
    path = SESSION_PATH[Role.MENTOR]
    guards = [session_guard(Role.MENTOR)]
    role = Role.MENTOR


class StaffSignOutController(SignOutFlow):
    path = SESSION_PATH[Role.STAFF]
    guards = [session_guard(Role.STAFF)]
    role = Role.STAFF
