"""Instants as people read them, in French and English, without the process locale.

``locale.setlocale`` is process-wide and depends on what the host has installed, so the day and
month names are written here. Everything takes an aware instant and an IANA timezone name and
converts with zoneinfo; nothing reads the clock.
"""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from scheduler.platform import Language

_DAYS = {
    "fr": ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche"),
    "en": ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"),
}
_MONTHS = {
    "fr": (
        "janvier",
        "février",
        "mars",
        "avril",
        "mai",
        "juin",
        "juillet",
        "août",
        "septembre",
        "octobre",
        "novembre",
        "décembre",
    ),
    "en": (
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ),
}

# French exonyms for the zones French-speaking visitors and mentors live in (overseas
# departments included); any other zone falls back to its IANA city with underscores as spaces.
_CITY_FR = {
    "Europe/Brussels": "Bruxelles",
    "Europe/London": "Londres",
    "Europe/Lisbon": "Lisbonne",
    "Europe/Berlin": "Berlin",
    "Europe/Madrid": "Madrid",
    "Europe/Rome": "Rome",
    "Europe/Zurich": "Zurich",
    "Europe/Luxembourg": "Luxembourg",
    "Europe/Monaco": "Monaco",
    "Europe/Athens": "Athènes",
    "Europe/Moscow": "Moscou",
    "America/Montreal": "Montréal",
    "America/Toronto": "Toronto",
    "America/New_York": "New York",
    "America/Guadeloupe": "la Guadeloupe",
    "America/Martinique": "la Martinique",
    "America/Cayenne": "Cayenne",
    "America/Miquelon": "Saint-Pierre-et-Miquelon",
    "Indian/Reunion": "La Réunion",
    "Indian/Mayotte": "Mayotte",
    "Indian/Mauritius": "Maurice",
    "Pacific/Noumea": "Nouméa",
    "Pacific/Tahiti": "Tahiti",
    "Pacific/Wallis": "Wallis",
    "Africa/Algiers": "Alger",
    "Africa/Tunis": "Tunis",
    "Africa/Casablanca": "Casablanca",
    "Africa/Dakar": "Dakar",
    "Africa/Abidjan": "Abidjan",
    "Asia/Tokyo": "Tokyo",
}
_UTC_NAMES = {"UTC", "Etc/UTC", "Etc/GMT", "GMT", "Etc/Zulu", "Zulu", "Etc/Universal"}


def zone(name: str) -> ZoneInfo:
    """The zone for ``name``; UTC when the name is unknown, so a message still goes out with
    a correct (if less friendly) time rather than failing in the outbox for ever."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def month_names(language: Language) -> tuple[str, ...]:
    """January to December, lower case in French as French writes them."""
    return _MONTHS[language]


def zone_label(name: str, language: Language) -> str:
    """``heure de Paris`` / ``Paris time``; ``UTC`` for UTC and unknown zones."""
    if name in _UTC_NAMES or zone(name).key == "UTC":
        return "UTC"
    city = name.rsplit("/", 1)[-1].replace("_", " ")
    if language == "fr":
        city = _CITY_FR.get(name, city)
        # "heure de la Guadeloupe" reads right; "heure de La Réunion" keeps its capital.
        return f"heure de {city}"
    return f"{city} time"


def local(instant: datetime, tz_name: str) -> datetime:
    if instant.tzinfo is None:
        raise ValueError("instants must be timezone-aware")
    return instant.astimezone(zone(tz_name))


def day_text(instant: datetime, tz_name: str, language: Language) -> str:
    """``mardi 3 mars 2026`` / ``Tuesday 3 March 2026`` (``1er`` for the first in French)."""
    moment = local(instant, tz_name)
    weekday = _DAYS[language][moment.weekday()]
    month = _MONTHS[language][moment.month - 1]
    if language == "fr":
        day = "1er" if moment.day == 1 else str(moment.day)
        return f"{weekday} {day} {month} {moment.year}"
    return f"{weekday} {moment.day} {month} {moment.year}"


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
    moment = local(instant, tz_name)
    weekday = _DAYS[language][moment.weekday()]
    month = _MONTHS[language][moment.month - 1]
    clock = clock_text(instant, tz_name)
    if language == "fr":
        day = "1er" if moment.day == 1 else str(moment.day)
        return f"{weekday} {day} {month} à {clock}"
    return f"{weekday} {moment.day} {month} at {clock}"


def utc(instant: datetime) -> datetime:
    if instant.tzinfo is None:
        raise ValueError("instants must be timezone-aware")
    return instant.astimezone(UTC)
