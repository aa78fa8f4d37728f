"""Reading the space's HTML forms into the services' inputs, with French (or English) messages
per field. The services validate again; their errors are shown with ``web.error_text``."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

from availability import AvailabilityError, DateOverride, WeeklyRules
from availability.rules import format_wall_time
from scheduler.schedules import PolicySettings, time_range

WEEKDAYS_FR = ("Lundi", "Mardi", "Mercredi", "Jeudi", "Vendredi", "Samedi", "Dimanche")
WEEKDAYS_EN = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
LANGUAGES = {
    "fr": ("Français", "French"),
    "en": ("Anglais", "English"),
    "es": ("Espagnol", "Spanish"),
    "de": ("Allemand", "German"),
    "it": ("Italien", "Italian"),
    "ar": ("Arabe", "Arabic"),
    "pt": ("Portugais", "Portuguese"),
    "zh": ("Chinois", "Chinese"),
}
Errors = dict[str, str]


def tr(lang: str, french: str, english: str) -> str:
    return english if lang == "en" else french


def field(form: Mapping[str, Any], name: str, max_length: int = 2000) -> str:
    value = form.get(name)
    return str(value).strip()[:max_length] if value is not None else ""


def input_time(minutes: int) -> str:
    """A rule bound for ``<input type=time>``: 24:00 cannot be typed there, 00:00 stands for it
    at the end of a range."""
    return "00:00" if minutes == 1440 else format_wall_time(minutes)


def ranges_from(
    starts: Sequence[str], ends: Sequence[str], lang: str
) -> tuple[list[tuple[str, str]], str | None]:
    """Filled rows as (start, end); an end of 00:00 means midnight (24:00). Rows left empty are
    dropped; a half-filled one is an error."""
    found: list[tuple[str, str]] = []
    for start, end in zip(starts, ends, strict=False):
        start, end = (start or "").strip()[:5], (end or "").strip()[:5]
        if not start and not end:
            continue
        if not start or not end:
            return [], tr(
                lang,
                "Indiquez le début et la fin de chaque plage.",
                "Give each range a start and an end.",
            )
        if end == "00:00" and start != "00:00":
            end = "24:00"
        found.append((start, end))
    return found, None


def check_ranges(ranges: list[tuple[str, str]], weekday: int, lang: str) -> str | None:
    """The engine's verdict on one day's ranges, as a message (None: fine)."""
    try:
        WeeklyRules({weekday: tuple(time_range(r) for r in ranges)})
    except AvailabilityError as error:
        return _range_message(error, lang)
    return None


def check_override(ranges: list[tuple[str, str]], day: date, lang: str) -> str | None:
    try:
        DateOverride(day, tuple(time_range(r) for r in ranges))
    except AvailabilityError as error:
        return _range_message(error, lang)
    return None


def _range_message(error: AvailabilityError, lang: str) -> str:
    messages = {
        "invalid_range": (
            "Heure invalide : utilisez HH:MM, la fin après le début.",
            "Invalid time: use HH:MM, with the end after the start.",
        ),
        "range_not_on_5_minutes": (
            "Les horaires doivent tomber sur des multiples de 5 minutes (18:05, pas 18:03).",
            "Times must fall on 5-minute steps (18:05, not 18:03).",
        ),
        "range_out_of_order": (
            "La fin d'une plage doit être après son début.",
            "A range must end after it starts.",
        ),
    }
    french, english = messages.get(error.code, (error.detail, error.detail))
    return tr(lang, french, english)


def whole(
    form: Mapping[str, Any],
    name: str,
    errors: Errors,
    lang: str,
    *,
    low: int,
    high: int,
    optional: bool = False,
) -> int | None:
    raw = field(form, name, 12)
    if raw == "" and optional:
        return None
    try:
        value = int(raw)
    except ValueError:
        errors[name] = tr(lang, "Un nombre entier est attendu.", "A whole number is expected.")
        return None
    if not low <= value <= high:
        errors[name] = tr(lang, f"Entre {low} et {high}.", f"Between {low} and {high}.")
        return None
    return value


def policy_from(form: Mapping[str, Any], lang: str) -> tuple[PolicySettings | None, Errors]:
    errors: Errors = {}
    before = whole(form, "buffer_before_minutes", errors, lang, low=0, high=240)
    after = whole(form, "buffer_after_minutes", errors, lang, low=0, high=240)
    notice = whole(form, "notice_minutes", errors, lang, low=0, high=60 * 24 * 30)
    horizon = whole(form, "horizon_days", errors, lang, low=1, high=366)
    day_cap = whole(form, "day_cap", errors, lang, low=0, high=96, optional=True)
    week_cap = whole(form, "week_cap", errors, lang, low=0, high=500, optional=True)
    if errors:
        return None, errors
    assert before is not None and after is not None and notice is not None and horizon is not None
    return (
        PolicySettings(
            buffer_before_minutes=before,
            buffer_after_minutes=after,
            notice_minutes=notice,
            horizon_days=horizon,
            day_cap=day_cap,
            week_cap=week_cap,
        ),
        errors,
    )
