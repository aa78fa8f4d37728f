"""Whose agreement a booking rests on, decided in one place: 15 or older, the visitor's own;
under 15, a parent's agreement is required; a client that does not ask stores nothing."""

from __future__ import annotations

import pytest

from scheduler.booking import consent_basis
from scheduler.platform import ValidationFailed


def test_fifteen_or_older_consents_for_themselves() -> None:
    assert consent_basis("15_or_older", False) == "own"


def test_under_fifteen_needs_a_parents_agreement() -> None:
    assert consent_basis("under_15", True) == "parental"
    with pytest.raises(ValidationFailed, match="parent"):
        consent_basis("under_15", False)


def test_no_answer_stores_no_basis_and_a_made_up_answer_is_refused() -> None:
    assert consent_basis(None, False) is None
    with pytest.raises(ValidationFailed):
        consent_basis("12", True)
