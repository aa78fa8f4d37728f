"""Whose agreement a booking rests on, decided here and nowhere else.

French law (loi Informatique et Libertés, art. 45, on the GDPR's art. 8) sets the age of
digital consent at 15: a visitor under 15 may book only with a parent's agreement, which the
form asks them to state. The answer is stored with the booking (``consent_basis``): ``own``
(15 or older) or ``parental`` (under 15, a parent agreed).
"""

from __future__ import annotations

from typing import Literal

from scheduler.platform import ValidationFailed

DIGITAL_CONSENT_AGE = 15
AgeBand = Literal["15_or_older", "under_15"]
ConsentBasis = Literal["own", "parental"]


def consent_basis(age: str | None, parent_agreed: bool) -> ConsentBasis | None:
    """The basis of the visitor's consent from their answer to the age question; None when
    the client did not ask it (an integration older than the question). ValidationFailed when
    a visitor under 15 has not stated that a parent agreed."""
    if age is None:
        return None
    if age == "15_or_older":
        return "own"
    if age == "under_15":
        if parent_agreed is not True:
            raise ValidationFailed(
                f"parent_agreed: under {DIGITAL_CONSENT_AGE}, a parent must agree to the booking"
            )
        return "parental"
    raise ValidationFailed("age must be '15_or_older' or 'under_15'")
