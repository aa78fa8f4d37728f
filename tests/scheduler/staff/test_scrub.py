"""Scrubbing a question: emails, French phone numbers, links, handles and the booking's names
go; the rest of the question stays."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from scheduler.staff.scrub import EMAIL, LINK, NAME, PHONE, scrub


@pytest.mark.parametrize(
    "phone",
    [
        "06 12 34 56 78",
        "06.12.34.56.78",
        "06-12-34-56-78",
        "0612345678",
        "+33 6 12 34 56 78",
        "+33612345678",
        "+33 (0)6 12 34 56 78",
        "0033 6 12 34 56 78",
        "01 42 68 53 00",
        "07 81.22.09 90",
    ],
)
def test_french_phone_numbers_go(phone: str) -> None:
    assert scrub(f"Rappelle-moi au {phone} stp, merci") == f"Rappelle-moi au {PHONE} stp, merci"


@pytest.mark.parametrize(
    "email",
    [
        "ines.dupont@gmail.com",
        "i.dupont+thotis@lycee-hugo.fr",
        "ines [at] gmail (dot) com",
        "ines(arobase)orange.fr",
    ],
)
def test_email_addresses_go_even_disguised(email: str) -> None:
    assert scrub(f"écris-moi : {email} !") == f"écris-moi : {EMAIL} !"


@pytest.mark.parametrize(
    "link",
    [
        "https://thotis.fr/droit?x=1",
        "http://example.org",
        "www.linkedin.com/in/ines-d",
        "monsite.fr/cv",
    ],
)
def test_links_go(link: str) -> None:
    assert scrub(f"voir {link} avant l'appel") == f"voir {LINK} avant l'appel"


def test_the_bookings_names_go_whatever_their_capitals_or_accents() -> None:
    text = "Bonjour LEA, c'est Ines ! Léa Martin m'a conseillé Martinique et Marseille."
    assert scrub(text, ["Inès", "Léa Martin"]) == (
        f"Bonjour {NAME}, c'est {NAME} ! {NAME} {NAME} m'a conseillé Martinique et Marseille."
    )


def test_compound_first_names_go_whole_and_in_parts() -> None:
    assert scrub("Jean-Baptiste ou Jean Baptiste ?", ["Jean-Baptiste"]) == (
        f"{NAME} ou {NAME} {NAME} ?"
    )


def test_a_name_introduced_as_one_goes_with_its_surname() -> None:
    assert scrub("Bonjour, je m'appelle Inès Dupont et je suis en terminale.", ["Inès"]) == (
        f"Bonjour, je m'appelle {NAME} et je suis en terminale."
    )
    assert scrub("Moi c'est Zoé, en Terminale") == f"Moi c'est {NAME}, en Terminale"
    assert scrub("Moi c'est surtout la PASS qui me stresse") == (
        "Moi c'est surtout la PASS qui me stresse"
    )


def test_what_identifies_no_one_stays() -> None:
    text = "En 2025, bac+5 en L1 ? 12/06/2025, 15 min, 3 ans, Paris 1, PASS/LAS, 20/20"
    assert scrub(text) == text


def test_handles_go() -> None:
    assert scrub("mon insta @ines_dupont78") == "mon insta [pseudo]"


_digits = st.text(alphabet="0123456789", min_size=8, max_size=8)
_separators = st.sampled_from(["", " ", ".", "-", " . "])
_prefixes = st.sampled_from(["06", "07", "01", "09", "+33 6", "+336", "+33 (0)7", "0033 6"])
_words = st.lists(
    st.sampled_from(
        ["Parcoursup", "la", "PASS", "stage", "L1", "droit", "écris", "au", "2026", "bac+3", "?"]
    ),
    max_size=6,
).map(" ".join)


@given(_words, _prefixes, _separators, _digits, _words)
def test_any_french_phone_in_any_sentence_goes(
    before: str, prefix: str, sep: str, digits: str, after: str
) -> None:
    pairs = sep.join(digits[i : i + 2] for i in range(0, 8, 2))
    found = scrub(f"{before} {prefix}{sep}{pairs} {after}")
    assert digits[-4:] not in found.replace(" ", "").replace(".", "").replace("-", "")
    assert PHONE in found


_names = st.text(alphabet="abcdefghijklmnopqrstuvwxyzéèëïôç", min_size=3, max_size=10).map(
    str.capitalize
)


@given(_names, _words, _words)
def test_a_given_name_never_survives_and_scrubbing_twice_changes_nothing(
    name: str, before: str, after: str
) -> None:
    text = f"{before} {name}, {after} {name.upper()}"
    once = scrub(text, [name])
    assert name.lower() not in once.lower()
    assert scrub(once, [name]) == once
