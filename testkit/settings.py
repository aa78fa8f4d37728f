"""Settings for tests and benches, named by the flat names of the environment they mirror
(``smtp_host`` for ``SMTP_HOST``) instead of spelling out each nested group."""

from __future__ import annotations

import dataclasses
from typing import Any

from scheduler.platform import Settings

# Flat name -> (group, field in the group).
FIELDS: dict[str, tuple[str, str]] = {
    "database_url": ("db", "url"),
    "data_dir": ("db", "data_dir"),
    "seed_demo": ("db", "seed_demo"),
    "host": ("http", "host"),
    "port": ("http", "port"),
    "web_concurrency": ("http", "web_concurrency"),
    "forwarded_allow_ips": ("http", "forwarded_allow_ips"),
    "public_url": ("http", "public_url"),
    "cors_origins": ("http", "cors_origins"),
    "booking_limit_per_address": ("http", "booking_limit_per_address"),
    "booking_limit_per_email": ("http", "booking_limit_per_email"),
    "booking_limit_per_slot": ("http", "booking_limit_per_slot"),
    "filiere_cache_seconds": ("http", "filiere_cache_seconds"),
    "sign_in_link_limit_per_address": ("http", "sign_in_link_limit_per_address"),
    "sign_in_link_limit_overall": ("http", "sign_in_link_limit_overall"),
    "booking_email_verification": ("http", "booking_email_verification"),
    "booking_live_per_email": ("http", "booking_live_per_email"),
    "verification_limit_per_address": ("http", "verification_limit_per_address"),
    "verification_holds_per_mentor": ("http", "verification_holds_per_mentor"),
    "secret_key": ("secrets", "secret_key"),
    "token_keys": ("secrets", "token_keys"),
    "smtp_host": ("smtp", "host"),
    "smtp_port": ("smtp", "port"),
    "smtp_username": ("smtp", "username"),
    "smtp_password": ("smtp", "password"),
    "smtp_starttls": ("smtp", "starttls"),
    "smtp_tls": ("smtp", "tls"),
    "mail_from": ("smtp", "mail_from"),
    "mail_dir": ("smtp", "mail_dir"),
    "brand_logo_url": ("brand", "logo_url"),
    "brand_primary_color": ("brand", "primary_color"),
    "brand_accent_color": ("brand", "accent_color"),
    "google_client_id": ("google", "client_id"),
    "google_client_secret": ("google", "client_secret"),
    "google_auth_uri": ("google", "auth_uri"),
    "google_token_uri": ("google", "token_uri"),
    "google_revoke_uri": ("google", "revoke_uri"),
    "google_api_base": ("google", "api_base"),
    "jitsi_base_url": ("video", "jitsi_base_url"),
    "jitsi_app_id": ("video", "jitsi_app_id"),
    "jitsi_app_secret": ("video", "jitsi_app_secret"),
    "embedded_worker": ("worker", "embedded"),
    "outbox_poll_seconds": ("worker", "outbox_poll_seconds"),
    "outbox_max_attempts": ("worker", "outbox_max_attempts"),
    "busy_refresh_minutes": ("worker", "busy_refresh_minutes"),
    "personal_data_retention_days": ("privacy", "retention_days"),
    "privacy_contact_email": ("privacy", "contact_email"),
    "staff_emails": ("access", "staff_emails"),
    "staff_domain": ("access", "staff_domain"),
    "session_lifetime_hours": ("access", "session_lifetime_hours"),
    "log_format": ("ops", "log_format"),
    "metrics_token": ("ops", "metrics_token"),
    "credential_lifetime_days": ("access", "credential_lifetime_days"),
    "webhook_timeout_seconds": ("webhooks", "timeout_seconds"),
    "webhook_disable_after": ("webhooks", "disable_after"),
    "webhook_allow_private_addresses": ("webhooks", "allow_private"),
    "webhook_log_retention_days": ("webhooks", "log_retention_days"),
}


def changed(settings: Settings, **flat: Any) -> Settings:
    """``settings`` with the values given by their flat names."""
    groups: dict[str, dict[str, Any]] = {}
    for name, value in flat.items():
        group, field = FIELDS[name]
        groups.setdefault(group, {})[field] = value
    return dataclasses.replace(
        settings,
        **{
            group: dataclasses.replace(getattr(settings, group), **values)
            for group, values in groups.items()
        },
    )


# What differs from the defaults unless a test names it: most tests book many times from one
# address with nobody to read a code, so booker email verification and the cap on a visitor's
# live bookings are off (tests of those turn them on).
TEST_DEFAULTS: dict[str, Any] = {"booking_email_verification": False, "booking_live_per_email": 0}


def settings_of(**flat: Any) -> Settings:
    """The default settings (but ``TEST_DEFAULTS``) with the values given by their flat names."""
    return changed(Settings(), **(TEST_DEFAULTS | flat))
