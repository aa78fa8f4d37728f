"""Which language a person reads: French first, English when they ask for it."""

from __future__ import annotations

from scheduler.platform import Language


def as_language(value: object) -> Language | None:
    """``value`` when it is exactly "fr" or "en" (a query parameter, a cookie), else None."""
    if value == "fr":
        return "fr"
    if value == "en":
        return "en"
    return None


def negotiate(accept_language: str | None) -> Language:
    """The best of fr/en for an ``Accept-Language`` header; French when nothing matches."""
    if not accept_language:
        return "fr"
    best: tuple[float, Language] | None = None
    for position, part in enumerate(accept_language.split(",")):
        tag, _, params = part.strip().partition(";")
        primary = tag.strip().lower().split("-")[0]
        if primary not in ("fr", "en"):
            continue
        quality = 1.0
        params = params.strip()
        if params.startswith("q="):
            try:
                quality = float(params[2:])
            except ValueError:
                quality = 0.0
        # Earlier entries win ties, as browsers list preferences in order.
        score = quality - position * 1e-6
        if quality > 0 and (best is None or score > best[0]):
            best = (score, "fr" if primary == "fr" else "en")
    return best[1] if best else "fr"
