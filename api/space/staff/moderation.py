"""Moderation: the mentors' reports on bookings (dismiss, or block the visitor's address),
blocking an address by hand, and the audit trail."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, Response, get, post
from sqlalchemy.ext.asyncio import AsyncSession

from api.deps import Now, Session
from api.space import forms
from api.space.deps import Pages
from api.space.staff.audit import Sentence, sentence
from api.space.staff.common import actor, page
from api.space.staff.tables import csv_response, table_view
from api.space.web import Web, error_text, language
from api.text import clean_text
from scheduler.booking import cancel_by_staff
from scheduler.platform import BookingNotLive, Language, NotFound, SchedulingError
from scheduler.staff import moderation, trail


async def audit_sentences(
    session: AsyncSession, lines: list[moderation.AuditLine], lang: Language
) -> list[tuple[moderation.AuditLine, Sentence]]:
    """Each entry with its sentence, the names looked up once for the whole page."""
    names = await trail.trail_names(session, lines)
    return [(line, sentence(line, names, lang)) for line in lines]


AUDIT_SHOWN = 60
# A CSV of the trail: its newest lines, bounded so that one answer stays small in memory.
AUDIT_CSV_MAX = 50_000
REPORTS_PER_PAGE = 20
AUDIT_PER_PAGE = 100


async def moderation_page(
    web: Web,
    request: Request[Any, Any, Any],
    session: AsyncSession,
    *,
    http_status: int = 200,
    error: str | None = None,
) -> Response[str]:
    lines = await moderation.recent_audit(session, AUDIT_SHOWN)
    view = table_view(
        request,
        "/staff/moderation",
        ("reported",),
        "reported",
        await moderation.open_report_count(session),
        descending=True,
        per_page=REPORTS_PER_PAGE,
    )
    return page(
        web,
        request,
        "staff/moderation.html",
        http_status=http_status,
        view=view,
        open_reports=await moderation.open_reports(
            session, view.per_page, offset=view.offset, oldest_first=not view.descending
        ),
        audit=await audit_sentences(session, lines, language(request)),
        error=error,
    )


class ModerationController(Controller):
    path = "/"

    @get("/moderation")
    async def moderation_home(
        self, request: Request[Any, Any, Any], session: Session, web: Pages
    ) -> Response[str]:
        return await moderation_page(web, request, session)

    @get("/audit")
    async def audit(
        self, request: Request[Any, Any, Any], session: Session, web: Pages
    ) -> Response[str]:
        total = await moderation.audit_count(session)
        view = table_view(
            request, "/staff/audit", ("at",), "at", total, descending=True, per_page=AUDIT_PER_PAGE
        )
        lines = await moderation.recent_audit(
            session, view.per_page, offset=view.offset, oldest_first=not view.descending
        )
        return page(
            web,
            request,
            "staff/audit.html",
            view=view,
            audit=await audit_sentences(session, lines, language(request)),
        )

    @get("/audit.csv")
    async def audit_csv(self, request: Request[Any, Any, Any], session: Session) -> Response[bytes]:
        lines = await moderation.recent_audit(session, AUDIT_CSV_MAX)
        lang = language(request)
        described = await audit_sentences(session, lines, lang)
        return csv_response(
            ["at", "sentence", "actor_kind", "action", "entity", "entity_id"],
            (
                [line.at, said.text, line.actor_kind, line.action, line.entity, line.entity_id]
                for line, said in described
            ),
            "journal-thotis.csv",
        )

    @get("/moderation.csv")
    async def reports_csv(self, session: Session) -> Response[bytes]:
        lines = await moderation.open_reports(session, AUDIT_CSV_MAX)
        return csv_response(
            ["reported_at", "by", "mentor", "start", "status", "reason", "visitor_first_name"],
            (
                [
                    r.created_at,
                    r.reporter,
                    r.mentor_name,
                    r.start,
                    r.status,
                    r.reason,
                    r.visitor_first_name,
                ]
                for r in lines
            ),
            "signalements-thotis.csv",
        )

    @post("/reports/{report_id:int}")
    async def resolve(
        self,
        request: Request[Any, Any, Any],
        session: Session,
        now: Now,
        web: Pages,
        report_id: int,
    ) -> Response[str]:
        form = await request.form()
        chosen = form.get("resolution")
        resolution: moderation.Resolution = (
            "blocked" if chosen == "blocked" else "handled" if chosen == "handled" else "dismissed"
        )
        try:
            await moderation.resolve_report(session, report_id, resolution, actor(request), now)
        except NotFound:
            raise
        except SchedulingError as error:
            return await moderation_page(
                web,
                request,
                session,
                http_status=error.status,
                error=error_text(error, language(request)),
            )
        return web.redirect(f"/staff/moderation?ok={resolution}")

    @post("/reports/{report_id:int}/cancel-future")
    async def cancel_future(
        self,
        request: Request[Any, Any, Any],
        session: Session,
        now: Now,
        web: Pages,
        report_id: int,
    ) -> Response[str]:
        """Cancel the bookings to come of whoever the report is about, with the team's message
        in the cancellation mails; the report is then handled. The form's required box is the
        confirmation."""
        form = await request.form()
        message = clean_text(forms.field(form, "message", 600), multiline=True) or None
        if form.get("confirm") != "yes":
            return await moderation_page(
                web,
                request,
                session,
                http_status=422,
                error=forms.tr(
                    language(request),
                    "Cochez la case pour confirmer l'annulation.",
                    "Tick the box to confirm the cancellation.",
                ),
            )
        who = actor(request)
        for booking_id in await moderation.reported_future_bookings(session, report_id, now):
            try:
                await cancel_by_staff(session, booking_id, now, message, who)
            except BookingNotLive:
                continue  # cancelled meanwhile
        await moderation.resolve_report(session, report_id, "handled", who, now)
        return web.redirect("/staff/moderation?ok=handled")

    @post("/blocks")
    async def block(
        self, request: Request[Any, Any, Any], session: Session, web: Pages
    ) -> Response[str]:
        form = await request.form()
        try:
            await moderation.block_email(
                session,
                forms.field(form, "email", 320),
                clean_text(forms.field(form, "reason", 600)),
                actor(request),
            )
        except SchedulingError as error:
            return await moderation_page(
                web, request, session, http_status=422, error=error_text(error, language(request))
            )
        return web.redirect("/staff/moderation?ok=blocked")
