"""The audit trail in sentences: every action the code records has its French and English
phrase, a mentor acting on themselves reads « ses horaires », names link to their pages."""

from __future__ import annotations

import re
import uuid
from datetime import UTC, datetime

from api.space.staff.audit import PHRASES, sentence
from scheduler.platform import PROJECT_ROOT
from scheduler.staff import moderation, trail

# Recorded with a computed action (``"activate" if active else …``, a report's resolution,
# the booking insert's ``action=``), which the scan below cannot read.
COMPUTED = {
    ("activate", "mentor"),
    ("deactivate", "mentor"),
    ("blocked", "booking_report"),
    ("dismissed", "booking_report"),
    ("book", "booking"),
    ("reschedule", "booking"),
}
RECORD = re.compile(r'record\(\s*session,\s*[^,]+?,\s*"(\w+)",\s*"(\w+)"', re.S)


def test_every_recorded_action_has_a_phrase_in_both_languages() -> None:
    recorded = set(COMPUTED)
    for path in (PROJECT_ROOT / "scheduler").rglob("*.py"):
        recorded |= set(RECORD.findall(path.read_text(encoding="utf-8")))
    assert ("set_weekly_rules", "mentor") in recorded  # the scan reads what it should
    assert recorded - PHRASES.keys() == set()
    for phrase in PHRASES.values():
        assert phrase.fr and phrase.en and "{who}" in phrase.fr and "{who}" in phrase.en


def line(
    actor_kind: str, actor_id: str | None, action: str, entity: str, entity_id: str
) -> moderation.AuditLine:
    return moderation.AuditLine(
        datetime(2026, 12, 4, tzinfo=UTC), actor_kind, actor_id, action, entity, entity_id, {}
    )


def test_sentences_name_people_and_link_to_their_pages() -> None:
    camille = str(uuid.uuid4())
    names = trail.TrailNames({camille: "Camille Laurent"}, {}, {}, {}, {})
    own = sentence(line("mentor", camille, "set_weekly_rules", "mentor", camille), names, "fr")
    assert own.text == "Camille Laurent a modifié ses horaires"
    assert own.parts[0].href == f"/staff/mentors/{camille}"
    staff = sentence(
        line("staff", "equipe@thotis.fr", "set_weekly_rules", "mentor", camille), names, "en"
    )
    assert staff.text == "equipe@thotis.fr changed Camille Laurent's weekly hours"
    gone = sentence(line("system", None, "deactivate", "mentor", str(uuid.uuid4())), names, "fr")
    assert gone.text == "Thotis (automatique) a désactivé un mentor supprimé"
    unknown = sentence(line("staff", "cli", "frobnicate", "widget", "x"), names, "fr")
    assert "frobnicate" in unknown.text  # a new action is shown, never hidden
