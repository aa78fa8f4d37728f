"""Timezones: a name of the tz database's index that is a place, nothing else — not the host's
``localtime``, not ``Factory`` or ``posixrules``, not a path ZoneInfo would also open."""

from __future__ import annotations

import zoneinfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from availability import InvalidTimezone, zone

PLACES = sorted(zoneinfo.available_timezones() - {"localtime", "Factory", "posixrules"})


@given(st.sampled_from(PLACES))
def test_every_place_of_the_index_is_a_timezone(name: str) -> None:
    assert zone(name).key == name


@given(st.text(max_size=40).filter(lambda s: s not in zoneinfo.available_timezones()))
def test_any_other_text_is_an_invalid_timezone(name: str) -> None:
    with pytest.raises(InvalidTimezone):
        zone(name)


@pytest.mark.parametrize(
    "name",
    [
        "localtime",
        "Factory",
        "posixrules",
        "posix/Europe/Paris",
        "right/UTC",
        "/usr/share/zoneinfo/UTC",
        "Europe/../Europe/Paris",
        " Europe/Paris",
        "europe/paris",
    ],
)
def test_names_that_are_no_place_are_refused(name: str) -> None:
    with pytest.raises(InvalidTimezone):
        zone(name)


@pytest.mark.parametrize("value", [None, 42, ["Europe/Paris"], b"Europe/Paris"])
def test_a_value_that_is_no_text_is_refused(value: object) -> None:
    with pytest.raises(InvalidTimezone):
        zone(value)  # type: ignore[arg-type]
