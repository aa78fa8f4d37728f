"""What ``/privacy`` says, read from the settings rather than written by hand: how long data is
kept, who processes it (the mail server, Google when the deployment offers it, the video
service) and whom to write to. A page that is generated cannot drift from the deployment."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

from scheduler.platform import Settings


@dataclass(frozen=True, slots=True)
class PrivacyFacts:
    retention_days: int
    contact_email: str
    # The mail server's host (the mail provider), None when mail stays on the machine.
    mail_host: str | None
    # Mentors may connect a Google calendar: Google Calendar and Meet then process the call.
    google: bool
    # The Jitsi Meet server used when the mentor has neither Google Meet nor their own link.
    jitsi_host: str


def privacy_facts(settings: Settings) -> PrivacyFacts:
    return PrivacyFacts(
        retention_days=settings.privacy.retention_days,
        contact_email=settings.privacy.contact_email,
        mail_host=settings.smtp.host or None,
        google=bool(settings.google.client_id),
        jitsi_host=urlsplit(settings.video.jitsi_base_url).hostname
        or settings.video.jitsi_base_url,
    )
