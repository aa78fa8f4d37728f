"""The catalog's values returned by its services (never ORM objects)."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID


@dataclass(frozen=True, slots=True)
class FiliereRecord:
    id: UUID
    slug: str
    name_fr: str
    name_en: str


@dataclass(frozen=True, slots=True)
class MentorRecord:
    id: UUID
    display_name: str
    email: str
    photo_url: str | None
    university: str
    year_of_study: int
    bio: str
    languages: tuple[str, ...]
    timezone: str
    active: bool
    paused: bool
    allow_reply_to: bool
    filieres: tuple[str, ...]  # slugs
    # The mentor's own meeting link (https), when they prefer it to Meet or Jitsi.
    meeting_url: str | None = None
