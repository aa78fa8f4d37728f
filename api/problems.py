"""The single mapper from errors to RFC 9457 problem JSON.

Every 4xx/5xx leaves the service through here, with a stable ``code`` and a French or English
``title`` chosen by ``Accept-Language``. Unknown exceptions become a 500 ``internal_error`` whose
detail never echoes the exception (it may hold personal data); it is logged with the request id.

The codes come from the error trees drawn in ``scheduler/platform/errors.py`` and
``availability/errors.py``, and from the HTTP layer itself::

    HTTP layer (no domain error behind it)
    ├── rate_limited             429
    ├── origin_not_allowed       403  (an Origin not in CORS_ORIGINS: api.origins)
    ├── method_not_allowed       405
    ├── body_too_large           413  (more than api.decoding.MAX_BODY_BYTES)
    ├── json_too_deep            400  (nested deeper than api.decoding.MAX_JSON_DEPTH)
    ├── service_unavailable      503
    ├── http_error               4xx  (any other refusal of the framework)
    └── internal_error           500  (a bug: logged, never detailed)
"""

from __future__ import annotations

import logging
from typing import Any

from litestar import Request, Response
from litestar.exceptions import (
    HTTPException,
    NotAuthorizedException,
    NotFoundException,
    PermissionDeniedException,
    TooManyRequestsException,
    ValidationException,
)
from litestar.exceptions.http_exceptions import RequestEntityTooLarge
from litestar.status_codes import HTTP_500_INTERNAL_SERVER_ERROR

from api.decoding import JsonTooDeep
from api.i18n import negotiate
from availability import AvailabilityError
from scheduler.platform import (
    Language,
    SchedulingError,
    database_outage,
    first_line,
    rejected_value,
)

logger = logging.getLogger("thotis.api")

PROBLEM_MEDIA_TYPE = "application/problem+json"

TITLES: dict[str, tuple[str, str]] = {
    "origin_not_allowed": (
        "Ce site n'est pas autorisé à appeler l'API Thotis",
        "This site may not call the Thotis API",
    ),
    "slot_taken": ("Ce créneau vient d'être réservé", "This slot has just been booked"),
    "outside_availability": (
        "Ce créneau n'est pas disponible",
        "This slot is not available",
    ),
    "booking_not_live": (
        "Ce rendez-vous n'est plus modifiable",
        "This booking can no longer be changed",
    ),
    "idempotency_conflict": (
        "Cette clé d'idempotence a déjà servi pour une autre demande",
        "This idempotency key was already used for another request",
    ),
    "mentor_unavailable": (
        "Ce mentor ne prend pas de rendez-vous pour le moment",
        "This mentor is not taking bookings at the moment",
    ),
    "invalid_token": ("Lien invalide", "Invalid link"),
    "token_expired": ("Ce lien a expiré", "This link has expired"),
    "booking_gone": (
        "Les données de ce rendez-vous ont été effacées",
        "This booking's data has been erased",
    ),
    "email_blocked": (
        "Cette adresse ne peut pas réserver",
        "This address cannot make bookings",
    ),
    "email_verification_required": (
        "Confirme d'abord ton adresse e-mail avec le code reçu",
        "First confirm your email address with the code you received",
    ),
    "verification_code_wrong": ("Ce code n'est pas le bon", "This code is not the right one"),
    "verification_expired": (
        "Ce code a expiré ou a été trop souvent mal saisi : demandes-en un nouveau",
        "This code has expired or was mistyped too often: ask for a new one",
    ),
    "too_many_live_bookings": (
        "Cette adresse a déjà le nombre maximal de rendez-vous à venir",
        "This address already has the most upcoming bookings allowed",
    ),
    "too_many_verifications": (
        "Trop de codes demandés depuis cette connexion : réessaie plus tard",
        "Too many codes asked for from this connection: try again later",
    ),
    "too_many_holds": (
        "Ce mentor a déjà plusieurs créneaux en attente de confirmation : réessaie dans quelques"
        " minutes ou choisis un autre mentor",
        "This mentor already has several slots awaiting confirmation: try again in a few"
        " minutes or pick another mentor",
    ),
    "not_found": ("Introuvable", "Not found"),
    "photo_too_large": (
        "Cette photo est trop lourde (5 Mo au plus)",
        "This photo is too large (5 MB at most)",
    ),
    "photo_unreadable": (
        "Ce fichier n'est pas une image JPEG, PNG ou WebP lisible",
        "This file is not a readable JPEG, PNG or WebP image",
    ),
    "unauthorized": ("Authentification requise", "Authentication required"),
    "forbidden": ("Accès refusé", "Access denied"),
    "validation_failed": ("Données invalides", "Invalid data"),
    "rate_limited": (
        "Trop de demandes : nouvel essai possible dans une minute",
        "Too many requests, try again in a minute",
    ),
    "invalid_timezone": ("Fuseau horaire inconnu", "Unknown timezone"),
    "invalid_range": ("Plage horaire invalide", "Invalid time range"),
    "range_not_on_5_minutes": (
        "Les horaires doivent tomber sur des multiples de 5 minutes",
        "Times must fall on 5-minute boundaries",
    ),
    "range_out_of_order": (
        "La fin doit être après le début",
        "The end must come after the start",
    ),
    "invalid_weekday": ("Jour de la semaine invalide", "Invalid weekday"),
    "invalid_policy": ("Règles de réservation invalides", "Invalid booking policy"),
    "naive_datetime": (
        "Une date doit préciser son fuseau (décalage UTC)",
        "A date-time must carry its UTC offset",
    ),
    "invalid_query_range": ("Période demandée invalide", "Invalid requested period"),
    "google_unavailable": (
        "Google Agenda ne répond pas, réessayez dans un instant",
        "Google Calendar is not answering, try again in a moment",
    ),
    "reconnect_required": (
        "Reconnectez votre compte Google",
        "Reconnect your Google account",
    ),
    "google_not_configured": (
        "La connexion à Google Agenda n'est pas configurée sur ce service",
        "Google Calendar is not configured on this service",
    ),
    "method_not_allowed": ("Méthode non autorisée", "Method not allowed"),
    "body_too_large": ("Requête trop volumineuse", "Request body too large"),
    "json_too_deep": (
        "Données trop imbriquées",
        "JSON nested too deeply",
    ),
    "http_error": ("Requête refusée", "Request refused"),
    "internal_error": ("Erreur interne", "Internal error"),
    "service_unavailable": (
        "Service momentanément indisponible",
        "Service temporarily unavailable",
    ),
    "database_unavailable": (
        "Service momentanément indisponible : nouvel essai possible dans un instant",
        "Service briefly unavailable, try again in a moment",
    ),
}


def title_for(code: str, language: Language) -> str:
    french, english = TITLES.get(code, TITLES["http_error"])
    return french if language == "fr" else english


def problem(
    request: Request[Any, Any, Any],
    *,
    status: int,
    code: str,
    detail: str,
    extra: dict[str, Any] | None = None,
    headers: dict[str, str] | None = None,
) -> Response[dict[str, Any]]:
    language = negotiate(request.headers.get("accept-language"))
    body: dict[str, Any] = {
        "type": f"https://thotis.fr/problems/{code.replace('_', '-')}",
        "title": title_for(code, language),
        "status": status,
        "detail": detail,
        "code": code,
    }
    if extra:
        body.update(extra)
    return Response(body, status_code=status, media_type=PROBLEM_MEDIA_TYPE, headers=headers)


def retry_after(error: SchedulingError) -> dict[str, str] | None:
    """``Retry-After`` for the errors that say when to try again (``DatabaseUnavailable``)."""
    seconds = getattr(error, "retry_after_seconds", None)
    return {"Retry-After": str(seconds)} if seconds else None


def _validation_errors(exc: ValidationException) -> list[dict[str, Any]]:
    errors: list[dict[str, Any]] = []
    for item in exc.extra if isinstance(exc.extra, list) else []:
        if isinstance(item, dict):
            errors.append({"field": item.get("key"), "message": item.get("message")})
    return errors


def _http_code(exc: HTTPException) -> str:
    if isinstance(exc, NotFoundException):
        return "not_found"
    if isinstance(exc, NotAuthorizedException):
        return "unauthorized"
    if isinstance(exc, PermissionDeniedException):
        return "forbidden"
    if isinstance(exc, TooManyRequestsException):
        return "rate_limited"
    if isinstance(exc, RequestEntityTooLarge):
        return "body_too_large"
    if isinstance(exc, JsonTooDeep):
        return "json_too_deep"
    if exc.status_code == 405:
        return "method_not_allowed"
    if exc.status_code == 503:
        return "service_unavailable"
    return "http_error"


def as_domain_error(request: Request[Any, Any, Any], exc: Exception) -> Exception:
    """A database failure that is not a bug, as the domain error it means: an outage (logged
    once here: the client is told to retry) or a value the database refused (bad input)."""
    outage = database_outage(exc)
    if outage is not None:
        logger.warning(
            "database unavailable on %s %s: %s",
            request.method,
            request.url.path,
            first_line(exc),
        )
        return outage
    return rejected_value(exc) or exc


def handle_exception(request: Request[Any, Any, Any], exc: Exception) -> Response[dict[str, Any]]:
    exc = as_domain_error(request, exc)
    if isinstance(exc, SchedulingError):
        return problem(
            request,
            status=exc.status,
            code=exc.code,
            detail=exc.detail,
            headers=retry_after(exc),
        )
    if isinstance(exc, AvailabilityError):
        return problem(request, status=422, code=exc.code, detail=exc.detail)
    if isinstance(exc, ValidationException):
        errors = _validation_errors(exc)
        detail = "; ".join(f"{e['field']}: {e['message']}" for e in errors) or str(exc.detail)
        return problem(
            request, status=422, code="validation_failed", detail=detail, extra={"errors": errors}
        )
    if isinstance(exc, HTTPException):
        headers = dict(exc.headers) if exc.headers else None
        code = _http_code(exc)
        detail = exc.detail if code != "rate_limited" else "rate limit exceeded"
        return problem(request, status=exc.status_code, code=code, detail=detail, headers=headers)
    logger.exception("unhandled error on %s %s", request.method, request.url.path)
    return problem(
        request,
        status=HTTP_500_INTERNAL_SERVER_ERROR,
        code="internal_error",
        detail="an unexpected error occurred; it has been logged",
    )
