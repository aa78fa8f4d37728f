"""Errors a person's browser meets outside any page's own handling — an unknown address under
``/mentor``, ``/staff``, ``/manage`` or ``/join``, a wrong method — as an HTML page in the
service's look, while every API client keeps its problem JSON.

One mapper still decides (``api.problems.handle_exception``: the status, the stable code, the
logging of a bug); this only dresses its answer when the request asks for HTML first (a
browser's ``Accept: text/html,…``) on a GET or HEAD outside the JSON API. ``Accept: */*`` (curl,
httpx, fetch) and every ``/v1`` path get problem JSON as before.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from litestar import Request, Response

from api.problems import PROBLEM_MEDIA_TYPE, handle_exception, title_for
from api.space.web import Web, language
from scheduler.platform import Settings

# Paths whose every answer is JSON (or a file) whatever the client says it accepts.
_API_PREFIXES = ("/v1/", "/healthz", "/readyz", "/metrics", "/schema", "/widget", "/photos/")
_HTML = "text/html"

_MESSAGES: dict[str, tuple[str, str]] = {
    "not_found": (
        "Cette page n'existe pas ou plus. Vérifiez l'adresse, ou repartez de l'accueil.",
        "This page does not exist, or no longer does. Check the address, or start again from "
        "the home page.",
    ),
    "method_not_allowed": (
        "Cette adresse ne s'ouvre pas ainsi. Repartez de l'accueil.",
        "This address cannot be opened this way. Start again from the home page.",
    ),
    "internal_error": (
        "Une erreur inattendue s'est produite ; elle a été enregistrée. Réessayez dans un instant.",
        "An unexpected error occurred; it has been logged. Try again in a moment.",
    ),
}
_DEFAULT_MESSAGE = (
    "La page n'a pas pu s'afficher. Réessayez, ou repartez de l'accueil.",
    "The page could not be shown. Try again, or start again from the home page.",
)


def wants_html(request: Request[Any, Any, Any]) -> bool:
    """A browser asking for a page: GET/HEAD, outside the API, HTML preferred to JSON."""
    if request.method not in ("GET", "HEAD"):
        return False
    path = request.url.path
    if path.startswith(_API_PREFIXES):
        return False
    best = request.accept.best_match(["application/json", PROBLEM_MEDIA_TYPE, _HTML])
    return best == _HTML


def _area(path: str) -> str:
    if path.startswith("/staff"):
        return "staff"
    if path.startswith("/mentor"):
        return "mentor"
    return "visitor"


def negotiated_exception_handler(
    settings: Settings,
) -> Callable[[Request[Any, Any, Any], Exception], Response[Any]]:
    """The app's last-resort handler: problem JSON, or the same answer as an HTML page."""
    web = Web(settings)

    def handle(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
        answer = handle_exception(request, exc)
        if not wants_html(request):
            return answer
        body = answer.content if isinstance(answer.content, dict) else {}
        code = str(body.get("code", "http_error"))
        french, english = _MESSAGES.get(code, _DEFAULT_MESSAGE)
        lang = language(request)
        page = web.render(
            request,
            "error.html",
            http_status=answer.status_code or 500,
            area=_area(request.url.path),
            title=title_for(code, lang),
            message=english if lang == "en" else french,
            code=code,
        )
        # What the problem said about retrying or the allowed methods still holds.
        for name, value in answer.headers.items():
            if name.lower() in ("retry-after", "allow"):
                page.headers[name] = value
        return page

    return handle
