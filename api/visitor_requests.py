"""What a visitor asks of the team from their own pages, without an account: a copy of their
data or its erasure (GDPR arts. 15 and 17), and "Signaler un problème" about a booking.

- ``POST /manage/{token}/privacy`` (form ``kind`` = export | erase): a link is mailed to the
  booking's address; the page says so, whatever happened (it tells nobody whether a mail went).
- ``GET /privacy/requests/{token}``: the mailed link opens a page with a button (mail scanners
  open links with GET); ``POST`` carries the request out: the JSON file, or the erasure.
- ``POST /manage/{token}/report`` and ``POST /join/{token}/report`` (form ``reason``): a
  report in the team's moderation queue.

Pages, not problem JSON: people come here from a mail or a form. Nothing is logged but counts.
"""

from __future__ import annotations

import json
from datetime import datetime
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from typing import Any

from litestar import Request, Response, Router, get, post
from litestar.background_tasks import BackgroundTask
from litestar.enums import MediaType
from markupsafe import escape

from api.deps import AppSettings, Now, Session
from api.i18n import as_language, negotiate
from api.space.mail import send_reporting
from api.text import clean_text
from api.widget.routes import PRIVATE_PAGE_HEADERS, widget_templates
from integrations.mail_policy import MAIL_POLICY
from integrations.messages import Brand
from scheduler.booking import booking_id_for_token, resolve_join
from scheduler.messaging import Mailer
from scheduler.platform import (
    Actor,
    BookingGone,
    InvalidToken,
    Language,
    SchedulingError,
    Settings,
    TokenExpired,
    ValidationFailed,
)
from scheduler.staff import moderation, privacy, privacy_requests

_KIND_TEXT: dict[str, tuple[str, str]] = {
    "export": ("recevoir une copie de tes données", "get a copy of your data"),
    "erase": ("effacer tes données", "erase your data"),
}


def _language(request: Request[Any, Any, Any], fallback: Language = "fr") -> Language:
    chosen = as_language(request.query_params.get("lang"))
    if chosen is not None:
        return chosen
    accept = request.headers.get("accept-language")
    return negotiate(accept) if accept else fallback


def request_mail(
    settings: Settings, *, to_email: str, kind: str, url: str, now: datetime
) -> EmailMessage:
    """The confirmation link, French then English: the request is carried out only once it is
    opened, so that nobody else holding a manage link can export or erase a visitor's data."""
    brand = Brand.from_settings(settings)
    fr, en = _KIND_TEXT[kind]
    hours = int(privacy_requests.REQUEST_LINK_TTL.total_seconds() // 3600)
    subject = "Ta demande sur tes données Thotis / Your request about your Thotis data"
    text = (
        f"Bonjour,\n\nTu as demandé à {fr}. Pour confirmer, ouvre ce lien "
        f"(valable {hours} heures, une seule fois) :\n\n{url}\n\n"
        "Si tu n'as rien demandé, ignore ce message : rien ne sera fait.\n\n"
        "— English —\n\n"
        f"Hello,\n\nYou asked to {en}. To confirm, open this link "
        f"(valid for {hours} hours, once):\n\n{url}\n\n"
        "If you did not ask for it, ignore this message: nothing will happen.\n\nThotis\n"
    )
    html = (
        f'<!DOCTYPE html><html lang="fr"><head><meta charset="utf-8"><title>{escape(subject)}'
        '</title></head><body style="font-family:Arial,Helvetica,sans-serif;color:#1f2430;">'
        f"<p>Bonjour,</p><p>Tu as demandé à {escape(fr)}. Pour confirmer, ouvre ce lien "
        f"(valable {hours} heures, une seule fois) :</p>"
        f'<p><a href="{escape(url)}" style="color:{brand.primary_color};">Confirmer ma demande</a>'
        "</p><p>Si tu n'as rien demandé, ignore ce message : rien ne sera fait.</p>"
        f'<hr><div lang="en"><p>Hello,</p><p>You asked to {escape(en)}. To confirm, open this '
        f'link (valid for {hours} hours, once):</p><p><a href="{escape(url)}">Confirm my '
        "request</a></p><p>If you did not ask for it, ignore this message: nothing will "
        "happen.</p></div></body></html>"
    )
    message = EmailMessage(policy=MAIL_POLICY)
    message["Subject"] = subject
    message["From"] = brand.mail_from
    local_part, _, domain = to_email.rpartition("@")
    message["To"] = Address(username=local_part, domain=domain)
    message["Date"] = format_datetime(now)
    message["Message-ID"] = make_msgid(domain=brand.domain)
    message["Auto-Submitted"] = "auto-generated"
    message["X-Thotis-Kind"] = "privacy_request"
    message.set_content(text, subtype="plain", charset="utf-8")
    message.add_alternative(html, subtype="html", charset="utf-8")
    message["Content-Language"] = "fr, en"
    return message


def create_visitor_requests_router(settings: Settings, mailer: Mailer) -> Router:
    env = widget_templates()
    public_url = settings.http.public_url.rstrip("/")

    def page(
        lang: Language, title: str, message: str, status: int = 200, **context: Any
    ) -> Response[str]:
        html = env.get_template("visitor_request.html").render(
            primary=settings.brand.primary_color,
            accent=settings.brand.accent_color,
            page_lang=lang,
            title=title,
            message=message,
            **context,
        )
        return Response(
            html, status_code=status, media_type=MediaType.HTML, headers=PRIVATE_PAGE_HEADERS
        )

    def refused(lang: Language, error: SchedulingError) -> Response[str]:
        en = lang == "en"
        if isinstance(error, BookingGone):
            return page(
                lang,
                "This booking was erased" if en else "Ce rendez-vous a été effacé",
                "Its data is no longer kept." if en else "Ses données ne sont plus conservées.",
                410,
            )
        if isinstance(error, TokenExpired):
            return page(
                lang,
                "This link has expired" if en else "Ce lien a expiré",
                "Ask again from your booking's page."
                if en
                else "Refais la demande depuis la page de ton rendez-vous.",
                410,
            )
        if isinstance(error, ValidationFailed):
            return page(
                lang,
                "Something is missing" if en else "Il manque quelque chose",
                "Describe the problem in a few words (500 characters at most)."
                if en
                else "Décris le problème en quelques mots (500 caractères au plus).",
                422,
            )
        return page(
            lang,
            "This link is not valid" if en else "Ce lien n’est pas valide",
            "Check that you copied the whole link." if en else "Vérifie que le lien est complet.",
            404 if isinstance(error, InvalidToken) else error.status,
        )

    @post("/manage/{token:str}/privacy", include_in_schema=False)
    async def ask(
        request: Request[Any, Any, Any], session: Session, now: Now, token: str
    ) -> Response[str]:
        lang = _language(request)
        kind = str((await request.form()).get("kind") or "")
        try:
            booking_id = await booking_id_for_token(session, token)
            made = await privacy_requests.request_by_visitor(session, booking_id, kind, now)
        except SchedulingError as error:
            return refused(lang, error)
        response = page(
            lang,
            "Check your inbox" if lang == "en" else "Regarde tes e-mails",
            "If this booking still holds your address, we have sent it a link: open it to "
            "confirm your request (it works for 24 hours)."
            if lang == "en"
            else "Si ce rendez-vous garde encore ton adresse, nous lui avons envoyé un lien : "
            "ouvre-le pour confirmer ta demande (il fonctionne 24 heures).",
        )
        if made is not None:
            url = f"{public_url}/privacy/requests/{made.token}"
            letter = request_mail(settings, to_email=made.email, kind=kind, url=url, now=now)
            response.background = BackgroundTask(send_reporting, mailer, letter)
        return response

    @get("/privacy/requests/{token:str}", include_in_schema=False)
    async def confirm_page(
        request: Request[Any, Any, Any], session: Session, now: Now, token: str
    ) -> Response[str]:
        lang = _language(request)
        try:
            found = await privacy_requests.peek_request(session, token, now)
        except SchedulingError as error:
            return refused(lang, error)
        fr, en = _KIND_TEXT[found.kind]
        erase = found.kind == "erase"
        return page(
            lang,
            ("Confirm your request" if lang == "en" else "Confirme ta demande"),
            (f"You asked to {en}." if lang == "en" else f"Tu as demandé à {fr}.")
            + (
                (
                    " Your bookings will be cancelled and your name, address and questions "
                    "erased. This cannot be undone."
                    if lang == "en"
                    else " Tes rendez-vous à venir seront annulés et ton prénom, ton "
                    "adresse et tes questions effacés. Cela ne peut pas être annulé."
                )
                if erase
                else ""
            ),
            action=f"/privacy/requests/{token}",
            button=(
                ("Erase my data" if lang == "en" else "Effacer mes données")
                if erase
                else ("Download my data" if lang == "en" else "Télécharger mes données")
            ),
            danger=erase,
        )

    @post("/privacy/requests/{token:str}", include_in_schema=False)
    async def carry_out(
        request: Request[Any, Any, Any], session: Session, now: Now, token: str
    ) -> Response[Any]:
        lang = _language(request)
        try:
            found = await privacy_requests.use_request(session, token, now)
        except SchedulingError as error:
            return refused(lang, error)
        visitor = Actor("visitor")
        if found.kind == "export":
            exported = await privacy.export(session, found.email, now, visitor)
            body = json.dumps(exported, ensure_ascii=False, indent=2).encode()
            headers = dict(PRIVATE_PAGE_HEADERS)
            headers["Content-Disposition"] = 'attachment; filename="mes-donnees-thotis.json"'
            return Response(body, media_type="application/json", headers=headers)
        await privacy.erase(session, found.email, now, visitor)
        return page(
            lang,
            "Your data has been erased" if lang == "en" else "Tes données ont été effacées",
            "Nothing links your address to a booking any more, and your calls to come are "
            "cancelled."
            if lang == "en"
            else "Plus rien ne relie ton adresse à un rendez-vous, et tes échanges à venir "
            "sont annulés.",
        )

    def thanks(lang: Language, report: int | None) -> Response[str]:
        return page(
            lang,
            "Thank you, the Thotis team will look into it"
            if lang == "en"
            else "Merci, l’équipe Thotis va regarder",
            "Your report has reached the team. If you feel in danger, leave the call and talk "
            "to an adult you trust."
            if lang == "en"
            else "Ton signalement est arrivé à l’équipe. Si tu te sens en danger, "
            "quitte l’appel et parles-en à un adulte de confiance.",
            201 if report is not None else 200,
        )

    async def _reason(request: Request[Any, Any, Any]) -> str:
        return clean_text(str((await request.form()).get("reason") or "")[:600], multiline=True)

    @post("/manage/{token:str}/report", include_in_schema=False)
    async def report_from_manage(
        request: Request[Any, Any, Any], session: Session, now: Now, token: str
    ) -> Response[str]:
        lang = _language(request)
        try:
            booking_id = await booking_id_for_token(session, token)
            made = await moderation.report_visitor(
                session, booking_id, token, await _reason(request), now
            )
        except SchedulingError as error:
            return refused(lang, error)
        return thanks(lang, made)

    @post("/join/{token:str}/report", include_in_schema=False)
    async def report_from_join(
        request: Request[Any, Any, Any],
        session: Session,
        now: Now,
        settings: AppSettings,
        token: str,
    ) -> Response[str]:
        lang = _language(request)
        try:
            target = await resolve_join(
                session,
                token=token,
                secret=settings.secrets.secret_key,
                jitsi_base_url=settings.video.jitsi_base_url,
                now=now,
            )
            if target.party != "visitor":
                raise InvalidToken("only the visitor's link reports from here")
            made = await moderation.report_series(
                session, target.series_id, await _reason(request), now
            )
        except SchedulingError as error:
            return refused(lang, error)
        return thanks(lang, made)

    return Router(
        path="/",
        route_handlers=[ask, confirm_page, carry_out, report_from_manage, report_from_join],
    )
