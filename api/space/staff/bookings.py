"""« Rendez-vous »: the booking ledger in pages (newest or oldest first), by filière and status,
and its CSV (the same file as the staff API's ``/v1/staff/bookings.csv``)."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, Response, get

from api.deps import Session
from api.space.deps import Pages
from api.space.staff.common import page
from api.space.staff.tables import csv_response, table_view
from api.staff import CSV_COLUMNS
from scheduler import catalog
from scheduler.booking import BookingStatus
from scheduler.staff import reports

PER_PAGE = 50


def _filter(request: Request[Any, Any, Any]) -> reports.BookingFilter:
    filiere = request.query_params.get("filiere") or None
    status = request.query_params.get("status") or None
    if status not in set(BookingStatus):
        status = None
    return reports.BookingFilter(filiere=filiere, status=status)


class StaffBookingsController(Controller):
    path = "/bookings"

    @get("/")
    async def bookings(
        self, request: Request[Any, Any, Any], session: Session, web: Pages
    ) -> Response[str]:
        flt = _filter(request)
        total = await reports.count_bookings(session, flt)
        view = table_view(
            request,
            "/staff/bookings",
            ("start",),
            "start",
            total,
            descending=True,
            per_page=PER_PAGE,
            keep=("filiere", "status"),
        )
        lines = await reports.list_bookings(
            session, flt, limit=view.per_page, offset=view.offset, newest_first=view.descending
        )
        filiere_list = await catalog.list_filieres(session)
        return page(
            web,
            request,
            "staff/bookings.html",
            view=view,
            lines=lines,
            filiere_list=filiere_list,
            names={f.slug: f for f in filiere_list},
            filiere=flt.filiere or "",
            status=flt.status or "",
            statuses=list(BookingStatus),
        )

    @get("/export.csv")
    async def bookings_csv(
        self, request: Request[Any, Any, Any], session: Session
    ) -> Response[bytes]:
        lines = await reports.export_bookings(session, _filter(request))
        return csv_response(
            CSV_COLUMNS,
            ([getattr(line, column) for column in CSV_COLUMNS] for line in lines),
            "rendez-vous-thotis.csv",
        )
