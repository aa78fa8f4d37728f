"""The audit trail in sentences: « Camille Laurent a modifié ses horaires », with a link to
what changed, rather than ids and action codes.

``PHRASES`` is the one mapping from what the trail stores (action code, entity) to a French
and an English sentence; ``{who}`` is who acted, ``{what}`` what they acted on. ``own`` is the
sentence for a mentor acting on themselves (« ses horaires » rather than « les horaires de
Camille Laurent »). An entry with no phrase (an action added later) still reads as a sentence,
naming the code, so nothing is hidden from the team.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from scheduler.platform import Language
from scheduler.staff import moderation, trail

AuditLine = moderation.AuditLine
TrailNames = trail.TrailNames

__all__ = ["PHRASES", "Phrase", "Sentence", "sentence"]


@dataclass(frozen=True, slots=True)
class Phrase:
    fr: str
    en: str
    own_fr: str | None = None
    own_en: str | None = None


HOURS = Phrase(
    "{who} a modifié les horaires de {what}",
    "{who} changed {what}'s weekly hours",
    "{who} a modifié ses horaires",
    "{who} changed their weekly hours",
)

PHRASES: dict[tuple[str, str], Phrase] = {
    ("create", "mentor"): Phrase("{who} a créé le mentor {what}", "{who} created mentor {what}"),
    ("update", "mentor"): Phrase(
        "{who} a modifié le profil de {what}",
        "{who} edited {what}'s profile",
        "{who} a modifié son profil",
        "{who} edited their profile",
    ),
    ("activate", "mentor"): Phrase("{who} a réactivé {what}", "{who} reactivated {what}"),
    ("deactivate", "mentor"): Phrase("{who} a désactivé {what}", "{who} deactivated {what}"),
    ("invite", "mentor"): Phrase("{who} a invité {what}", "{who} invited {what}"),
    ("sign_in", "mentor"): Phrase(
        "{who} s'est connecté à l'espace de {what}",
        "{who} signed in to {what}'s space",
        "{who} s'est connecté(e) à son espace",
        "{who} signed in to their space",
    ),
    ("onboarded", "mentor"): Phrase(
        "{who} a terminé l'inscription de {what}",
        "{who} finished {what}'s onboarding",
        "{who} a terminé son inscription",
        "{who} finished onboarding",
    ),
    ("set_notify", "mentor"): Phrase(
        "{who} a changé les notifications de {what}",
        "{who} changed {what}'s notifications",
        "{who} a changé ses notifications",
        "{who} changed their notifications",
    ),
    ("set_weekly_rules", "mentor"): HOURS,
    ("set_date_override", "mentor"): Phrase(
        "{who} a changé les horaires d'un jour de {what}",
        "{who} changed one day's hours of {what}",
        "{who} a changé ses horaires d'un jour",
        "{who} changed their hours for one day",
    ),
    ("delete_date_override", "mentor"): Phrase(
        "{who} a rendu un jour de {what} à ses horaires habituels",
        "{who} gave one of {what}'s days back its usual hours",
        "{who} a rendu un jour à ses horaires habituels",
        "{who} gave one day back its usual hours",
    ),
    ("set_policy", "mentor"): Phrase(
        "{who} a changé les règles de réservation de {what}",
        "{who} changed {what}'s booking rules",
        "{who} a changé ses règles de réservation",
        "{who} changed their booking rules",
    ),
    ("create", "filiere"): Phrase("{who} a créé la filière {what}", "{who} created {what}"),
    ("update", "filiere"): Phrase("{who} a renommé la filière {what}", "{who} renamed {what}"),
    ("create", "staff_api_key"): Phrase(
        "{who} a créé la clé d'API {what}", "{who} created the API key {what}"
    ),
    ("revoke", "staff_api_key"): Phrase(
        "{who} a révoqué la clé d'API {what}", "{who} revoked the API key {what}"
    ),
    ("create", "webhook_endpoint"): Phrase(
        "{who} a ajouté le webhook {what}", "{who} added the webhook {what}"
    ),
    ("update", "webhook_endpoint"): Phrase(
        "{who} a modifié le webhook {what}", "{who} changed the webhook {what}"
    ),
    ("delete", "webhook_endpoint"): Phrase(
        "{who} a supprimé le webhook {what}", "{who} deleted the webhook {what}"
    ),
    ("create", "mentor_token"): Phrase(
        "{who} a créé un jeton pour {what}", "{who} created a token for {what}"
    ),
    ("revoke", "mentor_token"): Phrase(
        "{who} a révoqué un jeton de {what}", "{who} revoked a token of {what}"
    ),
    ("book", "booking"): Phrase(
        "{who} a réservé un rendez-vous avec {what}", "{who} booked a call with {what}"
    ),
    ("reschedule", "booking"): Phrase(
        "{who} a déplacé un rendez-vous avec {what}", "{who} moved a call with {what}"
    ),
    ("cancel", "booking"): Phrase(
        "{who} a annulé un rendez-vous avec {what}",
        "{who} cancelled a call with {what}",
        "{who} a annulé un de ses rendez-vous",
        "{who} cancelled one of their calls",
    ),
    ("no_show", "booking"): Phrase(
        "{who} a noté une absence à un rendez-vous avec {what}",
        "{who} marked a no-show on a call with {what}",
        "{who} a noté une absence à un de ses rendez-vous",
        "{who} marked a no-show on one of their calls",
    ),
    ("report", "booking"): Phrase(
        "{who} a signalé un rendez-vous avec {what}",
        "{who} reported a call with {what}",
        "{who} a signalé un de ses rendez-vous",
        "{who} reported one of their calls",
    ),
    ("block", "email"): Phrase(
        "{who} a bloqué une adresse de visiteur", "{who} blocked a visitor's address"
    ),
    ("blocked", "booking_report"): Phrase(
        "{who} a traité un signalement en bloquant l'adresse du visiteur",
        "{who} resolved a report by blocking the visitor's address",
    ),
    ("dismissed", "booking_report"): Phrase(
        "{who} a classé un signalement", "{who} dismissed a report"
    ),
    ("export_personal_data", "visitor"): Phrase(
        "{who} a exporté les données d'un visiteur", "{who} exported a visitor's data"
    ),
    ("erase_personal_data", "visitor"): Phrase(
        "{who} a effacé les données d'un visiteur", "{who} erased a visitor's data"
    ),
    ("request_privacy", "visitor"): Phrase(
        "{who} a demandé ses données ou leur effacement (lien envoyé par e-mail)",
        "{who} asked for their data or its erasure (link sent by email)",
    ),
    ("handled", "booking_report"): Phrase(
        "{who} a traité un signalement", "{who} handled a report"
    ),
    ("purge_personal_data", "bookings"): Phrase(
        "{who} a effacé les données personnelles de rendez-vous passés",
        "{who} erased the personal data of past calls",
    ),
    ("issue_attestation", "attestation"): Phrase(
        "{who} a téléchargé une attestation de mentorat bénévole",
        "{who} downloaded an attestation of volunteer mentoring",
    ),
}

UNKNOWN = Phrase("{who} : {what}", "{who}: {what}")


@dataclass(frozen=True, slots=True)
class Part:
    text: str
    href: str | None = None


@dataclass(frozen=True, slots=True)
class Sentence:
    """A sentence as parts, some of them links: the template escapes each part."""

    parts: tuple[Part, ...]

    @property
    def text(self) -> str:
        return "".join(part.text for part in self.parts)


def _mentor(names: TrailNames, mentor_id: str | None, lang: Language) -> Part:
    name = names.mentors.get(mentor_id or "")
    if name is None:
        return Part("un mentor supprimé" if lang == "fr" else "a deleted mentor")
    return Part(name, f"/staff/mentors/{mentor_id}")


def _who(line: AuditLine, names: TrailNames, lang: Language) -> Part:
    fr = lang == "fr"
    if line.actor_kind == "mentor":
        return _mentor(names, line.actor_id, lang)
    if line.actor_kind == "staff":
        actor = line.actor_id or ""
        if actor in names.api_keys:
            key = names.api_keys[actor]
            return Part(
                f"la clé d'API « {key} »" if fr else f"the API key “{key}”", "/staff/credentials"
            )
        if actor == "cli":
            return Part("la ligne de commande" if fr else "the command line")
        # A staff member's address: the team sees who did what (never written to logs).
        return Part(actor or ("l'équipe" if fr else "the team"))
    if line.actor_kind == "visitor":
        return Part("un visiteur" if fr else "a visitor")
    return Part("Thotis (automatique)" if fr else "Thotis (automatic)")


def _what(line: AuditLine, names: TrailNames, lang: Language) -> Part:
    fr = lang == "fr"
    entity, entity_id = line.entity, line.entity_id
    if entity == "mentor":
        return _mentor(names, entity_id, lang)
    if entity == "filiere":
        found = names.filieres.get(entity_id)
        if found is None:
            return Part("(supprimée)" if fr else "(deleted)")
        return Part(found[0] if fr else found[1], "/staff/filieres")
    if entity == "staff_api_key":
        key = names.api_keys.get(entity_id)
        shown = f"« {key} »" if fr and key else f"“{key}”" if key else "?"
        return Part(shown, "/staff/credentials")
    if entity == "mentor_token":
        # Tokens revoked all at once were recorded under the mentor's id, one by one under the
        # token's: either way the sentence names the mentor.
        mentor = str(line.details.get("mentor_id") or "") or names.token_mentors.get(
            entity_id, entity_id
        )
        return _mentor(names, mentor, lang)
    if entity == "booking":
        return _mentor(names, names.booking_mentors.get(entity_id), lang)
    if entity == "webhook_endpoint":
        # The host the change named (never the URL's path or query: it may hold a key).
        host = str(line.details.get("url_host") or "")
        return Part(host or ("un point de réception" if fr else "an endpoint"), "/staff/webhooks")
    if entity == "booking_report":
        return Part("un signalement" if fr else "a report", "/staff/moderation")
    return Part(f"{line.action} ({entity})")


def _own(line: AuditLine, names: TrailNames) -> bool:
    """A mentor acting on themselves (their hours, one of their bookings)."""
    if line.actor_kind != "mentor":
        return False
    if line.entity == "mentor":
        return line.entity_id == line.actor_id
    return names.booking_mentors.get(line.entity_id) == line.actor_id


PLACEHOLDER = re.compile(r"(\{who\}|\{what\})")


def sentence(line: AuditLine, names: TrailNames, lang: Language) -> Sentence:
    phrase = PHRASES.get((line.action, line.entity), UNKNOWN)
    own = _own(line, names)
    own_text = phrase.own_fr if lang == "fr" else phrase.own_en
    template = own_text if own and own_text else (phrase.fr if lang == "fr" else phrase.en)
    values = {"{who}": _who(line, names, lang), "{what}": _what(line, names, lang)}
    parts: list[Part] = []
    for piece in PLACEHOLDER.split(template):
        if piece in values:
            parts.append(values[piece])
        elif piece:
            parts.append(Part(piece))
    first = parts[0]
    # A sentence starts with a capital (« La ligne de commande … »), but an address stays as
    # it is written.
    if first.text and "@" not in first.text:
        parts[0] = Part(first.text[0].upper() + first.text[1:], first.href)
    return Sentence(tuple(parts))
