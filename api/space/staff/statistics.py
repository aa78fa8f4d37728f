"""Statistics with charts, and the visitors' questions (a page and a CSV export)."""

from __future__ import annotations

import csv
import io
import json
from collections import defaultdict
from collections.abc import Sequence
from datetime import timedelta
from typing import Any

from litestar import Controller, Request, Response, get

from api.csv_cells import csv_cell
from api.deps import Now, Session
from api.space.deps import Pages
from api.space.forms import tr
from api.space.staff.common import page
from api.space.web import language
from scheduler import catalog
from scheduler.staff import insights, questions, reports

STATS_WEEKS = 12
UTILISATION_DAYS = 28
QUESTIONS_SHOWN = 200
CSV_MAX_ROWS = 20_000


def chart_data(
    lang: str,
    names: dict[str, str | None],
    rates: Sequence[reports.FiliereCounts],
    weekly: Sequence[insights.WeekCount],
    use: Sequence[insights.Utilisation],
) -> dict[str, Any]:
    """What the page's charts draw: bookings per week and filière, cancellation and no-show
    rates per filière, and each mentor's booked and free slots."""
    weeks = sorted({w.week for w in weekly})
    series: dict[str | None, dict[Any, int]] = defaultdict(dict)
    for w in weekly:
        series[w.filiere][w.week] = w.bookings
    other = tr(lang, "Sans filière", "No field")
    return {
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


def _question_filters(request: Request[Any, Any, Any]) -> tuple[str | None, str | None]:
    search = (request.query_params.get("q") or "").strip()[:100] or None
    filiere = (request.query_params.get("filiere") or "").strip()[:80] or None
    return search, filiere


class StatisticsController(Controller):
    path = "/"

    @get("/stats")
    async def stats(
        self,
        request: Request[Any, Any, Any],
        session: Session,
        now: Now,
        web: Pages,
    ) -> Response[str]:
        lang = language(request)
        stats = await reports.statistics(session, now, now - timedelta(weeks=STATS_WEEKS))
        weekly = await insights.weekly_bookings(session, now, STATS_WEEKS)
        use = await insights.utilisation(session, now, UTILISATION_DAYS)
        rates = stats.per_filiere
        names = {
            f.slug: (f.name_en if lang == "en" else f.name_fr) for f in rates if f.slug is not None
        }
        chart = chart_data(lang, names, rates, weekly, use)
        return page(
            web,
            request,
            "staff/stats.html",
            total=stats.total,
            use=use,
            names=names,
            chart_json=json.dumps(chart, ensure_ascii=False).replace("</", "<\\/"),
            weeks=STATS_WEEKS,
            days=UTILISATION_DAYS,
        )

    @get("/questions")
    async def questions(
        self, request: Request[Any, Any, Any], session: Session, web: Pages
    ) -> Response[str]:
        search, filiere = _question_filters(request)
        lines = await questions.questions(
            session, filiere=filiere, search=search, limit=QUESTIONS_SHOWN
        )
        filiere_list = await catalog.list_filieres(session)
        grouped: dict[str | None, list[questions.QuestionLine]] = defaultdict(list)
        for line in lines:
            grouped[line.filiere].append(line)
        return page(
            web,
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
    async def questions_csv(
        self, request: Request[Any, Any, Any], session: Session
    ) -> Response[bytes]:
        search, filiere = _question_filters(request)
        lines = await questions.export_questions(
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
