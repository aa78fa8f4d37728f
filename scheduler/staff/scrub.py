"""A visitor's question with what identifies a person taken out: pure text in, text out.

What goes, each replaced by a bracketed placeholder that the theme grouping ignores:

- links: ``http(s)://…``, ``www.…`` and bare addresses on common endings (``monsite.fr/cv``);
- email addresses, also written ``prenom [at] gmail.com`` or ``(arobase)``;
- phone numbers in French formats: ``06 12 34 56 78``, ``06.12.34.56.78``, ``06-12-…``,
  ``0612345678``, ``+33 6 12 34 56 78``, ``+33 (0)6…``, ``0033 6…``, and any other run of nine
  or more digits with separators (a number to call back is the risk; a year or "bac+5" is not);
- names: the ones given (the booking's first name, the mentor's names), whole words, whatever
  their capitals or accents; and a name introduced as one ("je m'appelle Inès", "moi c'est
  Jean-Baptiste", "mon nom est …");
- social handles (``@pseudo``).

Scrubbing is idempotent: scrubbing scrubbed text changes nothing.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

__all__ = ["EMAIL", "LINK", "NAME", "PHONE", "scrub"]

LINK = "[lien]"
EMAIL = "[email]"
PHONE = "[téléphone]"
NAME = "[nom]"
HANDLE = "[pseudo]"

_ENDINGS = r"(?:fr|com|org|net|io|eu|be|ch|info|me|co|ly|gg|app|dev|edu)"
_URL = re.compile(
    r"(?:https?://|www\.)\S+"
    rf"|\b[a-z0-9][a-z0-9-]*(?:\.[a-z0-9-]+)*\.{_ENDINGS}\b(?:/\S*)?",
    re.IGNORECASE,
)
_AT = r"(?:@|\s?[\[(]\s?(?:at|arobase)\s?[\])]\s?|\s(?:at|arobase)\s)"
_MAIL = re.compile(
    rf"[\w.+-]+{_AT}[\w-]+(?:\s?(?:\.|[\[(]\s?(?:dot|point)\s?[\])])\s?[\w-]+)+", re.IGNORECASE
)
_SEP = r"[\s.\-/]{0,3}"
_FRENCH_PHONE = re.compile(
    rf"(?:(?:\+|00){_SEP}33{_SEP}(?:\(0\){_SEP})?[1-9]|\b0[1-9])(?:{_SEP}\d{{2}}){{4}}(?!\d)"
)
# Any other number long enough to be a phone number (abroad, or a French one mistyped).
_LONG_NUMBER = re.compile(r"(?<![\w\]])\+?\d(?:[\s.\-/]{0,3}\d){8,}(?!\d)")
_HANDLE = re.compile(r"(?<![\w\]])@[A-Za-z0-9_.]{2,}")
_NAME_WORD = r"[A-ZÀ-ÖØ-Þ][\w'’-]*"
# The lead words in any case; the name itself only when it starts with a capital ("moi c'est
# surtout…" is no introduction).
_INTRODUCED = re.compile(
    r"(?P<lead>\b(?i:je m['’]appelle|moi c['’]est|mon (?:pr[ée]nom|nom) (?:est|c['’]est)|"
    r"je me nomme)\s+)"
    rf"(?P<name>(?:\[nom\]|{_NAME_WORD})(?:[ \t]+{_NAME_WORD})?)"
)


class _Folding(dict[int, str]):
    """``str.translate`` table filled as characters come: lowercase without accents, one
    character for one (spans found in the folded text fit the original)."""

    def __missing__(self, code: int) -> str:
        char = chr(code)
        lower = char.lower()
        if len(lower) != 1:
            folded = char
        elif lower.isalpha():
            folded = unicodedata.normalize("NFD", lower)[0]
        else:
            folded = lower
        self[code] = folded
        return folded


_FOLDING = _Folding()


def _fold(text: str) -> str:
    return text.translate(_FOLDING)


def _names(given: Iterable[str | None]) -> list[str]:
    """The words of the given names worth looking for (two letters or more), longest first."""
    words = {
        _fold(word)
        for name in given
        if name
        for whole in re.findall(r"[^\W\d_]+(?:[-'’][^\W\d_]+)*", name)
        for word in {whole, *re.split(r"[-'’]", whole)}
        if len(word) >= 2
    }
    return sorted(words, key=lambda w: (-len(w), w))


def _scrub_names(text: str, names: list[str]) -> str:
    if not names:
        return text
    folded = _fold(text)
    pattern = re.compile(r"(?<![\w\[])(?:" + "|".join(re.escape(n) for n in names) + r")(?![\w\]])")
    spans = [m.span() for m in pattern.finditer(folded)]
    for start, end in reversed(spans):
        text = text[:start] + NAME + text[end:]
    return text


def _introduced(match: re.Match[str]) -> str:
    return match.group("lead") + NAME


def scrub(text: str, names: Iterable[str | None] = ()) -> str:
    """``text`` without links, emails, phone numbers, handles and the ``names`` given."""
    text = _MAIL.sub(EMAIL, text)
    text = _URL.sub(LINK, text)
    text = _FRENCH_PHONE.sub(PHONE, text)
    text = _LONG_NUMBER.sub(PHONE, text)
    text = _HANDLE.sub(HANDLE, text)
    text = _scrub_names(text, _names(names))
    # A name introduced as one, after the known names ("je m'appelle [nom]" is left as it is).
    return _INTRODUCED.sub(_introduced, text)
