"""``GET /join/{token}``: each party's one stable link to the call.

Resolved when it is opened (``scheduler.booking.resolve_join``): from 15 minutes before the
start until the end it redirects (303) to the series' current venue; before, a waiting page
with the time in the reader's zone and a countdown; after, the feedback question (the visitor)
or the mentor space (the mentor). An unknown link is a 404 page, a cancelled or expired one a
410 page: people open these links from a mail, so every answer is a page, never problem JSON.
Nothing is logged: the token is a credential.
"""

from __future__ import annotations

import secrets
from datetime import datetime
from typing import Any

from litestar import Request, Response, Router, get
from litestar.enums import MediaType
from litestar.response import Redirect

from api.deps import AppSettings, Now, Session
from api.i18n import as_language, negotiate
from api.widget.routes import PRIVATE_PAGE_HEADERS, widget_templates
from api.wiring import feedback_url
from integrations.jitsi import signed_room_url
from integrations.messages import feedback_links
from integrations.when import when_text
from scheduler.booking import OPENS_BEFORE, JoinTarget, VenueKind, resolve_join
from scheduler.calendar import has_event_calendar
from scheduler.platform import BookingGone, InvalidToken, Language, Settings

JOIN_PATH = "/join"

_TITLES: dict[str, dict[Language, str]] = {
    "unknown": {"fr": "Ce lien n’est pas valide", "en": "This link is not valid"},
    "cancelled": {"fr": "Cet échange a été annulé", "en": "This call was cancelled"},
    "expired": {"fr": "Ce lien a expiré", "en": "This link has expired"},
    "gone": {"fr": "Ce rendez-vous a été effacé", "en": "This booking was erased"},
    "ended": {"fr": "Échange terminé", "en": "Call ended"},
}
# Worded for both parties (a mentor opens these pages too): neither "tu" nor "vous".
_MESSAGES: dict[str, dict[Language, str]] = {
    "unknown": {
        "fr": "Le lien doit être copié en entier depuis l’e-mail de confirmation.",
        "en": "Check that you copied the whole link from the confirmation email.",
    },
    "cancelled": {
        "fr": "Le rendez-vous n’aura pas lieu. Un autre échange peut être réservé sur Thotis.",
        "en": "The call will not take place. You can book another one on Thotis.",
    },
    "expired": {
        "fr": "L’échange a eu lieu il y a plus d’un jour : ce lien ne mène plus nulle part.",
        "en": "The call took place more than a day ago: this link leads nowhere any more.",
    },
}
_MESSAGES["gone"] = {
    "fr": "Ses données ont été effacées (durée de conservation ou demande) : ce lien ne mène plus nulle part.",
    "en": "Its data was erased (retention period or a request): this link leads nowhere any more.",
}
_STATUS = {
    "unknown": 404,
    "cancelled": 410,
    "expired": 410,
    "gone": 410,
    "ended": 200,
    "waiting": 200,
    "preparing": 200,
}
# How often the "being set up" page asks again for the Meet link.
PREPARING_RETRY_SECONDS = 5


def _countdown(seconds: int, language: Language) -> str:
    """The countdown's first text (the page's script then ticks it every second)."""
    days, rest = divmod(max(0, seconds), 86400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    text = f"{days} {'d' if language == 'en' else 'j'} " if days else ""
    text += f"{hours} h " if days or hours else ""
    return text + f"{minutes:02d} min {secs:02d} s"


def _language(request: Request[Any, Any, Any], lang: str | None, fallback: Language) -> Language:
    # French first: ?lang= wins, then the browser's languages, then what the visitor booked in.
    chosen = as_language(lang)
    if chosen is not None:
        return chosen
    accept = request.headers.get("accept-language")
    return negotiate(accept) if accept else fallback


def create_join_router(settings: Settings) -> Router:
    env = widget_templates()

    def page(
        state: str,
        language: Language,
        token: str,
        *,
        nonce: str = "",
        title: str | None = None,
        **context: Any,
    ) -> Response[str]:
        other: Language = "en" if language == "fr" else "fr"
        html = env.get_template("join.html").render(
            primary=settings.brand.primary_color,
            accent=settings.brand.accent_color,
            page_lang=language,
            state=state,
            title=title or _TITLES[state][language],
            message=_MESSAGES.get(state, {}).get(language, ""),
            self_url=f"{JOIN_PATH}/{token}?lang={language}",
            other_lang=other,
            other_lang_url=f"{JOIN_PATH}/{token}?lang={other}",
            report_action=f"{JOIN_PATH}/{token}/report",
            nonce=nonce,
            **context,
        )
        headers = dict(PRIVATE_PAGE_HEADERS)
        if nonce:
            # The countdown is the one inline script; its nonce is new on every answer.
            headers["Content-Security-Policy"] = headers["Content-Security-Policy"].replace(
                "script-src 'self'", f"script-src 'nonce-{nonce}'"
            )
        return Response(
            html, status_code=_STATUS[state], media_type=MediaType.HTML, headers=headers
        )

    def waiting(target: JoinTarget, language: Language, token: str, now: datetime) -> Response[str]:
        opens_in = int((target.start - OPENS_BEFORE - now).total_seconds()) + 1
        if target.party == "visitor":
            title = (
                f"Your call with {target.mentor_name}"
                if language == "en"
                else f"Ton échange avec {target.mentor_name}"
            )
        else:
            title = "Your Thotis call" if language == "en" else "Ton échange Thotis"
        return page(
            "waiting",
            language,
            token,
            nonce=secrets.token_urlsafe(16),
            title=title,
            party=target.party,
            mentor_name=target.mentor_name,
            when=when_text(target.start, target.timezone, language),
            opens_in=opens_in,
            countdown=_countdown(opens_in, language),
            jitsi=target.venue.kind is VenueKind.JITSI,
        )

    def preparing(target: JoinTarget, language: Language, token: str) -> Response[str]:
        # The call is open but its Meet link is still being written: this page reloads itself
        # every few seconds, and both parties land in Meet once it is there.
        return page(
            "preparing",
            language,
            token,
            nonce=secrets.token_urlsafe(16),
            title="Your call is being set up" if language == "en" else "La visio se prépare",
            party=target.party,
            mentor_name=target.mentor_name,
            when=when_text(target.start, target.timezone, language),
            opens_in=PREPARING_RETRY_SECONDS,
            countdown=_countdown(PREPARING_RETRY_SECONDS, language),
            jitsi=False,
        )

    def ended(target: JoinTarget, language: Language, token: str) -> Response[str]:
        yes = no = None
        if target.party == "visitor":
            yes, no = feedback_links(feedback_url(settings, target.booking_id))
        return page(
            "ended",
            language,
            token,
            party=target.party,
            mentor_name=target.mentor_name,
            feedback_yes=yes,
            feedback_no=no,
            mentor_url=f"{settings.http.public_url.rstrip('/')}/mentor",
        )

    @get(f"{JOIN_PATH}/{{token:str}}", include_in_schema=False)
    async def join(
        request: Request[Any, Any, Any],
        session: Session,
        now: Now,
        settings: AppSettings,
        token: str,
        lang: str | None = None,
    ) -> Response[Any]:
        try:
            target = await resolve_join(
                session,
                token=token,
                secret=settings.secrets.secret_key,
                jitsi_base_url=settings.video.jitsi_base_url,
                now=now,
                meet_expected=has_event_calendar,
            )
        except InvalidToken:
            language = _language(request, lang, "fr")
            return page("unknown", language, token, party=None)
        except BookingGone:
            return page("gone", _language(request, lang, "fr"), token, party=None)
        language = _language(request, lang, target.language)
        if target.state == "open":
            url = target.venue.url
            if target.venue.kind is VenueKind.JITSI:
                # A self-hosted Jitsi with token auth: this party's signed way into this room.
                url = signed_room_url(
                    settings.video,
                    url,
                    party=target.party,
                    start=target.start,
                    end=target.end,
                    display_name=target.mentor_name if target.party == "mentor" else None,
                )
            return Redirect(
                url,
                status_code=303,
                headers={"Cache-Control": "no-store", "Referrer-Policy": "no-referrer"},
            )
        if target.state == "waiting":
            return waiting(target, language, token, now)
        if target.state == "preparing":
            return preparing(target, language, token)
        if target.state == "ended":
            return ended(target, language, token)
        return page(target.state, language, token, party=target.party)

    return Router(path="/", route_handlers=[join])
