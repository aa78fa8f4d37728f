"""A visitor's first name is what the mentor greets: it must show at least one letter. A name
made only of invisible characters, marks or punctuation is refused before anything is stored."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from scheduler.booking import Visitor
from scheduler.booking.visitors import checked
from scheduler.platform import ValidationFailed

# Characters that are not letters: format (zero-width space, joiners, BOM), marks, spaces,
# punctuation, digits, symbols.
no_letter = st.characters(
    categories=["Cf", "Mn", "Me", "Zs", "Po", "Pd", "Nd", "Sm", "So"],
    exclude_characters="\x00",
)


def _visitor(first_name: str) -> Visitor:
    return Visitor(first_name=first_name, email="camille@example.fr")


@given(st.text(no_letter, min_size=1, max_size=60).filter(lambda s: s.strip()))
def test_a_first_name_without_a_letter_is_refused(first_name: str) -> None:
    with pytest.raises(ValidationFailed, match="letter"):
        checked(_visitor(first_name))


@given(
    st.text(no_letter, max_size=20),
    st.characters(categories=["Lu", "Ll", "Lt", "Lm", "Lo"]),
    st.text(no_letter, max_size=20),
)
def test_a_first_name_with_a_letter_is_accepted(before: str, letter: str, after: str) -> None:
    name = before + letter + after
    if not 1 <= len(name.strip()) <= 60:
        return
    assert checked(_visitor(name)).first_name == name.strip()


@pytest.mark.parametrize("name", ["Zoé", "Jean-Luc", "Łukasz", "李", "Ève\u0301", "O'Neil"])
def test_real_first_names_are_accepted(name: str) -> None:
    assert unicodedata.normalize("NFC", checked(_visitor(name)).first_name)


def test_a_checked_visitor_is_not_checked_again() -> None:
    once = checked(_visitor("Camille"))
    assert checked(once) is once
