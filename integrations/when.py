"""Instants as people read them, in French and English, without the process locale.

Day names, month names and zone cities come from Babel (CLDR data shipped with the package):
``locale.setlocale`` is process-wide and depends on what the host has installed, and names
written by hand here drifted from what people expect (Brussels in a French mail). Everything
takes an aware instant and an IANA timezone name and converts with zoneinfo; nothing reads
the clock.
"""

from __future__ import annotations

from datetime import UTC, datetime
from functools import cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from babel.core import get_global
from babel.dates import format_date, get_month_names, get_timezone_location

from scheduler.platform import Language

_UTC_NAMES = {"UTC", "Etc/UTC", "Etc/GMT", "GMT", "Etc/Zulu", "Zulu", "Etc/Universal"}


def zone(name: str) -> ZoneInfo:
    """The zone for ``name``; UTC when the name is unknown, so a message still goes out with
    a correct (if less friendly) time rather than failing in the outbox for ever."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


@cache
def month_names(language: Language) -> tuple[str, ...]:
    """January to December, lower case in French as French writes them."""
    names = get_month_names("wide", locale=language)
    return tuple(names[month] for month in range(1, 13))


@cache
def _city(name: str, language: Language) -> str:
    if name in get_global("zone_aliases"):
        # CLDR names an alias by its canonical zone (America/Montreal as Toronto): the city
        # the person chose reads better.
        return name.rsplit("/", 1)[-1].replace("_", " ")
    try:
        return str(get_timezone_location(name, locale=language, return_city=True))
    except LookupError:
        return name.rsplit("/", 1)[-1].replace("_", " ")


def zone_label(name: str, language: Language) -> str:
    """``heure de Paris`` / ``Paris time`` (the zone's city in the reader's language, from
    CLDR: Bruxelles, La Réunion, Nouméa); ``UTC`` for UTC and unknown zones."""
    if name in _UTC_NAMES or zone(name).key == "UTC":
        return "UTC"
    city = _city(name, language)
    if language == "fr":
        return f"heure de {city}"
    return f"{city} time"


def local(instant: datetime, tz_name: str) -> datetime:
    if instant.tzinfo is None:
        raise ValueError("instants must be timezone-aware")
    return instant.astimezone(zone(tz_name))


def _date_text(moment: datetime, language: Language, year: bool) -> str:
    # French writes the first of the month "1er"; CLDR's patterns do not, so the day is quoted.
    day = "'1er'" if language == "fr" and moment.day == 1 else "d"
    pattern = f"EEEE {day} MMMM" + (" y" if year else "")
    return str(format_date(moment.date(), pattern, locale=language))


def day_text(instant: datetime, tz_name: str, language: Language) -> str:
    """``mardi 3 mars 2026`` / ``Tuesday 3 March 2026`` (``1er`` for the first in French)."""
    return _date_text(local(instant, tz_name), language, year=True)


def clock_text(instant: datetime, tz_name: str) -> str:
    """``18:15``: 24-hour clock in both languages (what Thotis' audience reads in Europe)."""
    return local(instant, tz_name).strftime("%H:%M")


def when_text(instant: datetime, tz_name: str, language: Language) -> str:
    """``mardi 3 mars 2026 à 18:15 (heure de Paris)`` /
    ``Tuesday 3 March 2026 at 18:15 (Paris time)``."""
    at = "à" if language == "fr" else "at"
    day = day_text(instant, tz_name, language)
    clock = clock_text(instant, tz_name)
    return f"{day} {at} {clock} ({zone_label(tz_name, language)})"


def short_when_text(instant: datetime, tz_name: str, language: Language) -> str:
    """``mardi 3 mars à 18:15`` for subject lines (the year and zone are in the body)."""
    day = _date_text(local(instant, tz_name), language, year=False)
    clock = clock_text(instant, tz_name)
    return f"{day} {'à' if language == 'fr' else 'at'} {clock}"


def utc(instant: datetime) -> datetime:
    if instant.tzinfo is None:
        raise ValueError("instants must be timezone-aware")
    return instant.astimezone(UTC)
