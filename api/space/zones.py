"""The mentor's time-zone choice: a short list of the zones French-speaking mentors live in,
grouped by region and named in French (or English) by CLDR through Babel — never raw IANA ids
such as « America/Guadeloupe » — and, on demand, every zone, named the same way.

The names are the library's (territory and exemplar city), not a hand-written table, so they
stay right in both languages; the offset shown is the zone's at the moment the page is drawn.
"""

from __future__ import annotations

import zoneinfo
from dataclasses import dataclass
from datetime import datetime
from functools import cache

from babel import Locale
from babel.core import get_global
from babel.dates import get_timezone_location

from scheduler.platform import Language

# Regions and their zones, in the order a mentor looks for them. A zone linked to another in
# the tz database (America/Montreal -> America/Toronto) is listed under its canonical name.
CURATED: tuple[tuple[tuple[str, str], tuple[str, ...]], ...] = (
    (("France", "France"), ("Europe/Paris",)),
    (
        ("Outre-mer", "French overseas"),
        (
            "America/Guadeloupe",
            "America/Martinique",
            "America/Cayenne",
            "Indian/Reunion",
            "Indian/Mayotte",
            "America/Miquelon",
            "America/St_Barthelemy",
            "America/Marigot",
            "Pacific/Noumea",
            "Pacific/Tahiti",
            "Pacific/Marquesas",
            "Pacific/Gambier",
            "Pacific/Wallis",
        ),
    ),
    (
        ("Europe", "Europe"),
        (
            "Europe/Brussels",
            "Europe/Zurich",
            "Europe/Luxembourg",
            "Europe/Monaco",
            "Europe/London",
            "Europe/Dublin",
            "Europe/Madrid",
            "Europe/Lisbon",
            "Europe/Berlin",
            "Europe/Rome",
            "Europe/Amsterdam",
        ),
    ),
    (
        ("Amérique du Nord et Haïti", "North America and Haiti"),
        (
            "America/Toronto",
            "America/Moncton",
            "America/Winnipeg",
            "America/Edmonton",
            "America/Vancouver",
            "America/New_York",
            "America/Port-au-Prince",
        ),
    ),
    (
        ("Maghreb et Proche-Orient", "Maghreb and Middle East"),
        ("Africa/Casablanca", "Africa/Algiers", "Africa/Tunis", "Asia/Beirut"),
    ),
    (
        ("Afrique francophone", "French-speaking Africa"),
        (
            "Africa/Dakar",
            "Africa/Abidjan",
            "Africa/Bamako",
            "Africa/Ouagadougou",
            "Africa/Conakry",
            "Africa/Lome",
            "Africa/Porto-Novo",
            "Africa/Niamey",
            "Africa/Nouakchott",
            "Africa/Douala",
            "Africa/Libreville",
            "Africa/Brazzaville",
            "Africa/Kinshasa",
            "Africa/Lubumbashi",
            "Africa/Bangui",
            "Africa/Ndjamena",
            "Africa/Kigali",
            "Africa/Bujumbura",
            "Africa/Djibouti",
        ),
    ),
    (
        ("Océan Indien", "Indian Ocean"),
        ("Indian/Antananarivo", "Indian/Comoro", "Indian/Mauritius", "Indian/Mahe"),
    ),
)
CURATED_IDS = frozenset(z for _, zones in CURATED for z in zones)


@dataclass(frozen=True, slots=True)
class ZoneChoice:
    id: str
    label: str


@dataclass(frozen=True, slots=True)
class ZoneGroup:
    label: str
    zones: tuple[ZoneChoice, ...]


@cache
def all_zone_ids() -> tuple[str, ...]:
    """Every place zone of the tz database under its canonical name (not Etc/GMT+5 and other
    technical names, nor the old aliases such as US/Eastern, which would list places twice)."""
    aliases = get_global("zone_aliases")
    return tuple(
        sorted(
            z
            for z in zoneinfo.available_timezones()
            if "/" in z
            and z not in aliases
            and not z.startswith(("Etc/", "SystemV/", "posix/", "right/", "US/"))
        )
    )


@cache
def place_name(zone_id: str, language: Language) -> str:
    """« Guadeloupe », « Canada — Toronto », « Belgique — Bruxelles »: the territory and the
    exemplar city from CLDR, the city alone when it names the territory."""
    locale = Locale.parse(language)
    city = get_timezone_location(zone_id, locale=locale, return_city=True)
    territory_code = get_global("zone_territories").get(zone_id)
    territory = locale.territories.get(territory_code, "") if territory_code else ""
    if not territory or city.split()[0] in territory:
        return territory or city
    return f"{territory} — {city}"


def offset_text(zone_id: str, now: datetime) -> str:
    """``UTC+01:00`` at ``now`` (summer and winter differ: the page shows today's)."""
    offset = now.astimezone(zoneinfo.ZoneInfo(zone_id)).utcoffset()
    minutes = int(offset.total_seconds() // 60) if offset is not None else 0
    sign = "+" if minutes >= 0 else "−"
    hours, rest = divmod(abs(minutes), 60)
    return f"UTC{sign}{hours:02d}:{rest:02d}"


def _choice(zone_id: str, language: Language, now: datetime) -> ZoneChoice:
    return ZoneChoice(zone_id, f"{place_name(zone_id, language)} ({offset_text(zone_id, now)})")


def zone_groups(
    language: Language, now: datetime, current: str, *, every_zone: bool = False
) -> list[ZoneGroup]:
    """The selector's groups: the mentor's current zone first when the short list lacks it,
    then the short list by region, then (``every_zone``) every zone sorted by its name."""
    groups: list[ZoneGroup] = []
    if current not in CURATED_IDS:
        groups.append(
            ZoneGroup(
                "Votre fuseau actuel" if language == "fr" else "Your current timezone",
                (_choice(current, language, now),),
            )
        )
    for (french, english), zones in CURATED:
        groups.append(
            ZoneGroup(
                english if language == "en" else french,
                tuple(_choice(z, language, now) for z in zones),
            )
        )
    if every_zone:
        rest = [_choice(z, language, now) for z in all_zone_ids() if z not in CURATED_IDS]
        rest.sort(key=lambda c: c.label.casefold())
        groups.append(
            ZoneGroup(
                "Tous les autres fuseaux" if language == "fr" else "Every other timezone",
                tuple(rest),
            )
        )
    return groups
