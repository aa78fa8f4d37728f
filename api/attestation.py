"""``GET /attestation/{id}``: the page a university opens (from the link or the QR code of an
attestation of volunteer mentoring) to check that it is genuine.

It shows what was attested — the mentor's name and university, the figures and the date of
issue, as stored when the document was made — or says plainly that the link is unknown (a
well-formed id no attestation has) or invalid (not an attestation link at all). People open it
from a document, so every answer is a page, never problem JSON; nothing is logged.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from litestar import Request, Response, Router, get
from litestar.enums import MediaType

from api.deps import Session
from api.i18n import as_language, negotiate
from api.widget.routes import PRIVATE_PAGE_HEADERS, widget_templates
from integrations.attestation_pdf import date_text
from scheduler.booking import Attestation, find_attestation
from scheduler.platform import Language, Settings

ATTESTATION_PATH = "/attestation"


def verify_url(settings: Settings, attestation_id: UUID) -> str:
    """The attestation's verification link, printed on the document."""
    return f"{settings.http.public_url.rstrip('/')}{ATTESTATION_PATH}/{attestation_id}"


def _language(request: Request[Any, Any, Any], lang: str | None) -> Language:
    chosen = as_language(lang)
    if chosen is not None:
        return chosen
    accept = request.headers.get("accept-language")
    return negotiate(accept) if accept else "fr"


def _id(text: str) -> UUID | None:
    try:
        return UUID(text) if len(text) <= 64 else None
    except ValueError:
        return None


def create_attestation_router(settings: Settings) -> Router:
    env = widget_templates()

    def page(
        state: str, language: Language, token: str, found: Attestation | None
    ) -> Response[str]:
        other: Language = "en" if language == "fr" else "fr"
        impact = found.impact if found else None
        hours = f"{impact.hours_given:.1f}" if impact else ""
        html = env.get_template("attestation.html").render(
            primary=settings.brand.primary_color,
            accent=settings.brand.accent_color,
            page_lang=language,
            state=state,
            attestation=found,
            impact=impact,
            hours=hours.replace(".", ",") if language == "fr" else hours,
            issued=date_text(found.issued_at, language) if found else "",
            first_call=date_text(impact.first_call, language)
            if impact and impact.first_call
            else "",
            last_call=date_text(impact.last_call, language) if impact and impact.last_call else "",
            other_lang=other,
            other_lang_url=f"{ATTESTATION_PATH}/{token}?lang={other}"
            if state != "invalid"
            else f"?lang={other}",
        )
        return Response(
            html,
            status_code=200 if state == "genuine" else 404,
            media_type=MediaType.HTML,
            headers=dict(PRIVATE_PAGE_HEADERS),
        )

    @get(f"{ATTESTATION_PATH}/{{token:str}}", include_in_schema=False)
    async def attestation(
        request: Request[Any, Any, Any], session: Session, token: str, lang: str | None = None
    ) -> Response[str]:
        language = _language(request, lang)
        attestation_id = _id(token)
        if attestation_id is None:
            return page("invalid", language, "", None)
        found = await find_attestation(session, attestation_id)
        if found is None:
            return page("unknown", language, str(attestation_id), None)
        return page("genuine", language, str(attestation_id), found)

    return Router(path="/", route_handlers=[attestation])
