"""The mentor's profile and preferences (``/mentor/settings``): the public profile, the
timezone and the notification mails. The profile and timezone forms are also onboarding steps
(``api.space.mentor.onboarding``), which save them through the same functions."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, Response, get, post
from sqlalchemy.ext.asyncio import AsyncSession

from api.deps import Now, Session
from api.space import forms
from api.space.deps import Pages
from api.space.forms import tr
from api.space.mentor.common import me, page, timezone_groups
from api.space.web import Web, error_text, language
from api.text import clean_text
from availability import AvailabilityError
from scheduler import catalog
from scheduler.identity import invitations
from scheduler.platform import Actor, Language, SchedulingError, ValidationFailed

# What a mentor reads next to a field the catalog refused. The limits themselves (a bio of
# 1,200 characters at most, a photo at an http(s) address) are the catalog's rule
# (scheduler.catalog.mentors), checked when the profile is saved; the page keeps no copy.
REFUSED = {
    "bio": ("1 200 caractères au plus.", "1,200 characters at most."),
    "photo_url": (
        "Une adresse d'image qui commence par https://",
        "An image address starting with https://",
    ),
    "meeting_url": (
        "Un lien de visio complet qui commence par https:// (sans espace).",
        "A full video call link starting with https:// (no spaces).",
    ),
}


def refused_fields(error: SchedulingError | AvailabilityError, lang: Language) -> dict[str, str]:
    """The catalog's refusal as the form shows it: next to the field when the form explains
    that field (the rule's message starts with the field's name), else above the form."""
    field = error.detail.partition(" ")[0] if isinstance(error, ValidationFailed) else ""
    if field in REFUSED:
        return {field: tr(lang, *REFUSED[field])}
    return {"_": error_text(error, lang)}


def profile_changes(form: Any, lang: str) -> tuple[catalog.MentorChanges | None, dict[str, str]]:
    """The profile form as changes, or the message of each field left empty (the catalog
    checks the values when they are saved)."""
    errors: dict[str, str] = {}
    name = clean_text(forms.field(form, "display_name", 200))
    university = clean_text(forms.field(form, "university", 200))
    bio = clean_text(forms.field(form, "bio", 1500), multiline=True)
    photo = forms.field(form, "photo_url", 600)
    # Empty removes the mentor's own link: the engine's venue (Meet or Jitsi) applies again.
    # A form without the field (onboarding's profile step: the link is its calendar and video
    # step) leaves it as it is.
    meeting = forms.field(form, "meeting_url", 600).strip() if "meeting_url" in form else None
    year = forms.whole(form, "year_of_study", errors, lang, low=1, high=12)
    filieres = tuple(str(v) for v in form.getall("filieres", []))
    languages = tuple(str(v) for v in form.getall("languages", []) if str(v) in forms.LANGUAGES)
    if not name:
        errors["display_name"] = tr(
            lang,
            "Indiquez votre prénom (et l'initiale de votre nom).",
            "Give your first name (and your last name's initial).",
        )
    if not university:
        errors["university"] = tr(
            lang, "Indiquez votre université ou école.", "Give your university or school."
        )
    if not filieres:
        errors["filieres"] = tr(
            lang, "Choisissez au moins une filière.", "Choose at least one field of study."
        )
    if not languages:
        errors["languages"] = tr(
            lang, "Choisissez au moins une langue.", "Choose at least one language."
        )
    if errors:
        return None, errors
    changes = catalog.MentorChanges(
        display_name=name,
        university=university,
        bio=bio,
        photo_url=photo,
        meeting_url=meeting,
        year_of_study=year,
        filieres=filieres,
        languages=languages,
    )
    return changes, errors


async def save_profile(
    request: Request[Any, Any, Any], session: AsyncSession
) -> tuple[bool, dict[str, str], Any]:
    """Save the posted profile: (saved, the errors by field, the form to show back)."""
    form = await request.form()
    lang = language(request)
    changes, errors = profile_changes(form, lang)
    if changes is not None:
        try:
            await catalog.update_mentor(session, me(request), changes, Actor.mentor(me(request)))
            await catalog.drop_unused_photo(session, me(request))
            return True, {}, form
        except (SchedulingError, AvailabilityError) as error:
            errors = refused_fields(error, lang)
    return False, errors, form


async def save_timezone(request: Request[Any, Any, Any], session: AsyncSession) -> dict[str, str]:
    """Save the posted timezone: the errors by field (none: saved)."""
    form = await request.form()
    lang = language(request)
    name = forms.field(form, "timezone", 64)
    try:
        # The catalog checks the name is an IANA timezone (InvalidTimezone) before it writes.
        await catalog.update_mentor(
            session,
            me(request),
            catalog.MentorChanges(timezone=name),
            Actor.mentor(me(request)),
        )
    except (SchedulingError, AvailabilityError):
        return {
            "timezone": tr(
                lang,
                "Choisissez un fuseau horaire de la liste.",
                "Choose a timezone from the list.",
            )
        }
    return {}


async def settings_page(
    web: Web,
    request: Request[Any, Any, Any],
    session: AsyncSession,
    *,
    errors: dict[str, str] | None = None,
    status: int = 200,
    values: Any = None,
) -> Response[str]:
    mentor_id = me(request)
    mentor = await catalog.get_mentor(session, mentor_id)
    state = await invitations.space_state(session, mentor_id)
    return page(
        web,
        request,
        "mentor/settings.html",
        mentor,
        http_status=status,
        state=state,
        errors=errors or {},
        values=values,
        filiere_list=await catalog.list_filieres(session),
        languages=forms.LANGUAGES,
        zone_groups=timezone_groups(request, mentor.timezone),
    )


class MentorProfileController(Controller):
    path = "/settings"

    @get("/")
    async def settings(
        self, request: Request[Any, Any, Any], session: Session, web: Pages
    ) -> Response[str]:
        return await settings_page(web, request, session)

    @post("/profile")
    async def settings_profile(
        self, request: Request[Any, Any, Any], session: Session, web: Pages
    ) -> Response[str]:
        saved, errors, form = await save_profile(request, session)
        if saved:
            return web.redirect("/mentor/settings?ok=saved")
        return await settings_page(web, request, session, errors=errors, status=422, values=form)

    @post("/timezone")
    async def settings_timezone(
        self, request: Request[Any, Any, Any], session: Session, web: Pages
    ) -> Response[str]:
        errors = await save_timezone(request, session)
        if not errors:
            return web.redirect("/mentor/settings?ok=saved#tz")
        return await settings_page(web, request, session, errors=errors, status=422)


class MentorNotificationsController(Controller):
    path = "/settings/notifications"

    @post("/")
    async def settings_notify(
        self, request: Request[Any, Any, Any], session: Session, now: Now, web: Pages
    ) -> Response[str]:
        form = await request.form()
        try:
            await invitations.set_notify(session, me(request), forms.field(form, "notify", 10), now)
        except ValidationFailed:
            problem = tr(language(request), "Choisissez une option.", "Choose an option.")
            return await settings_page(
                web, request, session, errors={"notify": problem}, status=422
            )
        return web.redirect("/mentor/settings?ok=saved#notifications")
