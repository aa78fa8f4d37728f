"""The follow-up email's "did the exchange help?" links land here."""

from __future__ import annotations

from typing import Annotated, Any, Literal
from uuid import UUID

from litestar import Request, Response, get
from litestar.params import QueryParameter

from api.deps import AppSettings, Session
from api.i18n import negotiate
from scheduler.booking import record_feedback

_PAGE = """<!doctype html><html lang="{lang}"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>Thotis</title>
<style>body{{font-family:system-ui,sans-serif;background:#f5f7fb;color:#14213d;display:grid;
place-items:center;min-height:100vh;margin:0}}main{{background:#fff;border-radius:16px;padding:2rem;
max-width:28rem;box-shadow:0 4px 24px #1d3a8a22}}h1{{color:#1d3a8a;font-size:1.4rem}}</style>
</head><body><main><h1>{title}</h1><p>{text}</p></main></body></html>"""

_TEXT = {
    "fr": (
        "Merci pour ta réponse !",
        "Elle aide Thotis à améliorer les échanges avec les mentors.",
    ),
    "en": ("Thank you for your answer!", "It helps Thotis improve the conversations with mentors."),
}


@get(
    "/v1/feedback/{booking_id:uuid}",
    tags=["public"],
    summary="Answer the follow-up email",
    include_in_schema=True,
)
async def feedback(
    request: Request[Any, Any, Any],
    session: Session,
    settings: AppSettings,
    booking_id: UUID,
    token: Annotated[str, QueryParameter(max_length=64)],
    helpful: Annotated[Literal["yes", "no"], QueryParameter()],
) -> Response[str]:
    await record_feedback(session, settings.secrets.secret_key, booking_id, token, helpful == "yes")
    language = negotiate(request.headers.get("accept-language"))
    title, text = _TEXT[language]
    return Response(_PAGE.format(lang=language, title=title, text=text), media_type="text/html")
