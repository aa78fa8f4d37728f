"""Inviting a mentor (the profile the staff knows, then a sign-in link by email), and sending
the link again."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from litestar import Controller, Request, Response, post
from sqlalchemy.ext.asyncio import AsyncSession

from api.deps import Now, Session
from api.space import forms
from api.space.auth import link_message
from api.space.deps import Outgoing, Pages
from api.space.forms import tr
from api.space.mail import send_reporting
from api.space.staff.common import actor
from api.space.staff.mentors import mentors_page
from api.space.web import Web, error_text, language
from api.text import clean_text
from availability import AvailabilityError
from scheduler import catalog
from scheduler.catalog import MentorRecord
from scheduler.identity import invitations, sessions
from scheduler.messaging import Mailer
from scheduler.platform import NotFound, SchedulingError


async def send_invitation(
    web: Web, mailer: Mailer, session: AsyncSession, mentor: MentorRecord, now: datetime
) -> Response[str]:
    """Mail the invitation while the member of staff waits, and tell them if it did not
    leave (the invitation is saved either way; « Resend » tries again)."""
    raw = await sessions.issue_sign_in_link(session, mentor.id, now, sessions.INVITATION_LINK_TTL)
    message = link_message(
        web, email=mentor.email, name=mentor.display_name, raw=raw, now=now, invitation=True
    )
    sent = await send_reporting(mailer, message)
    return web.redirect("/staff?ok=invited" if sent else f"/staff?warn=unsent#m-{mentor.id}")


def invitation_from(form: Any, lang: str) -> tuple[catalog.MentorFields | None, dict[str, str]]:
    """The invitation form as a profile, or the message of each field that is missing."""
    errors: dict[str, str] = {}
    name = clean_text(forms.field(form, "display_name", 200))
    email = forms.field(form, "email", 320)
    university = clean_text(forms.field(form, "university", 200))
    year = forms.whole(form, "year_of_study", errors, lang, low=1, high=12)
    filieres = tuple(str(v) for v in form.getall("filieres", []))
    if not name:
        errors["display_name"] = tr(lang, "Indiquez un nom.", "Give a name.")
    if "@" not in email:
        errors["email"] = tr(lang, "Indiquez une adresse email.", "Give an email address.")
    if not university:
        errors["university"] = tr(lang, "Indiquez l'université.", "Give the university.")
    if not filieres:
        errors["filieres"] = tr(
            lang, "Choisissez au moins une filière.", "Choose at least one field of study."
        )
    if errors:
        return None, errors
    fields = catalog.MentorFields(
        display_name=name,
        email=email,
        university=university,
        year_of_study=year or 1,
        filieres=filieres,
    )
    return fields, errors


class InvitationsController(Controller):
    path = "/"

    @post("/invite")
    async def invite(
        self,
        request: Request[Any, Any, Any],
        session: Session,
        now: Now,
        web: Pages,
        mailer: Outgoing,
    ) -> Response[str]:
        form = await request.form()
        lang = language(request)
        fields, errors = invitation_from(form, lang)
        if fields is None:
            return await mentors_page(
                web, request, session, http_status=422, errors=errors, values=form
            )
        try:
            invited = await invitations.invite_mentor(session, fields, actor(request), now)
        except (SchedulingError, AvailabilityError) as error:
            return await mentors_page(
                web,
                request,
                session,
                http_status=422,
                errors={"_": error_text(error, lang)},
                values=form,
            )
        return await send_invitation(web, mailer, session, invited.mentor, now)

    @post("/mentors/{mentor_id:uuid}/resend")
    async def resend(
        self,
        request: Request[Any, Any, Any],
        session: Session,
        now: Now,
        web: Pages,
        mailer: Outgoing,
        mentor_id: UUID,
    ) -> Response[str]:
        mentor = await catalog.get_mentor(session, mentor_id)
        if not mentor.active:
            raise NotFound("no such active mentor")
        fields = catalog.MentorFields(
            display_name=mentor.display_name,
            email=mentor.email,
            university=mentor.university,
            year_of_study=mentor.year_of_study,
            filieres=mentor.filieres,
        )
        await invitations.invite_mentor(session, fields, actor(request), now)
        return await send_invitation(web, mailer, session, mentor, now)
