"""The error-code catalogue: every stable ``code`` a client can receive has a French and an
English title, and a place in the error trees drawn in the code's docstrings."""

from __future__ import annotations

import re

import api.app  # noqa: F401  (loads every module that defines an error)
import availability.errors
import scheduler.platform.errors
from api import problems
from availability import AvailabilityError
from scheduler.platform import SchedulingError

# "├── Name    404 code" or "└── Name    code" (the engine's errors are all 422).
_DRAWN = re.compile(r"[├└]── (\w+)\s+(?:(\d{3}) )?\s*(\w+)")
_HTTP_DRAWN = re.compile(r"[├└]── (\w+)\s+(\d{3}|4xx)\b")


def _subclasses(base: type) -> set[type]:
    found = set()
    for cls in base.__subclasses__():
        found |= {cls, *_subclasses(cls)}
    return found


def _drawn(module_doc: str | None) -> dict[str, tuple[str | None, str]]:
    return {name: (status, code) for name, status, code in _DRAWN.findall(module_doc or "")}


def _http_codes() -> set[str]:
    return {code for code, _ in _HTTP_DRAWN.findall(problems.__doc__ or "")}


def test_every_domain_error_is_drawn_with_its_status_and_code() -> None:
    drawn = _drawn(scheduler.platform.errors.__doc__)
    for cls in _subclasses(SchedulingError):
        assert cls.__name__ in drawn, f"{cls.__name__} is not in the drawn tree"
        assert drawn[cls.__name__] == (str(cls.status), cls.code), cls.__name__


def test_every_engine_error_is_drawn_with_its_code() -> None:
    drawn = _drawn(availability.errors.__doc__)
    for cls in _subclasses(AvailabilityError):
        assert drawn.get(cls.__name__, (None, None))[1] == cls.code, cls.__name__


def test_every_code_has_a_french_and_an_english_title_and_no_title_is_orphan() -> None:
    codes = {cls.code for cls in _subclasses(SchedulingError) | _subclasses(AvailabilityError)}
    codes |= _http_codes()
    assert set(problems.TITLES) == codes
    for code, (french, english) in problems.TITLES.items():
        assert french and english and french != english, code


def test_the_http_layer_draws_the_codes_its_mapper_returns() -> None:
    assert {"rate_limited", "method_not_allowed", "internal_error", "http_error"} <= _http_codes()


def test_every_code_of_the_catalogue_says_what_to_do_in_both_languages() -> None:
    from api.error_guide import ADVICE, guide_markdown

    assert ADVICE.keys() == problems.TITLES.keys()
    for cls in _subclasses(SchedulingError):
        if cls.code in ADVICE:
            assert ADVICE[cls.code].status == str(cls.status), cls.code
    for advice in ADVICE.values():
        assert advice.en and advice.fr and advice.en != advice.fr
    table = guide_markdown()
    assert all(f"| `{code}` |" in table for code in problems.TITLES)
