"""The mentor's impact (``/mentor/impact``): calls held, students helped, feedback received,
hours given, and the attestations of volunteer mentoring they download as a PDF — each stored
and dated, with the link a university opens to check it (``api.attestation``)."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from litestar import Controller, Request, Response, get, post

from api.attestation import verify_url
from api.deps import AppSettings, Now, Session
from api.space.deps import Pages
from api.space.mentor.common import me, page
from integrations.attestation_pdf import date_text, render_attestation
from scheduler import booking, catalog
from scheduler.platform import NotFound


class MentorImpactController(Controller):
    path = "/impact"

    @get("/")
    async def impact(
        self,
        request: Request[Any, Any, Any],
        session: Session,
        settings: AppSettings,
        now: Now,
        web: Pages,
    ) -> Response[str]:
        mentor_id = me(request)
        mentor = await catalog.get_mentor(session, mentor_id)
        issued = await booking.mentor_attestations(session, mentor_id)
        return page(
            web,
            request,
            "mentor/impact.html",
            mentor,
            impact=await booking.mentor_impact(session, mentor_id, now),
            attestations=[(a, verify_url(settings, a.id)) for a in issued],
            issued_text=date_text,
        )

    @post("/attestations")
    async def issue(
        self, request: Request[Any, Any, Any], session: Session, now: Now, web: Pages
    ) -> Response[str]:
        made = await booking.issue_attestation(session, me(request), now)
        return web.redirect(f"/mentor/impact/attestations/{made.id}/pdf")

    @get("/attestations/{attestation_id:uuid}/pdf")
    async def pdf(
        self,
        request: Request[Any, Any, Any],
        session: Session,
        settings: AppSettings,
        attestation_id: UUID,
    ) -> Response[bytes]:
        found = await booking.find_attestation(session, attestation_id)
        # Another mentor's attestation is answered like an unknown one.
        if found is None or found.mentor_id != me(request):
            raise NotFound("no such attestation")
        day = found.issued_at.date().isoformat()
        return Response(
            render_attestation(found, settings.brand, verify_url(settings, found.id)),
            media_type="application/pdf",
            headers={
                "Content-Disposition": f'attachment; filename="attestation-thotis-{day}.pdf"',
                "Cache-Control": "no-store",
            },
        )
