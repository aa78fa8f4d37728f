"""The examples of the API reference: request and response bodies built from each operation's
own schemas (so they cannot drift from them), with realistic values picked by field name
(``EXAMPLE_VALUES``): French names, real filière slugs, instants with their offset; a problem
example per code, and the request as ``curl``.
"""

from __future__ import annotations

import json
from typing import Any

from api.operations_guide import status_of
from api.problems import TITLES


def problem_example(code: str) -> dict[str, Any]:
    status = status_of(code)
    return {
        "type": f"https://thotis.fr/problems/{code.replace('_', '-')}",
        "title": _title(code),
        "status": int(status),
        "detail": _DETAILS.get(code, "see the code's advice in the error guide"),
        "code": code,
    }


def _title(code: str) -> str:
    return TITLES[code][1]


_DETAILS = {
    "validation_failed": "visitor_email: Expected `str` matching regex",
    "not_found": "no mentor 6f1c2d3e-4b5a-4c6d-8e7f-9a0b1c2d3e4f",
    "slot_taken": "the slot 2026-12-07T14:30:00+01:00 is no longer free",
    "unauthorized": "missing or invalid bearer token",
    "rate_limited": "rate limit exceeded",
}


# Values by field name, so that examples read like real data; anything else by its type.
EXAMPLE_VALUES: dict[str, Any] = {
    "slug": "droit",
    "filiere": "droit",
    "name_fr": "Droit",
    "name_en": "Law",
    "display_name": "Camille Martin",
    "first_name": "Léa",
    "visitor_first_name": "Léa",
    "mentor_name": "Camille Martin",
    "email": "lea.dupont@example.fr",
    "visitor_email": "lea.dupont@example.fr",
    "university": "Université Paris 1 Panthéon-Sorbonne",
    "bio": "En troisième année de droit, je réponds à vos questions sur la licence.",
    "question": "Comment se passe la première année de droit ?",
    "visitor_question": "Comment se passe la première année de droit ?",
    "timezone": "Europe/Paris",
    "visitor_timezone": "Europe/Paris",
    "language": "fr",
    "start": "2026-12-07T14:30:00+01:00",
    "end": "2026-12-07T14:45:00+01:00",
    "at": "2026-12-04T18:02:11+01:00",
    "created_at": "2026-12-04T18:02:11+01:00",
    "date": "2026-12-07",
    "day": "2026-12-07",
    "url": "https://www.thotis.fr/webhooks/rendez-vous",
    "reason": "Empêchement de dernière minute, désolée !",
    "cancel_reason": "Empêchement de dernière minute, désolée !",
    "label": "Agenda Thotis",
    "tz": "Europe/Paris",
    "from": "2026-12-07T00:00:00+01:00",
    "to": "2026-12-21T00:00:00+01:00",
    "Idempotency-Key": "reservation-lea-2026-12-07",
    "status": "confirmed",
    "manage_token": "Zx8qL2vN7pR4tY1wK9mB3cF6hJ0sD5gA",
    "token": "Zx8qL2vN7pR4tY1wK9mB3cF6hJ0sD5gA",
    "manage_url": "https://rendez-vous.thotis.fr/manage/Zx8qL2vN7pR4tY1wK9mB3cF6hJ0sD5gA",
    "ics_url": "https://rendez-vous.thotis.fr/v1/bookings/manage/Zx8qL2vN7pR4/invite.ics",
    "join_url": "https://rendez-vous.thotis.fr/join/Zx8qL2vN7pR4tY1wK9mB3cF6hJ0sD5gA",
    "meeting_url": "https://meet.jit.si/thotis-camille-martin",
    "meet_url": "https://meet.google.com/abc-defg-hij",
    "authorization_url": "https://accounts.google.com/o/oauth2/auth?client_id=…",
    "photo_url": "https://rendez-vous.thotis.fr/photos/camille-martin.webp",
    "secret": "whsec_MfKQ9r8GKYqXSWfbQ2Ij6Lr2a0D4cTAk",
    "code": "482913",
    "kind": "busy_calendar_unreadable",
    "title": "Première année",
    "theme": "Première année",
    "period": "2026-11",
    "event_type": "booking.created",
    "events": "booking.created",
    "languages": "fr",
    "filieres": "droit",
    "cancelled_by": "mentor",
    "description": "Site Thotis (production)",
    "disabled_reason": "20 échecs de livraison consécutifs",
    "last_error": "HTTP 500 from the endpoint",
    "summary": "Rendez-vous Thotis",
    "access_role": "owner",
    "busy_calendar_ids": "primary",
    "q": "première année",
    "year_of_study": 3,
    "buffer_before_minutes": 5,
    "buffer_after_minutes": 5,
    "notice_minutes": 120,
    "horizon_days": 30,
    "day_cap": 4,
    "week_cap": 12,
    "consecutive_failures": 0,
    "last_status_code": 200,
    "code_length": 6,
    "max_attempts": 5,
    "attempts": 1,
    "cancellation_rate": 0.08,
    "no_show_rate": 0.04,
    # Availability: time ranges of a day, and a week of them (Monday "0" to Sunday "6").
    "ranges": [["09:00", "12:00"], ["14:00", "17:30"]],
    **{str(day): [["17:00", "19:00"]] for day in range(5)},
    "5": [["10:00", "12:00"]],
    "6": [],
}
# Left out of examples: a proof only the service itself issues.
LEFT_OUT = {"email_proof"}
_UUID = "6f1c2d3e-4b5a-4c6d-8e7f-9a0b1c2d3e4f"
_BY_FORMAT: dict[str, Any] = {
    "uuid": _UUID,
    "date-time": "2026-12-07T14:30:00+01:00",
    "date": "2026-12-07",
    "email": "lea.dupont@example.fr",
    "uri": "https://rendez-vous.thotis.fr/manage/Zx8…",
    "time": "14:30:00",
}
_BY_TYPE: dict[str, Any] = {
    "string": "texte",
    "integer": 15,
    "number": 0.12,
    "boolean": True,
    "null": None,
}


def example_of(
    schema: dict[str, Any], components: dict[str, Any], name: str = "", depth: int = 0
) -> Any:
    """An example value of a JSON schema (the document's own, ``$ref``s resolved)."""
    if depth > 8:
        return None
    if "$ref" in schema:
        target = components.get(schema["$ref"].rsplit("/", 1)[-1], {})
        return example_of(target, components, name, depth + 1)
    if "example" in schema:
        return schema["example"]
    if schema.get("examples"):
        return schema["examples"][0]
    if "enum" in schema:
        return schema["enum"][0]
    if "const" in schema:
        return schema["const"]
    for key in ("oneOf", "anyOf"):
        if key in schema:
            choices = [c for c in schema[key] if c.get("type") != "null"] or schema[key]
            # Litestar puts format and pattern beside the oneOf of an optional value.
            around = {k: v for k, v in schema.items() if k not in ("oneOf", "anyOf")}
            return example_of({**around, **choices[0]}, components, name, depth + 1)
    kind = schema.get("type")
    if isinstance(kind, list):
        kind = next((k for k in kind if k != "null"), "null")
    if kind == "object" or "properties" in schema:
        return {
            key: example_of(child, components, key, depth + 1)
            for key, child in (schema.get("properties") or {}).items()
            if key not in LEFT_OUT
        }
    if kind == "array":
        if isinstance(EXAMPLE_VALUES.get(name), list):
            return EXAMPLE_VALUES[name]
        return [example_of(schema.get("items") or {}, components, name, depth + 1)]
    value = EXAMPLE_VALUES.get(name)
    if value is not None and _fits(value, kind):
        return value
    if kind == "string" and schema.get("format") in _BY_FORMAT:
        return _BY_FORMAT[schema["format"]]
    if kind == "string" and name.endswith("id"):
        return _UUID
    if kind in ("integer", "number"):
        low = schema.get("minimum", schema.get("exclusiveMinimum", 0))
        high = schema.get("maximum", 10**6)
        return max(low, min(high, _BY_TYPE[kind]))
    return _BY_TYPE.get(kind or "string", "texte")


def _fits(value: Any, kind: Any) -> bool:
    return kind is None or {
        "string": isinstance(value, str),
        "integer": isinstance(value, int) and not isinstance(value, bool),
        "number": isinstance(value, int | float),
        "boolean": isinstance(value, bool),
    }.get(kind, False)


def curl_sample(
    method: str, path: str, operation: dict[str, Any], body: Any, parameters: dict[str, Any]
) -> str:
    """The request as an integrator would type it, for the reference's request panel."""
    url = path
    for name, value in parameters.items():
        url = url.replace("{" + name + "}", str(value))
    lines = [f"curl -X {method.upper()} 'https://rendez-vous.thotis.fr{url}'"]
    schemes = {name for req in operation.get("security") or () for name in req}
    if any("staff" in s.lower() or "key" in s.lower() for s in schemes):
        lines.append("  -H 'X-API-Key: $THOTIS_STAFF_KEY'")
    if any("mentor" in s.lower() or "bearer" in s.lower() for s in schemes):
        lines.append("  -H 'Authorization: Bearer $THOTIS_MENTOR_TOKEN'")
    if body is not None:
        lines.append("  -H 'Content-Type: application/json'")
        lines.append(f"  -d '{json.dumps(body, ensure_ascii=False)}'")
    return " \\\n".join(lines)
