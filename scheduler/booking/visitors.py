"""What a visitor types, checked once: first name, email, question, language, reasons."""

from __future__ import annotations

import hashlib
import hmac
import json
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from availability import zone
from scheduler.catalog import normalize_email
from scheduler.platform import (
    Language,
    ValidationFailed,
)

MAX_QUESTION = 1000


MAX_REASON = 500


@dataclass(frozen=True, slots=True)
class Visitor:
    """What the visitor types in the booking form."""

    first_name: str
    email: str
    question: str | None = None
    timezone: str = "Europe/Paris"
    language: Language = "fr"
    # scheduler.booking.consent decides it from the age question.
    consent_basis: str | None = None


@dataclass(frozen=True, slots=True)
class CheckedVisitor(Visitor):
    """A visitor ``checked`` made: checked and normalised once (the email above all, whose
    syntax check is the costliest step), so that each later step takes it as it is."""


def checked(visitor: Visitor) -> CheckedVisitor:
    """The visitor's fields checked and normalised (the email lower-cased), ValidationFailed
    otherwise; a visitor already checked is returned as it is."""
    if isinstance(visitor, CheckedVisitor):
        return visitor
    if not isinstance(visitor.first_name, str) or not 1 <= len(visitor.first_name.strip()) <= 60:
        raise ValidationFailed("first_name must have 1 to 60 characters")
    # The mentor greets the visitor by this name: one made of invisible characters (zero-width
    # spaces, joiners, marks alone) or of punctuation only would show as nothing, or mislead.
    if not any(character.isalpha() for character in visitor.first_name):
        raise ValidationFailed("first_name must contain a letter")
    question = visitor.question.strip() if isinstance(visitor.question, str) else None
    if question is not None and len(question) > MAX_QUESTION:
        raise ValidationFailed(f"the question must have at most {MAX_QUESTION} characters")
    if visitor.language not in ("fr", "en"):
        raise ValidationFailed("language must be 'fr' or 'en'")
    zone(visitor.timezone)  # InvalidTimezone propagates
    return CheckedVisitor(
        first_name=visitor.first_name.strip(),
        email=normalize_email(visitor.email),
        question=question or None,
        timezone=visitor.timezone,
        language=visitor.language,
        consent_basis=visitor.consent_basis,
    )


def _request_hash(
    secret: str, mentor_id: UUID, slot_start: datetime, visitor: Visitor, filiere: str | None
) -> str:
    """An HMAC of the request under ``secret``: the body holds the email, and a plain digest
    of it could be matched against guessed addresses by whoever reads the table."""
    body = {
        "mentor_id": str(mentor_id),
        "slot_start": slot_start.isoformat(),
        "first_name": visitor.first_name,
        "email": visitor.email,
        "question": visitor.question,
        "timezone": visitor.timezone,
        "language": visitor.language,
        "filiere": filiere,
    }
    message = json.dumps(body, sort_keys=True).encode()
    return hmac.new(f"idempotency:{secret}".encode(), message, hashlib.sha256).hexdigest()


def _reason(reason: str | None) -> str | None:
    if reason is None:
        return None
    if not isinstance(reason, str) or len(reason.strip()) > MAX_REASON:
        raise ValidationFailed(f"the reason must have at most {MAX_REASON} characters")
    return reason.strip() or None
