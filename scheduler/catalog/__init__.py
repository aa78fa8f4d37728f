"""Filières and mentors: profiles, activation, notification preferences."""

from scheduler.catalog.filieres import (
    SLUG_PATTERN,
    create_filiere,
    get_filiere,
    list_filieres,
    normalize_email,
    update_filiere,
)
from scheduler.catalog.mentors import (
    MentorChanges,
    MentorFields,
    create_mentor,
    deactivate_mentor,
    get_mentor,
    get_mentor_by_email,
    list_mentors,
    mentor_query,
    mentor_record,
    set_mentor_active,
    update_mentor,
)
from scheduler.catalog.models import (
    Filiere,
    Mentor,
    MentorFiliere,
    MentorPreferences,
    NotifyMode,
    PolicyRow,
)
from scheduler.catalog.records import FiliereRecord, MentorRecord

__all__ = [
    "SLUG_PATTERN",
    "Filiere",
    "FiliereRecord",
    "Mentor",
    "MentorChanges",
    "MentorFields",
    "MentorFiliere",
    "MentorPreferences",
    "MentorRecord",
    "NotifyMode",
    "PolicyRow",
    "create_filiere",
    "create_mentor",
    "deactivate_mentor",
    "get_filiere",
    "get_mentor",
    "get_mentor_by_email",
    "list_filieres",
    "list_mentors",
    "mentor_query",
    "mentor_record",
    "normalize_email",
    "set_mentor_active",
    "update_filiere",
    "update_mentor",
]
