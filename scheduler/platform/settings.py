"""Typed settings, read once from the environment (12-factor).

Only ``Settings.from_env`` reads ``os.environ``; the command line passes the result down, and
each part is given only its group: the mailer ``settings.smtp``, the Google adapter
``settings.google``, the token box ``settings.secrets``, and so on.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

PROJECT_ROOT = Path(__file__).resolve().parents[2]


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
class DatabaseSettings:
    # None: start the embedded PostgreSQL kept under ``data_dir``.
    url: str | None = None
    data_dir: Path = PROJECT_ROOT / "var"
    # Add the demo filières and mentors to an empty database at start.
    seed_demo: bool = True


@dataclass(frozen=True, slots=True)
class HttpSettings:
    host: str = "127.0.0.1"
    port: int = 8000
    # HTTP processes of `thotis serve` (one per core is a good start).
    web_concurrency: int = 1
    # Proxies whose X-Forwarded-For/-Proto uvicorn trusts (comma-separated addresses or "*").
    forwarded_allow_ips: str = "127.0.0.1"
    # Public base URL used in links sent to people (manage links, OAuth redirect).
    public_url: str = "http://127.0.0.1:8000"
    cors_origins: tuple[str, ...] = ("http://127.0.0.1:8000", "http://localhost:8000")
    # Requests that create or move bookings, counted in PostgreSQL across every process
    # (scheduler.platform.rate_limits; 0 turns a limit off). Per client address and minute: a
    # high ceiling, since a whole school may share one NAT address (it replaces the former
    # per-process BOOKING_RATE_LIMIT_PER_MINUTE, still read when BOOKING_LIMIT_PER_ADDRESS is
    # unset).
    booking_limit_per_address: int = 60
    # Per visitor email and hour (counted under a SHA-256 of the address, never the address).
    booking_limit_per_email: int = 5
    # Per mentor and slot start, and minute (a booking being moved: per booking).
    booking_limit_per_slot: int = 10
    # How long a process may serve a filière page's list of next free slots before recomputing
    # it (booking always re-validates, so this only bounds how stale the list may look).
    filiere_cache_seconds: float = 2.0
    # The public sign-in-link forms (mentor and staff), counted in PostgreSQL whatever the
    # address (issue 18): per address and hour, under a keyed hash of it, and from everyone per
    # minute (0 turns a limit off). The owner of an address still gets at most 3 links a
    # quarter hour (scheduler.identity.sessions).
    sign_in_link_limit_per_address: int = 5
    sign_in_link_limit_overall: int = 120
    # Booker email verification: a code mailed to the visitor, typed in the widget before the
    # booking is confirmed, the slot held meanwhile (scheduler.booking.verification).
    booking_email_verification: bool = True
    # Live (upcoming, not cancelled) bookings one visitor address may hold at once (0: no cap).
    booking_live_per_email: int = 3
    # Verifications started (a slot held 10 minutes, a code mailed) per client address and
    # hour, counted in PostgreSQL: generous, since a whole class may share one address, but
    # made-up addresses from one client cannot hold slot after slot (0: no limit).
    verification_limit_per_address: int = 60
    # Slots of one mentor held at once for unconfirmed codes (0: no cap): a visitor who really
    # reads their mail confirms within minutes, so a few are plenty.
    verification_holds_per_mentor: int = 3

    @property
    def loopback(self) -> bool:
        """Whether the public URL names this machine only (development, tests)."""
        return urlsplit(self.public_url).hostname in _LOOPBACK


@dataclass(frozen=True, slots=True)
class SecretsSettings:
    # Signs feedback links and derives the development token key. Set it in production.
    secret_key: str = "dev-only-secret-change-me"
    # Fernet keys, newest first; older ones still decrypt (key rotation).
    token_keys: tuple[str, ...] = field(default_factory=tuple)


@dataclass(frozen=True, slots=True)
class SmtpSettings:
    # None: mail is written to ``mail_dir`` (a dev outbox of .eml files), not sent.
    host: str | None = None
    port: int = 587
    username: str | None = None
    password: str | None = None
    starttls: bool = True
    tls: bool = False
    mail_from: str = "Thotis <rendez-vous@thotis.fr>"
    mail_dir: Path = PROJECT_ROOT / "var" / "mail"


@dataclass(frozen=True, slots=True)
class BrandSettings:
    # Empty: the logo the service serves itself ({PUBLIC_URL}/brand/logo.png), so mails never
    # show a broken image when the site's own address moves.
    logo_url: str = ""
    primary_color: str = "#1d3a8a"
    accent_color: str = "#f2b705"


@dataclass(frozen=True, slots=True)
class GoogleSettings:
    # None: no Google sign-in and no calendar connection on this deployment.
    client_id: str | None = None
    client_secret: str | None = None
    auth_uri: str = "https://accounts.google.com/o/oauth2/auth"
    token_uri: str = "https://oauth2.googleapis.com/token"
    revoke_uri: str = "https://oauth2.googleapis.com/revoke"
    api_base: str = "https://www.googleapis.com"


@dataclass(frozen=True, slots=True)
class VideoSettings:
    # Where a booking without Google Meet or a mentor's own link meets: a Jitsi Meet server,
    # its room names derived from the secret key and the booking series.
    jitsi_base_url: str = "https://meet.jit.si"
    # A self-hosted Jitsi with token authentication (its JWT_APP_ID / JWT_APP_SECRET): join
    # links then carry a signed token, moderator for the mentor, guest for the visitor.
    jitsi_app_id: str | None = None
    jitsi_app_secret: str | None = None


@dataclass(frozen=True, slots=True)
class WorkerSettings:
    # Run the outbox worker inside the web process (the one-process default of `make run`);
    # with several API processes, set it false and run `thotis worker` instead.
    embedded: bool = True
    outbox_poll_seconds: float = 1.0
    outbox_max_attempts: int = 8
    busy_refresh_minutes: int = 10


@dataclass(frozen=True, slots=True)
class PrivacySettings:
    # Visitors' names and emails are erased this many days after the call.
    retention_days: int = 180
    # Where visitors (and their parents) write about their data; /privacy shows it.
    contact_email: str = "donnees@thotis.fr"


@dataclass(frozen=True, slots=True)
class AccessSettings:
    # Who may open the staff console: these addresses, and every address of this domain.
    staff_emails: tuple[str, ...] = ()
    staff_domain: str | None = None
    # How long a signed-in browser stays signed in (then back to the sign-in page).
    session_lifetime_hours: int = 12
    # How long a staff API key or a mentor token made in the console lives: a forgotten one
    # stops working by itself instead of staying a way in for ever.
    credential_lifetime_days: int = 90


@dataclass(frozen=True, slots=True)
class OpsSettings:
    """How operators watch the service: every process's logs (serve, worker, the CLI alike) and
    the Prometheus scrape of the whole database's state."""

    # "json" (one object per line) or "text"; empty: json unless PUBLIC_URL is a loopback one.
    log_format: str = ""
    # Bearer token for /metrics; unset, /metrics answers 404.
    metrics_token: str | None = None


@dataclass(frozen=True, slots=True)
class WebhookSettings:
    """The webhooks to the Thotis site (``scheduler.messaging`` webhooks)."""

    # How long one delivery waits for the receiver's answer before it counts as a failure.
    timeout_seconds: float = 10.0
    # Failed attempts in a row (across messages) after which an endpoint is switched off and
    # staff are told by mail.
    disable_after: int = 15
    # Whether an endpoint may resolve to a private, loopback or link-local address. Off in
    # production: a staff member's URL must not reach the service's own network (SSRF). On a
    # loopback PUBLIC_URL (development, tests) loopback receivers are allowed anyway.
    allow_private: bool = False
    # Days the delivery log keeps a finished message (delivered or given up) before the
    # worker's daily purge deletes it: long enough to answer "did it arrive?", not forever.
    log_retention_days: int = 30


@dataclass(frozen=True, slots=True)
class Settings:
    db: DatabaseSettings = field(default_factory=DatabaseSettings)
    http: HttpSettings = field(default_factory=HttpSettings)
    secrets: SecretsSettings = field(default_factory=SecretsSettings)
    smtp: SmtpSettings = field(default_factory=SmtpSettings)
    brand: BrandSettings = field(default_factory=BrandSettings)
    google: GoogleSettings = field(default_factory=GoogleSettings)
    video: VideoSettings = field(default_factory=VideoSettings)
    worker: WorkerSettings = field(default_factory=WorkerSettings)
    privacy: PrivacySettings = field(default_factory=PrivacySettings)
    access: AccessSettings = field(default_factory=AccessSettings)
    ops: OpsSettings = field(default_factory=OpsSettings)
    webhooks: WebhookSettings = field(default_factory=WebhookSettings)

    @property
    def dev_mail_page(self) -> bool:
        """Whether ``/dev/mail`` shows the mail outbox: only without SMTP and only on a loopback
        address. The outbox holds sign-in and manage links, so a public service that merely
        forgot SMTP_HOST must not publish it."""
        return not self.smtp.host and self.http.loopback

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if environ is None else environ

        def get(name: str) -> str | None:
            value = env.get(name)
            return value if value not in (None, "") else None

        # The defaults, read from instances (a slotted dataclass keeps none on the class).
        db, http, secrets, smtp = (
            DatabaseSettings(),
            HttpSettings(),
            SecretsSettings(),
            SmtpSettings(),
        )
        brand, google, video = BrandSettings(), GoogleSettings(), VideoSettings()
        worker = WorkerSettings()
        privacy, access, ops = PrivacySettings(), AccessSettings(), OpsSettings()
        data_dir = Path(get("THOTIS_DATA_DIR") or db.data_dir)
        port = int(get("PORT") or http.port)
        public_url = (get("PUBLIC_URL") or f"http://127.0.0.1:{port}").rstrip("/")
        return cls(
            db=DatabaseSettings(
                url=get("DATABASE_URL"),
                data_dir=data_dir,
                seed_demo=_bool(get("SEED_DEMO"), db.seed_demo),
            ),
            http=HttpSettings(
                host=get("HOST") or http.host,
                port=port,
                web_concurrency=int(get("WEB_CONCURRENCY") or http.web_concurrency),
                forwarded_allow_ips=get("FORWARDED_ALLOW_IPS") or http.forwarded_allow_ips,
                public_url=public_url,
                cors_origins=_list(get("CORS_ORIGINS"), (public_url, f"http://localhost:{port}")),
                booking_limit_per_address=int(
                    get("BOOKING_LIMIT_PER_ADDRESS")
                    or get("BOOKING_RATE_LIMIT_PER_MINUTE")
                    or http.booking_limit_per_address
                ),
                booking_limit_per_email=int(
                    get("BOOKING_LIMIT_PER_EMAIL") or http.booking_limit_per_email
                ),
                booking_limit_per_slot=int(
                    get("BOOKING_LIMIT_PER_SLOT") or http.booking_limit_per_slot
                ),
                filiere_cache_seconds=float(
                    get("FILIERE_CACHE_SECONDS") or http.filiere_cache_seconds
                ),
                sign_in_link_limit_per_address=int(
                    get("SIGN_IN_LINK_LIMIT_PER_ADDRESS") or http.sign_in_link_limit_per_address
                ),
                sign_in_link_limit_overall=int(
                    get("SIGN_IN_LINK_LIMIT_OVERALL") or http.sign_in_link_limit_overall
                ),
                booking_email_verification=_bool(
                    get("BOOKING_EMAIL_VERIFICATION"), http.booking_email_verification
                ),
                booking_live_per_email=int(
                    get("BOOKING_LIVE_PER_EMAIL") or http.booking_live_per_email
                ),
                verification_limit_per_address=int(
                    get("VERIFICATION_LIMIT_PER_ADDRESS") or http.verification_limit_per_address
                ),
                verification_holds_per_mentor=int(
                    get("VERIFICATION_HOLDS_PER_MENTOR") or http.verification_holds_per_mentor
                ),
            ),
            secrets=SecretsSettings(
                secret_key=get("SECRET_KEY") or secrets.secret_key,
                token_keys=_list(get("TOKEN_KEYS"), ()),
            ),
            smtp=SmtpSettings(
                host=get("SMTP_HOST"),
                port=int(get("SMTP_PORT") or smtp.port),
                username=get("SMTP_USERNAME"),
                password=get("SMTP_PASSWORD"),
                starttls=_bool(get("SMTP_STARTTLS"), smtp.starttls),
                tls=_bool(get("SMTP_TLS"), smtp.tls),
                mail_from=get("MAIL_FROM") or smtp.mail_from,
                mail_dir=Path(get("MAIL_DIR") or data_dir / "mail"),
            ),
            brand=BrandSettings(
                logo_url=get("BRAND_LOGO_URL") or brand.logo_url,
                primary_color=get("BRAND_PRIMARY_COLOR") or brand.primary_color,
                accent_color=get("BRAND_ACCENT_COLOR") or brand.accent_color,
            ),
            google=GoogleSettings(
                client_id=get("GOOGLE_CLIENT_ID"),
                client_secret=get("GOOGLE_CLIENT_SECRET"),
                auth_uri=get("GOOGLE_AUTH_URI") or google.auth_uri,
                token_uri=get("GOOGLE_TOKEN_URI") or google.token_uri,
                revoke_uri=get("GOOGLE_REVOKE_URI") or google.revoke_uri,
                api_base=(get("GOOGLE_API_BASE") or google.api_base).rstrip("/"),
            ),
            video=VideoSettings(
                jitsi_base_url=(get("JITSI_BASE_URL") or video.jitsi_base_url).rstrip("/"),
                jitsi_app_id=get("JITSI_APP_ID") or video.jitsi_app_id,
                jitsi_app_secret=get("JITSI_APP_SECRET") or video.jitsi_app_secret,
            ),
            worker=WorkerSettings(
                embedded=_bool(get("EMBEDDED_WORKER"), worker.embedded),
                outbox_poll_seconds=float(get("OUTBOX_POLL_SECONDS") or worker.outbox_poll_seconds),
                outbox_max_attempts=int(get("OUTBOX_MAX_ATTEMPTS") or worker.outbox_max_attempts),
                busy_refresh_minutes=int(
                    get("BUSY_REFRESH_MINUTES") or worker.busy_refresh_minutes
                ),
            ),
            privacy=PrivacySettings(
                retention_days=int(get("PERSONAL_DATA_RETENTION_DAYS") or privacy.retention_days),
                contact_email=get("PRIVACY_CONTACT_EMAIL") or privacy.contact_email,
            ),
            access=AccessSettings(
                staff_emails=_list(get("STAFF_EMAILS"), ()),
                staff_domain=get("STAFF_DOMAIN"),
                session_lifetime_hours=int(
                    get("SESSION_LIFETIME_HOURS") or access.session_lifetime_hours
                ),
                credential_lifetime_days=int(
                    get("CREDENTIAL_LIFETIME_DAYS") or access.credential_lifetime_days
                ),
            ),
            ops=OpsSettings(
                log_format=(get("LOG_FORMAT") or ops.log_format).lower(),
                metrics_token=get("METRICS_TOKEN"),
            ),
            webhooks=_webhook_settings(get),
        )


def _webhook_settings(get: Callable[[str], str | None]) -> WebhookSettings:
    default = WebhookSettings()
    return WebhookSettings(
        timeout_seconds=float(get("WEBHOOK_TIMEOUT_SECONDS") or default.timeout_seconds),
        disable_after=int(get("WEBHOOK_DISABLE_AFTER") or default.disable_after),
        allow_private=_bool(get("WEBHOOK_ALLOW_PRIVATE_ADDRESSES"), default.allow_private),
        log_retention_days=int(get("WEBHOOK_LOG_RETENTION_DAYS") or default.log_retention_days),
    )
