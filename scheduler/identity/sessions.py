"""People signed in to the mentor space and the staff console: server-side sessions, their CSRF
token, one-time sign-in links and Google sign-ins in flight.

Every secret handed to a browser (session id, sign-in link, OAuth ``state``) is 256 random bits
and only its SHA-256 is stored, so a copy of the database signs nobody in. A session lives
``Settings.session_lifetime_hours`` from sign-in; a mentor session also ends as soon as the
mentor is deactivated (checked on every request, in the same query that finds the session).
"""

from __future__ import annotations

import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from uuid import UUID

from sqlalchemy import and_, delete, func, insert, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from scheduler.catalog import Mentor
from scheduler.identity.models import Role, SignInLink, SignInState, StaffSignInLink, WebSession
from scheduler.platform import (
    InvalidToken,
    Settings,
    TokenExpired,
    digest,
    new_secret,
    unit_of_work,
)

SIGN_IN_LINK_TTL = timedelta(minutes=15)
# An invitation is read when the person reads their mail, not within a quarter of an hour.
INVITATION_LINK_TTL = timedelta(days=7)
SIGN_IN_STATE_TTL = timedelta(minutes=15)
# Links a mentor may be sent per SIGN_IN_LINK_TTL from the public form: enough for a lost mail
# and a second try, too few to flood an inbox from a form that anyone can fill in.
SIGN_IN_LINKS_PER_WINDOW = 3

__all__ = [
    "INVITATION_LINK_TTL",
    "SIGN_IN_LINKS_PER_WINDOW",
    "SIGN_IN_LINK_TTL",
    "SIGN_IN_STATE_TTL",
    "PendingSignIn",
    "Role",
    "SpaceSession",
    "csrf_matches",
    "end_all_sessions",
    "end_session",
    "find_session",
    "issue_sign_in_link",
    "issue_staff_sign_in_link",
    "may_send_sign_in_link",
    "may_send_staff_sign_in_link",
    "open_session",
    "purge_expired",
    "remember_sign_in",
    "sign_in_mentor_id",
    "staff_allowed",
    "take_sign_in",
    "use_sign_in_link",
    "use_staff_sign_in_link",
]


@dataclass(frozen=True, slots=True)
class SpaceSession:
    role: Role
    mentor_id: UUID | None
    staff_email: str | None
    csrf_token: str
    expires_at: datetime
    id_hash: bytes

    @property
    def actor_id(self) -> str:
        return str(self.mentor_id) if self.role == "mentor" else str(self.staff_email)


@dataclass(frozen=True, slots=True)
class PendingSignIn:
    role: Role
    code_verifier: str
    nonce: str


def csrf_matches(expected: str, given: str | None) -> bool:
    return bool(given) and hmac.compare_digest(expected.encode(), (given or "").encode())


def staff_allowed(settings: Settings, email: str) -> bool:
    """Staff are the configured addresses, or anyone at the configured domain."""
    email = email.strip().lower()
    if email in {e.strip().lower() for e in settings.access.staff_emails}:
        return True
    domain = (settings.access.staff_domain or "").strip().lower().lstrip("@")
    return bool(domain) and email.rpartition("@")[2] == domain


# --- sessions --------------------------------------------------------------------------------


async def open_session(
    session: AsyncSession,
    *,
    role: Role,
    now: datetime,
    lifetime: timedelta,
    mentor_id: UUID | None = None,
    staff_email: str | None = None,
) -> tuple[str, SpaceSession]:
    """A new session: (the raw id for the cookie, the session). Committed."""
    if (role == "mentor") != (mentor_id is not None) or (role == "staff") != bool(staff_email):
        raise ValueError("a mentor session names a mentor, a staff session an email")
    raw = new_secret()
    opened = SpaceSession(
        role=role,
        mentor_id=mentor_id,
        staff_email=staff_email.lower() if staff_email else None,
        csrf_token=secrets.token_urlsafe(32),
        expires_at=now + lifetime,
        id_hash=digest(raw),
    )
    async with unit_of_work(session):
        await session.execute(
            insert(WebSession).values(
                id_hash=opened.id_hash,
                role=role,
                mentor_id=mentor_id,
                staff_email=opened.staff_email,
                csrf_token=opened.csrf_token,
                created_at=now,
                expires_at=opened.expires_at,
            )
        )
    return raw, opened


async def find_session(
    session: AsyncSession, raw: str | None, role: Role, now: datetime
) -> SpaceSession | None:
    """The live session of this cookie value for ``role``, else None. One query."""
    if not raw or len(raw) > 200:
        return None
    query = (
        select(WebSession)
        .outerjoin(Mentor, Mentor.id == WebSession.mentor_id)
        .where(
            WebSession.id_hash == digest(raw),
            WebSession.role == role,
            WebSession.expires_at > now,
            or_(WebSession.role == "staff", Mentor.active.is_(True)),
        )
    )
    row = (await session.execute(query)).scalar_one_or_none()
    if row is None:
        return None
    return SpaceSession(
        role=role,  # the query matched it; the column itself is only typed str
        mentor_id=row.mentor_id,
        staff_email=row.staff_email,
        csrf_token=row.csrf_token,
        expires_at=row.expires_at,
        id_hash=row.id_hash,
    )


async def end_session(session: AsyncSession, id_hash: bytes) -> None:
    async with unit_of_work(session):
        await session.execute(delete(WebSession).where(WebSession.id_hash == id_hash))


async def end_all_sessions(
    session: AsyncSession, *, mentor_id: UUID | None = None, staff_email: str | None = None
) -> int:
    """Sign out everywhere: every session of this mentor (or staff member). Committed."""
    if mentor_id is None and not staff_email:
        raise ValueError("whose sessions?")
    condition = (
        WebSession.mentor_id == mentor_id
        if mentor_id is not None
        else and_(WebSession.role == "staff", WebSession.staff_email == (staff_email or "").lower())
    )
    async with unit_of_work(session):
        result = await session.execute(
            delete(WebSession).where(condition).returning(WebSession.id_hash)
        )
    return len(result.all())


async def purge_expired(session: AsyncSession, now: datetime) -> None:
    """Forget expired sessions, links and sign-ins in flight (they are refused anyway)."""
    async with unit_of_work(session):
        await session.execute(delete(WebSession).where(WebSession.expires_at <= now))
        await session.execute(delete(SignInLink).where(SignInLink.expires_at <= now))
        await session.execute(delete(SignInState).where(SignInState.expires_at <= now))
        await session.execute(delete(StaffSignInLink).where(StaffSignInLink.expires_at <= now))


# --- one-time sign-in links ------------------------------------------------------------------


async def sign_in_mentor_id(session: AsyncSession, email: str) -> UUID | None:
    """The active mentor with this email (case-insensitive), else None."""
    return (
        await session.execute(
            select(Mentor.id).where(Mentor.email == email.strip().lower(), Mentor.active.is_(True))
        )
    ).scalar()


async def may_send_sign_in_link(session: AsyncSession, mentor_id: UUID, now: datetime) -> bool:
    """Whether the public form may send this mentor one more link: fewer than
    SIGN_IN_LINKS_PER_WINDOW were made for them within the last SIGN_IN_LINK_TTL. Counted in
    PostgreSQL, so the limit holds across API processes; the mentor's row stays locked until
    the caller commits (``issue_sign_in_link`` does), so requests racing count one by one."""
    await session.execute(select(Mentor.id).where(Mentor.id == mentor_id).with_for_update())
    recent = (
        await session.execute(
            select(func.count())
            .select_from(SignInLink)
            .where(
                SignInLink.mentor_id == mentor_id,
                SignInLink.created_at > now - SIGN_IN_LINK_TTL,
            )
        )
    ).scalar_one()
    return recent < SIGN_IN_LINKS_PER_WINDOW


async def issue_sign_in_link(
    session: AsyncSession, mentor_id: UUID, now: datetime, ttl: timedelta = SIGN_IN_LINK_TTL
) -> str:
    """A new single-use link token for the mentor (the raw token, to send now). Committed."""
    raw = new_secret()
    async with unit_of_work(session):
        await session.execute(
            insert(SignInLink).values(
                token_hash=digest(raw), mentor_id=mentor_id, expires_at=now + ttl, created_at=now
            )
        )
    return raw


async def use_sign_in_link(session: AsyncSession, raw: str, now: datetime) -> UUID:
    """The mentor a link signs in, marking it used (InvalidToken: unknown, used, or the mentor
    is deactivated; TokenExpired: too late). Committed."""
    if not raw or len(raw) > 200:
        raise InvalidToken("this sign-in link is not valid")
    async with unit_of_work(session):
        used = (
            await session.execute(
                update(SignInLink)
                .where(
                    SignInLink.token_hash == digest(raw),
                    SignInLink.used_at.is_(None),
                    SignInLink.mentor_id.in_(select(Mentor.id).where(Mentor.active.is_(True))),
                )
                .values(used_at=now)
                .returning(SignInLink.mentor_id, SignInLink.expires_at)
            )
        ).first()
        if used is None:
            raise InvalidToken("this sign-in link is not valid or was already used")
        # Unpacked rather than read by name: a Row's named attributes are untyped, its items are not.
        mentor_id, expires_at = used
        if expires_at <= now:
            raise TokenExpired("this sign-in link has expired")
    return mentor_id


# --- one-time sign-in links for staff ---------------------------------------------------------
#
# The same rules as the mentors' links, for a console that has no Google to sign in with: the
# caller sends one only to an address ``staff_allowed`` accepts, at most
# SIGN_IN_LINKS_PER_WINDOW per address per SIGN_IN_LINK_TTL, and checks membership again when
# the link is used (an address removed from the settings in between signs nobody in).


async def may_send_staff_sign_in_link(session: AsyncSession, email: str, now: datetime) -> bool:
    """Whether one more link may go to this staff address. There is no row to lock for an
    address, so a transaction-scoped advisory lock on it makes racing requests count one by
    one (released when ``issue_staff_sign_in_link`` commits, or the request's session ends)."""
    email = email.strip().lower()
    await session.execute(
        select(func.pg_advisory_xact_lock(func.hashtextextended("staff-link:" + email, 0)))
    )
    recent = (
        await session.execute(
            select(func.count())
            .select_from(StaffSignInLink)
            .where(
                StaffSignInLink.staff_email == email,
                StaffSignInLink.created_at > now - SIGN_IN_LINK_TTL,
            )
        )
    ).scalar_one()
    return recent < SIGN_IN_LINKS_PER_WINDOW


async def issue_staff_sign_in_link(
    session: AsyncSession, email: str, now: datetime, ttl: timedelta = SIGN_IN_LINK_TTL
) -> str:
    """A new single-use link for this staff address (the raw token). Committed. The caller
    decides the address is staff: this module holds no settings."""
    raw = new_secret()
    async with unit_of_work(session):
        await session.execute(
            insert(StaffSignInLink).values(
                token_hash=digest(raw),
                staff_email=email.strip().lower(),
                expires_at=now + ttl,
                created_at=now,
            )
        )
    return raw


async def use_staff_sign_in_link(session: AsyncSession, raw: str, now: datetime) -> str:
    """The staff address a link signs in, marking it used (InvalidToken: unknown or used;
    TokenExpired: too late). Committed. The caller checks the address is still staff."""
    if not raw or len(raw) > 200:
        raise InvalidToken("this sign-in link is not valid")
    async with unit_of_work(session):
        used = (
            await session.execute(
                update(StaffSignInLink)
                .where(StaffSignInLink.token_hash == digest(raw), StaffSignInLink.used_at.is_(None))
                .values(used_at=now)
                .returning(StaffSignInLink.staff_email, StaffSignInLink.expires_at)
            )
        ).first()
        if used is None:
            raise InvalidToken("this sign-in link is not valid or was already used")
        email, expires_at = used
        if expires_at <= now:
            raise TokenExpired("this sign-in link has expired")
    return str(email)


# --- Google sign-ins in flight ---------------------------------------------------------------


async def remember_sign_in(
    session: AsyncSession,
    *,
    role: Role,
    state: str,
    code_verifier: str,
    nonce: str,
    now: datetime,
) -> None:
    async with unit_of_work(session):
        await session.execute(
            insert(SignInState).values(
                state_hash=digest(state),
                role=role,
                code_verifier=code_verifier,
                nonce=nonce,
                expires_at=now + SIGN_IN_STATE_TTL,
                created_at=now,
            )
        )


async def take_sign_in(session: AsyncSession, state: str, now: datetime) -> PendingSignIn | None:
    """The sign-in this ``state`` started, deleted as it is read (a replay finds nothing)."""
    if not state or len(state) > 200:
        return None
    async with unit_of_work(session):
        found = (
            await session.execute(
                delete(SignInState)
                .where(SignInState.state_hash == digest(state))
                .returning(
                    SignInState.role,
                    SignInState.code_verifier,
                    SignInState.nonce,
                    SignInState.expires_at,
                )
            )
        ).first()
    if found is None or found.expires_at <= now:
        return None
    return PendingSignIn(found.role, found.code_verifier, found.nonce)
