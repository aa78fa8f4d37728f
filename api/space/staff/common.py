"""What the staff console's pages share: who acts, the navigation, flash messages and the
page frame."""

from __future__ import annotations

from typing import Any

from litestar import Request, Response

from api.space.forms import tr
from api.space.web import Web, language
from scheduler.platform import Actor

FLASH = {
    "invited": ("Invitation envoyée.", "Invitation sent."),
    "saved": ("Enregistré.", "Saved."),
    "blocked": (
        "Adresse bloquée : elle ne peut plus réserver.",
        "Address blocked: it can no longer book.",
    ),
    "dismissed": ("Signalement classé.", "Report dismissed."),
    "handled": ("Signalement traité.", "Report handled."),
    "erased": (
        "Données effacées : plus rien ne relie cette adresse à un rendez-vous.",
        "Data erased: nothing links this address to a booking any more.",
    ),
    "test_queued": (
        "Message de test envoyé : il apparaît dans le journal dès qu’il est parti.",
        "Test message queued: it shows in the log as soon as it has left.",
    ),
    "revoked": (
        "Révoqué : l'API le refuse désormais.",
        "Revoked: the API now refuses it.",
    ),
}


WARNINGS = {
    "unsent": (
        "Invitation enregistrée, mais l’email n’a pas pu partir : le serveur d’envoi ne répond "
        "pas. Réessayez dans un moment avec « Renvoyer un lien ».",
        "Invitation saved, but the email could not be sent: the mail server is not answering. "
        "Try again in a moment with « Resend a link ».",
    ),
}


def actor(request: Request[Any, Any, Any]) -> Actor:
    return Actor.staff(request.state.space.staff_email)


def nav(lang: str) -> list[tuple[str, str]]:
    return [
        ("/staff", tr(lang, "Mentors", "Mentors")),
        ("/staff/filieres", tr(lang, "Filières", "Fields of study")),
        ("/staff/bookings", tr(lang, "Rendez-vous", "Bookings")),
        ("/staff/moderation", tr(lang, "Modération", "Moderation")),
        ("/staff/stats", tr(lang, "Statistiques", "Statistics")),
        ("/staff/questions", tr(lang, "Questions", "Questions")),
        ("/staff/themes", tr(lang, "Thèmes", "Themes")),
        ("/staff/credentials", tr(lang, "Clés et jetons", "Keys and tokens")),
        ("/staff/privacy", tr(lang, "Données personnelles", "Personal data")),
        ("/staff/webhooks", tr(lang, "Webhooks", "Webhooks")),
    ]


def page(web: Web, request: Request[Any, Any, Any], template: str, **context: Any) -> Response[str]:
    lang = language(request)
    warning = WARNINGS.get(request.query_params.get("warn") or "")
    found = warning or FLASH.get(request.query_params.get("ok") or "")
    context.setdefault("flash", tr(lang, *found) if found else None)
    context.setdefault("flash_warning", warning is not None)
    return web.render(request, template, nav=nav(lang), **context)
