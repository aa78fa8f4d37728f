"""Where Google sends the mentor back after consent, and where Google's push notifications
arrive: the two routes Google calls, not part of the JSON API that Thotis's site calls."""

from __future__ import annotations

import html
import logging
from typing import Annotated, Any

from litestar import Controller, Request, Response, get, post
from litestar.datastructures import Cookie
from litestar.params import QueryParameter

from api.deps import AppSettings
from api.google import (
    MaybeCalendar,
    bound_to_browser,
    callback_url,
    connect_cookie,
)
from integrations.google import (
    AuthorizationFailed,
    ScopesNotGranted,
    finish_authorization,
    parse_notification,
)
from scheduler.calendar import CalendarUnavailable

log = logging.getLogger("thotis.api.google")


_PAGE = """<!doctype html>
<html lang="fr"><head><meta charset="utf-8"><meta name="viewport"
content="width=device-width, initial-scale=1"><title>Thotis · Google Agenda</title></head>
<body style="font-family: system-ui, sans-serif; max-width: 36rem; margin: 3rem auto;
padding: 0 1rem"><h1>{title_fr}</h1><p>{body_fr}</p><hr><h2 lang="en">{title_en}</h2>
<p lang="en">{body_en}</p></body></html>"""


def _page(
    status: int,
    title: tuple[str, str],
    body: tuple[str, str],
    cookies: list[Cookie] | None = None,
) -> Response[str]:
    text = _PAGE.format(
        title_fr=html.escape(title[0]),
        body_fr=html.escape(body[0]),
        title_en=html.escape(title[1]),
        body_en=html.escape(body[1]),
    )
    return Response(
        text,
        status_code=status,
        media_type="text/html",
        headers={"Cache-Control": "no-store"},
        cookies=cookies,
    )


_FAILED = ("La connexion à Google Agenda a échoué", "Connecting Google Calendar failed")
_RETRY = (
    "Revenez à votre espace mentor et relancez la connexion.",
    "Go back to your mentor space and start the connection again.",
)


class GoogleController(Controller):
    path = "/v1/google"
    tags = ["google"]
    include_in_schema = True

    # The callback (a browser redirect) and the notifications (Google's webhook) are not part of
    # the JSON API that Thotis's site calls, so they stay out of its OpenAPI document.
    @get("/callback", summary="Where Google sends the mentor back (OAuth)", include_in_schema=False)
    async def callback(
        self,
        request: Request[Any, Any, Any],
        settings: AppSettings,
        calendar_service: MaybeCalendar,
        oauth_state: Annotated[str | None, QueryParameter(name="state", max_length=200)] = None,
        code: Annotated[str | None, QueryParameter(name="code", max_length=2000)] = None,
        error: Annotated[str | None, QueryParameter(name="error", max_length=200)] = None,
    ) -> Response[str]:
        service = calendar_service
        if service is None:
            return _page(503, _FAILED, ("Google Agenda n'est pas configuré.", "Not configured."))
        # Checked before the state is taken: a browser that did not ask for this connection
        # neither completes it nor spoils it for the mentor who did.
        bound = oauth_state is not None and bound_to_browser(request, oauth_state)
        pending = await service.take_state(oauth_state) if bound and oauth_state else None
        if pending is None:
            if oauth_state and not bound:
                log.info("google callback refused: not the browser that started the connection")
            return _page(
                400,
                (
                    "Lien expiré, déjà utilisé ou ouvert dans un autre navigateur",
                    "Link expired, already used or opened in another browser",
                ),
                _RETRY,
            )
        mentor_id, verifier = pending
        # The state is spent: the binding goes with it, whatever the outcome.
        clear = [connect_cookie(settings, "", 0)]
        if error or not code:
            return _page(
                400,
                ("Connexion annulée", "Connection cancelled"),
                (
                    "Google n'a pas donné l'accès. " + _RETRY[0],
                    "Google did not grant access. " + _RETRY[1],
                ),
                cookies=clear,
            )
        redirect_uri = callback_url(settings)
        response_url = f"{redirect_uri}?{request.url.query}"
        try:
            tokens, email = await finish_authorization(
                settings.google, redirect_uri, oauth_state or "", verifier, response_url
            )
        except ScopesNotGranted:
            return _page(
                400,
                _FAILED,
                (
                    "Cochez toutes les autorisations demandées (disponibilités, événements, "
                    "liste des agendas). " + _RETRY[0],
                    "Tick every permission asked (free/busy, events, calendar list). " + _RETRY[1],
                ),
                cookies=clear,
            )
        except AuthorizationFailed as failure:
            log.info("google connect of mentor %s failed: %s", mentor_id, failure)
            return _page(400, _FAILED, _RETRY, cookies=clear)
        except CalendarUnavailable:
            return _page(
                503,
                _FAILED,
                ("Google ne répond pas. " + _RETRY[0], "Google does not answer. " + _RETRY[1]),
                cookies=clear,
            )
        await service.connect(mentor_id, tokens, email)
        log.info("mentor %s connected Google Calendar", mentor_id)
        return _page(
            200,
            ("Google Agenda est connecté", "Google Calendar is connected"),
            (
                f"Compte : {email}. Vos rendez-vous Thotis apparaîtront dans votre agenda, "
                "avec un lien Google Meet. Vous pouvez fermer cette page.",
                f"Account: {email}. Your Thotis meetings will appear in your calendar, with a "
                "Google Meet link. You can close this page.",
            ),
            cookies=clear,
        )

    @post(
        "/notifications",
        summary="Google's push notifications (watch channels)",
        status_code=200,
        include_in_schema=False,
    )
    async def notifications(
        self, request: Request[Any, Any, Any], calendar_service: MaybeCalendar
    ) -> Response[str]:
        service = calendar_service
        notification = parse_notification(dict(request.headers))
        if service is None or notification is None:
            return Response("", status_code=400, media_type="text/plain")
        known = await service.note_push(
            notification.channel_id, notification.resource_id, notification.token
        )
        # Google only needs a 2xx quickly; the sync runs in the worker.
        return Response("", status_code=200 if known else 404, media_type="text/plain")
