"""The themes of the visitors' questions in the console: per filière and month, with their
trend, a drill-down to the scrubbed questions, approval for the filière page, and the
anonymised dataset (JSONL)."""

from __future__ import annotations

from datetime import date
from typing import Any

from litestar import Controller, Request, Response, get, post

from api.deps import Session
from api.question_themes import dataset_body
from api.space.deps import Pages
from api.space.staff.common import actor, page
from scheduler import catalog
from scheduler.staff import question_themes


def _period(value: str | None, periods: list[date]) -> date | None:
    """The month asked for (YYYY-MM) when it has themes, else the newest."""
    for period in periods:
        if value == period.strftime("%Y-%m"):
            return period
    return periods[0] if periods else None


class ThemesController(Controller):
    path = "/"

    @get("/themes")
    async def themes(
        self, request: Request[Any, Any, Any], session: Session, web: Pages
    ) -> Response[str]:
        periods = await question_themes.filiere_periods(session)
        period = _period(request.query_params.get("period"), periods)
        filieres = await catalog.list_filieres(session)
        slugs = {f.slug for f in filieres}
        asked = (request.query_params.get("filiere") or "").strip()
        filiere = asked if asked in slugs else None
        found = (
            await question_themes.stored_themes(session, filiere=filiere, period=period)
            if period is not None
            else []
        )
        grouped: dict[str, list[question_themes.StoredTheme]] = {}
        for theme in found:
            grouped.setdefault(theme.filiere, []).append(theme)
        return page(
            web,
            request,
            "staff/themes.html",
            grouped=list(grouped.items()),
            names={f.slug: f for f in filieres},
            filiere_list=filieres,
            filiere=filiere or "",
            periods=periods,
            period=period,
        )

    @get("/themes/{theme_id:int}")
    async def theme(
        self, request: Request[Any, Any, Any], session: Session, web: Pages, theme_id: int
    ) -> Response[str]:
        theme, questions = await question_themes.get_theme(session, theme_id)
        filieres = {f.slug: f for f in await catalog.list_filieres(session)}
        return page(
            web,
            request,
            "staff/theme.html",
            theme=theme,
            questions=questions,
            filiere=filieres.get(theme.filiere),
        )

    @post("/themes/{theme_id:int}/approval")
    async def approve(
        self, request: Request[Any, Any, Any], session: Session, web: Pages, theme_id: int
    ) -> Response[str]:
        form = await request.form()
        approved = form.get("approved") == "1"
        theme = await question_themes.approve_theme(session, theme_id, approved, actor(request))
        back = form.get("back") == "theme"
        where = (
            f"/staff/themes/{theme.id}"
            if back
            else f"/staff/themes?filiere={theme.filiere}&period={theme.period:%Y-%m}"
        )
        return web.redirect(f"{where}{'&' if '?' in where else '?'}ok=saved#theme-{theme.id}")

    @get("/themes/dataset.jsonl")
    async def dataset(self, session: Session) -> Response[bytes]:
        return Response(
            await dataset_body(session),
            media_type="application/x-ndjson",
            headers={
                "Content-Disposition": 'attachment; filename="thotis-questions.jsonl"',
                "Cache-Control": "no-store",
            },
        )
