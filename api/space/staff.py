"""The staff console (``/staff``): mentors and their connection health, invitations, filières,
moderation with the audit trail, statistics with charts and the visitors' questions.

Signed in with Google, for ``Settings.staff_emails`` or ``Settings.staff_domain`` only. Every
change is recorded in the audit trail under the staff member's email.
"""

from __future__ import annotations

import csv
import io
import json
from collections import defaultdict
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

from litestar import Request, Response, Router, get, post
from sqlalchemy.ext.asyncio import AsyncSession

from api.csv_cells import csv_cell
from api.deps import Now, Session
from api.space import forms
from api.space.auth import link_message
from api.space.forms import tr
from api.space.mail import send_reporting
from api.space.web import SESSION_PATH, Web, error_text, language, session_guard
from api.text import clean_text
from availability import AvailabilityError
from scheduler import catalog
from scheduler.catalog import MentorRecord
from scheduler.identity import invitations, sessions
from scheduler.messaging import Mailer
from scheduler.platform import Actor, NotFound, SchedulingError
from scheduler.staff import insights, moderation, reports

STATS_WEEKS = 12
UTILISATION_DAYS = 28
QUESTIONS_SHOWN = 200
CSV_MAX_ROWS = 20_000


FLASH = {
    "invited": ("Invitation envoyée.", "Invitation sent."),
    "saved": ("Enregistré.", "Saved."),
    "blocked": (
        "Adresse bloquée : elle ne peut plus réserver.",
        "Address blocked: it can no longer book.",
    ),
    "dismissed": ("Signalement classé.", "Report dismissed."),
}


WARNINGS = {
    "unsent": (
        "Invitation enregistrée, mais l’email n’a pas pu partir : le serveur d’envoi ne répond "
        "pas. Réessayez dans un moment avec « Renvoyer un lien ».",
        "Invitation saved, but the email could not be sent: the mail server is not answering. "
        "Try again in a moment with « Resend a link ».",
    ),
}


def actor(request: Request[Any, Any, Any]) -> Actor:
    return Actor.staff(request.state.space.staff_email)


def nav(lang: str) -> list[tuple[str, str]]:
    return [
        ("/staff", tr(lang, "Mentors", "Mentors")),
        ("/staff/filieres", tr(lang, "Filières", "Fields of study")),
        ("/staff/moderation", tr(lang, "Modération", "Moderation")),
        ("/staff/stats", tr(lang, "Statistiques", "Statistics")),
        ("/staff/questions", tr(lang, "Questions", "Questions")),
    ]


def build_staff_router(web: Web, mailer: Mailer) -> Router:
    def page(request: Request[Any, Any, Any], template: str, **context: Any) -> Response[str]:
        lang = language(request)
        warning = WARNINGS.get(request.query_params.get("warn") or "")
        found = warning or FLASH.get(request.query_params.get("ok") or "")
        context.setdefault("flash", tr(lang, *found) if found else None)
        context.setdefault("flash_warning", warning is not None)
        return web.render(request, template, nav=nav(lang), **context)

    # --- mentors --------------------------------------------------------------------------

    async def send_invitation(
        session: AsyncSession, mentor: MentorRecord, now: datetime
    ) -> Response[str]:
        """Mail the invitation while the member of staff waits, and tell them if it did not
        leave (the invitation is saved either way; « Resend » tries again)."""
        raw = await sessions.issue_sign_in_link(
            session, mentor.id, now, sessions.INVITATION_LINK_TTL
        )
        message = link_message(
            web, email=mentor.email, name=mentor.display_name, raw=raw, now=now, invitation=True
        )
        sent = await send_reporting(mailer, message)
        return web.redirect("/staff?ok=invited" if sent else f"/staff?warn=unsent#m-{mentor.id}")

    async def _mentors(
        request: Request[Any, Any, Any],
        session: Any,
        *,
        http_status: int = 200,
        errors: dict[str, str] | None = None,
        values: Any = None,
    ) -> Response[str]:
        return page(
            request,
            "staff/mentors.html",
            http_status=http_status,
            health=await insights.mentor_health(session),
            filiere_list=await catalog.list_filieres(session),
            errors=errors or {},
            values=values,
        )

    @get("/")
    async def mentors(request: Request[Any, Any, Any], session: Session) -> Response[str]:
        return await _mentors(request, session)

    @post("/invite")
    async def invite(request: Request[Any, Any, Any], session: Session, now: Now) -> Response[str]:
        form = await request.form()
        lang = language(request)
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
            return await _mentors(request, session, http_status=422, errors=errors, values=form)
        try:
            invited = await invitations.invite_mentor(
                session,
                catalog.MentorFields(
                    display_name=name,
                    email=email,
                    university=university,
                    year_of_study=year or 1,
                    filieres=filieres,
                ),
                actor(request),
                now,
            )
        except (SchedulingError, AvailabilityError) as error:
            return await _mentors(
                request,
                session,
                http_status=422,
                errors={"_": error_text(error, lang)},
                values=form,
            )
        return await send_invitation(session, invited.mentor, now)

    @post("/mentors/{mentor_id:uuid}/resend")
    async def resend(
        request: Request[Any, Any, Any], session: Session, now: Now, mentor_id: UUID
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
        return await send_invitation(session, mentor, now)

    @post("/mentors/{mentor_id:uuid}/active")
    async def set_active(
        request: Request[Any, Any, Any], session: Session, mentor_id: UUID
    ) -> Response[str]:
        form = await request.form()
        await catalog.set_mentor_active(
            session, mentor_id, form.get("active") == "1", actor(request)
        )
        return web.redirect(f"/staff?ok=saved#m-{mentor_id}")

    @post("/mentors/{mentor_id:uuid}/visible")
    async def set_visible(
        request: Request[Any, Any, Any], session: Session, mentor_id: UUID
    ) -> Response[str]:
        form = await request.form()
        paused = form.get("visible") != "1"
        await catalog.update_mentor(
            session, mentor_id, catalog.MentorChanges(paused=paused), actor(request)
        )
        return web.redirect(f"/staff?ok=saved#m-{mentor_id}")

    # --- filières -------------------------------------------------------------------------

    async def _filieres(
        request: Request[Any, Any, Any],
        session: Any,
        *,
        http_status: int = 200,
        error: str | None = None,
    ) -> Response[str]:
        return page(
            request,
            "staff/filieres.html",
            http_status=http_status,
            filiere_list=await catalog.list_filieres(session),
            error=error,
        )

    @get("/filieres")
    async def filieres(request: Request[Any, Any, Any], session: Session) -> Response[str]:
        return await _filieres(request, session)

    @post("/filieres")
    async def create_filiere(request: Request[Any, Any, Any], session: Session) -> Response[str]:
        form = await request.form()
        try:
            await catalog.create_filiere(
                session,
                forms.field(form, "slug", 80).lower(),
                clean_text(forms.field(form, "name_fr", 200)),
                clean_text(forms.field(form, "name_en", 200)),
                actor(request),
            )
        except (SchedulingError, AvailabilityError) as error:
            return await _filieres(
                request, session, http_status=422, error=error_text(error, language(request))
            )
        return web.redirect("/staff/filieres?ok=saved")

    @post("/filieres/{slug:str}")
    async def rename_filiere(
        request: Request[Any, Any, Any], session: Session, slug: str
    ) -> Response[str]:
        form = await request.form()
        try:
            await catalog.update_filiere(
                session,
                slug,
                actor(request),
                name_fr=clean_text(forms.field(form, "name_fr", 200)),
                name_en=clean_text(forms.field(form, "name_en", 200)),
            )
        except NotFound:
            raise
        except (SchedulingError, AvailabilityError) as error:
            return await _filieres(
                request, session, http_status=422, error=error_text(error, language(request))
            )
        return web.redirect("/staff/filieres?ok=saved")

    # --- moderation -----------------------------------------------------------------------

    async def _moderation(
        request: Request[Any, Any, Any],
        session: Any,
        *,
        http_status: int = 200,
        error: str | None = None,
    ) -> Response[str]:
        return page(
            request,
            "staff/moderation.html",
            http_status=http_status,
            open_reports=await moderation.open_reports(session),
            audit=await moderation.recent_audit(session, 60),
            error=error,
        )

    @get("/moderation")
    async def moderation_page(request: Request[Any, Any, Any], session: Session) -> Response[str]:
        return await _moderation(request, session)

    @post("/reports/{report_id:int}")
    async def resolve(
        request: Request[Any, Any, Any], session: Session, now: Now, report_id: int
    ) -> Response[str]:
        form = await request.form()
        resolution = "blocked" if form.get("resolution") == "blocked" else "dismissed"
        try:
            await moderation.resolve_report(session, report_id, resolution, actor(request), now)
        except NotFound:
            raise
        except SchedulingError as error:
            return await _moderation(
                request,
                session,
                http_status=error.status,
                error=error_text(error, language(request)),
            )
        return web.redirect(f"/staff/moderation?ok={resolution}")

    @post("/blocks")
    async def block(request: Request[Any, Any, Any], session: Session) -> Response[str]:
        form = await request.form()
        try:
            await moderation.block_email(
                session,
                forms.field(form, "email", 320),
                clean_text(forms.field(form, "reason", 600)),
                actor(request),
            )
        except SchedulingError as error:
            return await _moderation(
                request, session, http_status=422, error=error_text(error, language(request))
            )
        return web.redirect("/staff/moderation?ok=blocked")

    # --- statistics and questions ---------------------------------------------------------

    @get("/stats")
    async def stats(request: Request[Any, Any, Any], session: Session, now: Now) -> Response[str]:
        lang = language(request)
        since = now - timedelta(weeks=STATS_WEEKS)
        stats = await reports.statistics(session, now, since)
        rates = stats.per_filiere
        weekly = await insights.weekly_bookings(session, now, STATS_WEEKS)
        use = await insights.utilisation(session, now, UTILISATION_DAYS)
        names = {
            f.slug: (f.name_en if lang == "en" else f.name_fr) for f in rates if f.slug is not None
        }
        weeks = sorted({w.week for w in weekly})
        series: dict[str | None, dict[Any, int]] = defaultdict(dict)
        for w in weekly:
            series[w.filiere][w.week] = w.bookings
        other = tr(lang, "Sans filière", "No field")
        chart = {
            "weekly": {
                "labels": [w.strftime("%d/%m") for w in weeks],
                "datasets": [
                    {
                        "label": names.get(slug or "", other),
                        "data": [counts.get(w, 0) for w in weeks],
                    }
                    for slug, counts in sorted(series.items(), key=lambda item: item[0] or "~")
                ],
            },
            "rates": {
                "labels": [names.get(f.slug or "", other) for f in rates],
                "cancellation": [round(100 * (f.counts.cancellation_rate or 0), 1) for f in rates],
                "no_show": [round(100 * (f.counts.no_show_rate or 0), 1) for f in rates],
                "labelCancellation": tr(lang, "Annulations (%)", "Cancellations (%)"),
                "labelNoShow": tr(lang, "Absences (%)", "No-shows (%)"),
            },
            "utilisation": {
                "labels": [u.display_name for u in use],
                "booked": [u.booked for u in use],
                "free": [u.free for u in use],
                "labelBooked": tr(lang, "Réservés", "Booked"),
                "labelFree": tr(lang, "Encore libres", "Still free"),
            },
        }
        return page(
            request,
            "staff/stats.html",
            total=stats.total,
            use=use,
            names=names,
            chart_json=json.dumps(chart, ensure_ascii=False).replace("</", "<\\/"),
            weeks=STATS_WEEKS,
            days=UTILISATION_DAYS,
        )

    def _question_filters(request: Request[Any, Any, Any]) -> tuple[str | None, str | None]:
        search = (request.query_params.get("q") or "").strip()[:100] or None
        filiere = (request.query_params.get("filiere") or "").strip()[:80] or None
        return search, filiere

    @get("/questions")
    async def questions(request: Request[Any, Any, Any], session: Session) -> Response[str]:
        search, filiere = _question_filters(request)
        lines = await reports.questions(
            session, filiere=filiere, search=search, limit=QUESTIONS_SHOWN
        )
        filiere_list = await catalog.list_filieres(session)
        grouped: dict[str | None, list[reports.QuestionLine]] = defaultdict(list)
        for line in lines:
            grouped[line.filiere].append(line)
        return page(
            request,
            "staff/questions.html",
            grouped=sorted(grouped.items(), key=lambda item: (-len(item[1]), item[0] or "~")),
            filiere_list=filiere_list,
            names={f.slug: f for f in filiere_list},
            search=search or "",
            filiere=filiere or "",
            count=len(lines),
        )

    @get("/questions.csv")
    async def questions_csv(request: Request[Any, Any, Any], session: Session) -> Response[bytes]:
        search, filiere = _question_filters(request)
        lines = await reports.export_questions(
            session, filiere=filiere, search=search, most=CSV_MAX_ROWS
        )
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\r\n")
        writer.writerow(["filiere", "start", "status", "mentor", "language", "question"])
        for line in lines:
            cells = [
                line.filiere,
                line.start,
                line.status,
                line.mentor_name,
                line.language,
                line.question,
            ]
            writer.writerow([csv_cell(c) for c in cells])
        # The BOM lets spreadsheet software read accents as UTF-8.
        body = ("\ufeff" + buffer.getvalue()).encode()
        return Response(
            body,
            media_type="text/csv; charset=utf-8",
            headers={
                "Content-Disposition": 'attachment; filename="questions-thotis.csv"',
                "Cache-Control": "no-store",
            },
        )

    return Router(
        path=SESSION_PATH["staff"],
        guards=[session_guard("staff")],
        include_in_schema=False,
        route_handlers=[
            mentors,
            invite,
            resend,
            set_active,
            set_visible,
            filieres,
            create_filiere,
            rename_filiere,
            moderation_page,
            resolve,
            block,
            stats,
            questions,
            questions_csv,
        ],
    )
