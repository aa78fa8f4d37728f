"""Typed settings, read once from the environment (12-factor).

Only ``Settings.from_env`` reads ``os.environ``; ``create_app()`` and the CLI pass the result
down. Each part of the engine has its own section below.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def _bool(value: str | None, default: bool) -> bool:
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _list(value: str | None, default: tuple[str, ...]) -> tuple[str, ...]:
    if value is None or value.strip() == "":
        return default
    return tuple(item.strip() for item in value.split(",") if item.strip())


_LOOPBACK = frozenset({"127.0.0.1", "localhost", "::1"})


@dataclass(frozen=True, slots=True)
class Settings:
    # --- database -------------------------------------------------------------------------
    # None: start the embedded PostgreSQL kept under ``data_dir``.
    database_url: str | None = None
    data_dir: Path = PROJECT_ROOT / "var"
    # --- HTTP -----------------------------------------------------------------------------
    host: str = "127.0.0.1"
    port: int = 8000
    # Public base URL used in links sent to people (manage links, OAuth redirect).
    public_url: str = "http://127.0.0.1:8000"
    cors_origins: tuple[str, ...] = ("http://127.0.0.1:8000", "http://localhost:8000")
    # Secret for signing (manage tokens, sessions, CSRF). Dev default; set it in production.
    secret_key: str = "dev-only-secret-change-me"
    # Proxies whose X-Forwarded-For/-Proto uvicorn trusts (comma-separated addresses or "*").
    forwarded_allow_ips: str = "127.0.0.1"
    # uvicorn worker processes of `serve` (each its own event loop and connection pool).
    web_concurrency: int = 1
    # "json" (one object per line) or "text"; empty: json unless PUBLIC_URL is a loopback one.
    log_format: str = ""
    # Bearer token for /metrics; unset, /metrics answers 404.
    metrics_token: str | None = None
    booking_rate_limit_per_minute: int = 10
    # How long a process may serve a filière page's list of next free slots before recomputing
    # it (booking always re-validates, so this only bounds how stale the list may look).
    filiere_cache_seconds: float = 2.0
    seed_demo: bool = True
    # --- mail -----------------------------------------------------------------------------
    smtp_host: str | None = None
    smtp_port: int = 587
    smtp_username: str | None = None
    smtp_password: str | None = None
    smtp_starttls: bool = True
    smtp_tls: bool = False
    mail_from: str = "Thotis <rendez-vous@thotis.fr>"
    # Where mail goes when no SMTP server is configured (a dev outbox of .eml files).
    mail_dir: Path = PROJECT_ROOT / "var" / "mail"
    brand_logo_url: str = "https://www.thotis.fr/logo.png"
    brand_primary_color: str = "#1d3a8a"
    brand_accent_color: str = "#f2b705"
    # --- Google ---------------------------------------------------------------------------
    google_client_id: str | None = None
    google_client_secret: str | None = None
    google_auth_uri: str = "https://accounts.google.com/o/oauth2/auth"
    google_token_uri: str = "https://oauth2.googleapis.com/token"
    google_revoke_uri: str = "https://oauth2.googleapis.com/revoke"
    google_api_base: str = "https://www.googleapis.com"
    # Fernet keys, newest first; older ones still decrypt (key rotation).
    token_keys: tuple[str, ...] = field(default_factory=tuple)
    # --- worker ---------------------------------------------------------------------------
    # Run the outbox worker inside the web process (the one-process default of `make run`);
    # with several API processes, set it false and run `python -m scheduler worker` instead.
    embedded_worker: bool = True
    outbox_poll_seconds: float = 1.0
    outbox_max_attempts: int = 8
    busy_refresh_minutes: int = 10
    personal_data_retention_days: int = 180
    # --- staff ----------------------------------------------------------------------------
    staff_emails: tuple[str, ...] = ()
    staff_domain: str | None = None
    # --- mentor space and staff console ---------------------------------------------------
    # How long a signed-in browser stays signed in (then back to the sign-in page).
    session_lifetime_hours: int = 12

    @property
    def dev_mail_page(self) -> bool:
        """Whether ``/dev/mail`` shows the mail outbox: only without SMTP and only on a loopback
        address. The outbox holds sign-in and manage links, so a public service that merely
        forgot SMTP_HOST must not publish it."""
        return not self.smtp_host and urlsplit(self.public_url).hostname in _LOOPBACK

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if environ is None else environ
        default = cls()

        def get(name: str) -> str | None:
            value = env.get(name)
            return value if value not in (None, "") else None

        data_dir = Path(get("THOTIS_DATA_DIR") or default.data_dir)
        port = int(get("PORT") or default.port)
        public_url = (get("PUBLIC_URL") or f"http://127.0.0.1:{port}").rstrip("/")
        return cls(
            database_url=get("DATABASE_URL"),
            data_dir=data_dir,
            host=get("HOST") or default.host,
            port=port,
            public_url=public_url,
            cors_origins=_list(get("CORS_ORIGINS"), (public_url, f"http://localhost:{port}")),
            secret_key=get("SECRET_KEY") or default.secret_key,
            forwarded_allow_ips=get("FORWARDED_ALLOW_IPS") or default.forwarded_allow_ips,
            web_concurrency=int(get("WEB_CONCURRENCY") or default.web_concurrency),
            log_format=(get("LOG_FORMAT") or default.log_format).lower(),
            metrics_token=get("METRICS_TOKEN"),
            booking_rate_limit_per_minute=int(
                get("BOOKING_RATE_LIMIT_PER_MINUTE") or default.booking_rate_limit_per_minute
            ),
            filiere_cache_seconds=float(
                get("FILIERE_CACHE_SECONDS") or default.filiere_cache_seconds
            ),
            seed_demo=_bool(get("SEED_DEMO"), default.seed_demo),
            smtp_host=get("SMTP_HOST"),
            smtp_port=int(get("SMTP_PORT") or default.smtp_port),
            smtp_username=get("SMTP_USERNAME"),
            smtp_password=get("SMTP_PASSWORD"),
            smtp_starttls=_bool(get("SMTP_STARTTLS"), default.smtp_starttls),
            smtp_tls=_bool(get("SMTP_TLS"), default.smtp_tls),
            mail_from=get("MAIL_FROM") or default.mail_from,
            mail_dir=Path(get("MAIL_DIR") or data_dir / "mail"),
            brand_logo_url=get("BRAND_LOGO_URL") or default.brand_logo_url,
            brand_primary_color=get("BRAND_PRIMARY_COLOR") or default.brand_primary_color,
            brand_accent_color=get("BRAND_ACCENT_COLOR") or default.brand_accent_color,
            google_client_id=get("GOOGLE_CLIENT_ID"),
            google_client_secret=get("GOOGLE_CLIENT_SECRET"),
            google_auth_uri=get("GOOGLE_AUTH_URI") or default.google_auth_uri,
            google_token_uri=get("GOOGLE_TOKEN_URI") or default.google_token_uri,
            google_revoke_uri=get("GOOGLE_REVOKE_URI") or default.google_revoke_uri,
            google_api_base=(get("GOOGLE_API_BASE") or default.google_api_base).rstrip("/"),
            token_keys=_list(get("TOKEN_KEYS"), ()),
            embedded_worker=_bool(get("EMBEDDED_WORKER"), default.embedded_worker),
            outbox_poll_seconds=float(get("OUTBOX_POLL_SECONDS") or default.outbox_poll_seconds),
            outbox_max_attempts=int(get("OUTBOX_MAX_ATTEMPTS") or default.outbox_max_attempts),
            busy_refresh_minutes=int(get("BUSY_REFRESH_MINUTES") or default.busy_refresh_minutes),
            personal_data_retention_days=int(
                get("PERSONAL_DATA_RETENTION_DAYS") or default.personal_data_retention_days
            ),
            staff_emails=_list(get("STAFF_EMAILS"), ()),
            staff_domain=get("STAFF_DOMAIN"),
            session_lifetime_hours=int(
                get("SESSION_LIFETIME_HOURS") or default.session_lifetime_hours
            ),
        )
