"""What to do about each problem ``code``: the page of the API reference that lists every code
the service can answer (``api.problems.TITLES`` is the one catalogue; a test holds this guide to
it), in English for integrators and in French for the Thotis team."""

from __future__ import annotations

from typing import NamedTuple

from api.problems import TITLES


class Advice(NamedTuple):
    status: str
    en: str
    fr: str


ADVICE: dict[str, Advice] = {
    "booking_gone": Advice(
        "410",
        "The booking's personal data was erased (retention period or a privacy request): nothing"
        " can be done with this link or key any more; the visitor may book again.",
        "Les données du rendez-vous ont été effacées (durée de conservation ou demande) : ce lien"
        " ou cette clé ne mènent plus à rien ; le lycéen peut réserver à nouveau.",
    ),
    "email_verification_required": Advice(
        "403",
        "Booker email verification is on: start one with `POST /v1/bookings/verifications`, then"
        " confirm it with the code mailed to the visitor (or send a valid `email_proof`).",
        "La vérification de l'adresse est active : démarrer une vérification puis la confirmer"
        " avec le code reçu par le lycéen (ou envoyer une preuve `email_proof` valable).",
    ),
    "verification_code_wrong": Advice(
        "422",
        "The code typed is not the one mailed: let the visitor type it again (the attempts left"
        " are in `detail`).",
        "Le code saisi n'est pas le bon : le faire saisir à nouveau (essais restants dans"
        " `detail`).",
    ),
    "verification_expired": Advice(
        "410",
        "The verification is unknown, expired or out of attempts, and its slot is no longer held:"
        " start a new one.",
        "Vérification inconnue, expirée ou sans essai restant, créneau libéré : en démarrer une"
        " nouvelle.",
    ),
    "too_many_live_bookings": Advice(
        "409",
        "This address already has the maximum of upcoming bookings (BOOKING_LIVE_PER_EMAIL): one"
        " must be cancelled or held first.",
        "Cette adresse a déjà le maximum de rendez-vous à venir (BOOKING_LIVE_PER_EMAIL) : en"
        " annuler un ou attendre qu'il ait eu lieu.",
    ),
    "too_many_verifications": Advice(
        "429",
        "This client address started more verifications this hour than"
        " VERIFICATION_LIMIT_PER_ADDRESS allows (each holds a slot and mails a code): wait"
        " `Retry-After` seconds; nothing was held or mailed.",
        "Cette adresse réseau a démarré plus de vérifications cette heure-ci que"
        " VERIFICATION_LIMIT_PER_ADDRESS ne le permet : attendre le délai de `Retry-After` ; rien"
        " n'a été réservé ni envoyé.",
    ),
    "too_many_holds": Advice(
        "429",
        "The mentor already has VERIFICATION_HOLDS_PER_MENTOR slots held for codes not yet"
        " typed: offer another mentor, or try again after `Retry-After` seconds (when the first"
        " hold ends); nothing was held or mailed.",
        "Le mentor a déjà VERIFICATION_HOLDS_PER_MENTOR créneaux retenus pour des codes pas"
        " encore saisis : proposer un autre mentor, ou réessayer après `Retry-After` (fin de la"
        " première retenue) ; rien n'a été réservé ni envoyé.",
    ),
    "photo_too_large": Advice(
        "413",
        "The photo is over the size limit (5 MB): send a smaller image.",
        "La photo dépasse la taille permise (5 Mo) : envoyer une image plus légère.",
    ),
    "photo_unreadable": Advice(
        "422",
        "The file is not a JPEG, PNG or WebP image that can be decoded: send another one.",
        "Le fichier n'est pas une image JPEG, PNG ou WebP lisible : en envoyer une autre.",
    ),
    "validation_failed": Advice(
        "422",
        "Fix the field named in `detail` / `errors` and send again; nothing was stored.",
        "Corriger le champ nommé dans `detail` / `errors` puis renvoyer ; rien n'a été enregistré.",
    ),
    "not_found": Advice(
        "404",
        "Check the id in the path (a deactivated mentor or a deleted endpoint is not found).",
        "Vérifier l'identifiant du chemin (mentor désactivé, point de réception supprimé…).",
    ),
    "unauthorized": Advice(
        "401",
        "Send the credential the operation names: `X-API-Key` (staff) or `Authorization: Bearer`"
        " (mentor token, manage token); an expired or revoked one needs a new one.",
        "Envoyer la clé ou le jeton attendu ; s'il a expiré ou été révoqué, en créer un autre.",
    ),
    "forbidden": Advice(
        "403",
        "The credential is valid but not for this resource (another mentor's booking, …).",
        "Le jeton est valable, mais pas pour cette ressource.",
    ),
    "slot_taken": Advice(
        "409",
        "Someone booked this slot first: reload the slots and let the visitor choose again.",
        "Créneau pris entre-temps : recharger les créneaux et en proposer un autre.",
    ),
    "outside_availability": Advice(
        "409",
        "The slot is not (or no longer) offered: reload the slots.",
        "Le créneau n'est pas (ou plus) proposé : recharger les créneaux.",
    ),
    "booking_not_live": Advice(
        "409",
        "The booking is cancelled, moved or already started: show its current state.",
        "Rendez-vous annulé, déplacé ou commencé : afficher son état actuel.",
    ),
    "idempotency_conflict": Advice(
        "409",
        "This `Idempotency-Key` was used with another body: make a new key for a new request.",
        "Cette clé d'idempotence a servi pour une autre requête : en générer une nouvelle.",
    ),
    "mentor_unavailable": Advice(
        "409",
        "The mentor is paused or deactivated: offer another mentor of the filière.",
        "Mentor en pause ou désactivé : proposer un autre mentor de la filière.",
    ),
    "invalid_token": Advice(
        "403",
        "The manage or sign-in link is wrong: use the link from the latest email.",
        "Lien invalide : utiliser celui du dernier email.",
    ),
    "token_expired": Advice(
        "410",
        "The link has expired: ask for a new one.",
        "Lien expiré : en demander un nouveau.",
    ),
    "email_blocked": Advice(
        "403",
        "Staff blocked this address after a report; only staff can lift it (console, Modération).",
        "Adresse bloquée par l'équipe après un signalement : voir la console, Modération.",
    ),
    "rate_limited": Advice(
        "429",
        "Too many requests from this address, email or slot: wait `Retry-After` seconds.",
        "Trop de demandes : attendre le délai de `Retry-After`.",
    ),
    "invalid_timezone": Advice(
        "422",
        "Send an IANA timezone name such as `Europe/Paris`.",
        "Envoyer un fuseau IANA, par exemple `Europe/Paris`.",
    ),
    "invalid_range": Advice(
        "422",
        "A range is two `HH:MM` wall-clock times, `[start, end)`.",
        "Une plage est deux heures `HH:MM`, début inclus, fin exclue.",
    ),
    "range_not_on_5_minutes": Advice(
        "422",
        "Use times on 5-minute boundaries (18:00, 18:05, …).",
        "Utiliser des heures multiples de 5 minutes.",
    ),
    "range_out_of_order": Advice(
        "422", "Put the end after the start.", "Mettre la fin après le début."
    ),
    "invalid_weekday": Advice(
        "422", "Weekdays are 0 (Monday) to 6 (Sunday).", "Jours de 0 (lundi) à 6 (dimanche)."
    ),
    "invalid_policy": Advice(
        "422",
        "Buffers, notice, horizon and caps must be within the documented bounds.",
        "Marges, préavis, horizon et plafonds doivent rester dans les bornes documentées.",
    ),
    "naive_datetime": Advice(
        "422",
        "Send instants in ISO 8601 with an offset (`2026-12-01T17:00:00Z`).",
        "Envoyer les instants avec leur décalage (`…Z` ou `+01:00`).",
    ),
    "invalid_query_range": Advice(
        "422",
        "`from` must come before `to`, within the documented span.",
        "`from` doit précéder `to`, dans la durée permise.",
    ),
    "google_unavailable": Advice(
        "503",
        "Google Calendar does not answer: try again after `Retry-After`.",
        "Google Agenda ne répond pas : réessayer après `Retry-After`.",
    ),
    "reconnect_required": Advice(
        "409",
        "The mentor's Google authorisation was revoked: they reconnect from their space.",
        "Autorisation Google révoquée : le mentor se reconnecte depuis son espace.",
    ),
    "google_not_configured": Advice(
        "503",
        "This deployment has no Google OAuth client (`GOOGLE_CLIENT_ID`).",
        "Ce déploiement n'a pas de client OAuth Google (`GOOGLE_CLIENT_ID`).",
    ),
    "origin_not_allowed": Advice(
        "403",
        "The page's origin is not in `CORS_ORIGINS`: add it (the problem names it).",
        "L'origine de la page n'est pas dans `CORS_ORIGINS` : l'y ajouter.",
    ),
    "method_not_allowed": Advice(
        "405", "Use a method listed in `Allow`.", "Utiliser une méthode listée dans `Allow`."
    ),
    "body_too_large": Advice(
        "413", "Bodies are 64 KiB at most.", "Les corps de requête font 64 Kio au plus."
    ),
    "json_too_deep": Advice(
        "400", "JSON is nested 32 levels deep at most.", "Le JSON a 32 niveaux au plus."
    ),
    "http_error": Advice(
        "4xx",
        "The request was refused before reaching the service (malformed): read `detail`.",
        "Requête refusée avant le service (mal formée) : lire `detail`.",
    ),
    "internal_error": Advice(
        "500",
        "A bug: nothing was changed; tell the Thotis team the operation and the time (it is"
        " logged).",
        "Un bug : rien n'a changé ; signaler l'opération et l'heure à l'équipe (c'est journalisé).",
    ),
    "service_unavailable": Advice(
        "503",
        "The service is starting or stopping: try again in a moment.",
        "Le service démarre ou s'arrête : réessayer dans un instant.",
    ),
    "database_unavailable": Advice(
        "503",
        "The database does not answer: try again after `Retry-After`; nothing was changed.",
        "La base ne répond pas : réessayer après `Retry-After` ; rien n'a changé.",
    ),
}


AUTHENTICATION = """## Authentication / Authentification

* **Public** (slots, filières, booking): no credential; called from the Thotis site's pages by
  the widget, so the page's origin must be in `CORS_ORIGINS`.
* **Manage token** (`Authorization: Bearer …`, or in the path of the manage links): the secret of
  the visitor's manage link, one booking only, until the end of the call.
* **Mentor token** (`Authorization: Bearer …`, scheme `mentorToken`): the `/v1/me` routes, one
  mentor's own data; made in the staff console (« Clés et jetons ») or `thotis
  create-mentor-token`; it expires.
* **Staff API key** (`X-API-Key: …`, scheme `staffApiKey`): the `/v1/staff` routes, server to
  server from the Thotis site; made in the console or `thotis create-api-key`; it expires.

Webhooks from this service to the Thotis site are signed to the Standard Webhooks spec
(`webhook-id`, `webhook-timestamp`, `webhook-signature`): verify them with the endpoint's
`whsec_…` secret, e.g. in Python `standardwebhooks.Webhook(secret).verify(raw_body, headers)`.
"""


def guide_markdown() -> str:
    """The table every reader of the reference sees, one line per code, catalogue order."""
    lines = [
        "## Error codes / Codes d'erreur",
        "",
        "Every error is RFC 9457 problem JSON (`application/problem+json`) with a stable `code`;"
        " `title` follows `Accept-Language` (French by default).",
        "",
        "| code | status | title | what to do | que faire |",
        "|---|---|---|---|---|",
    ]
    for code, (_, english) in TITLES.items():
        advice = ADVICE[code]
        lines.append(f"| `{code}` | {advice.status} | {english} | {advice.en} | {advice.fr} |")
    return "\n".join(lines)
