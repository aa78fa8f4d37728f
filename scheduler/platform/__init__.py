"""What every domain shares and none owns: settings, the clock, the database and its sessions,
the raw driver path, transactions, outage detection, the error tree, the model base, audit, the
outbox, the worker loop, migrations and the embedded PostgreSQL. Imports no domain."""

from scheduler.platform import rate_limits
from scheduler.platform.actor import Actor
from scheduler.platform.audit import AuditEntry, audit_values, record
from scheduler.platform.backup import BackupError, backup, restore
from scheduler.platform.clock import Clock, system_clock
from scheduler.platform.databases import create_database, drop_database, libpq_params
from scheduler.platform.db import Database, normalize_url, url_to_string
from scheduler.platform.driver import compiled, driver_connection, fetch_all, fetch_committed
from scheduler.platform.embedded_db import EmbeddedPostgres
from scheduler.platform.embedded_host import EmbeddedPostgresError
from scheduler.platform.errors import (
    BookingGone,
    BookingNotLive,
    DatabaseUnavailable,
    EmailBlocked,
    EmailVerificationRequired,
    IdempotencyConflict,
    InvalidToken,
    MentorUnavailable,
    NotFound,
    OutsideAvailability,
    SchedulingError,
    SlotTaken,
    TokenExpired,
    TooManyHolds,
    TooManyLiveBookings,
    TooManyVerifications,
    ValidationFailed,
    VerificationCodeWrong,
    VerificationExpired,
)
from scheduler.platform.language import Language
from scheduler.platform.locks import SEED_LOCK, advisory_lock
from scheduler.platform.logs import config as logging_config
from scheduler.platform.logs import configure as configure_logging
from scheduler.platform.migrations import MIGRATION_LOCK, upgrade
from scheduler.platform.models import Base, one_of, server_now, sql_literal, uuid_pk
from scheduler.platform.outage import OUTAGE_ERRORS, database_outage, first_line
from scheduler.platform.outbox import (
    OutboxMessage,
    OutboxRow,
    OutboxStatus,
    PermanentDeliveryError,
    ReconnectRequired,
)
from scheduler.platform.production import check as check_production
from scheduler.platform.production import report as report_production
from scheduler.platform.rate_limits import BookingLimits, Limit, booking_limits
from scheduler.platform.settings import (
    PROJECT_ROOT,
    AccessSettings,
    BrandSettings,
    DatabaseSettings,
    GoogleSettings,
    HttpSettings,
    OpsSettings,
    PrivacySettings,
    SecretsSettings,
    Settings,
    SmtpSettings,
    VideoSettings,
    WebhookSettings,
    WorkerSettings,
)
from scheduler.platform.tokens import Sealer, digest, new_secret, same_digest
from scheduler.platform.transactions import (
    IDEMPOTENCY_KEY_CONSTRAINT,
    INTEGRITY_ERRORS,
    constraint_name,
    rejected_value,
    translate_integrity_error,
    unit_of_work,
)
from scheduler.platform.worker import PeriodicJob, Worker

__all__ = [
    "IDEMPOTENCY_KEY_CONSTRAINT",
    "INTEGRITY_ERRORS",
    "MIGRATION_LOCK",
    "OUTAGE_ERRORS",
    "PROJECT_ROOT",
    "SEED_LOCK",
    "AccessSettings",
    "Actor",
    "AuditEntry",
    "BackupError",
    "Base",
    "BookingGone",
    "BookingLimits",
    "BookingNotLive",
    "BrandSettings",
    "Clock",
    "Database",
    "DatabaseSettings",
    "DatabaseUnavailable",
    "EmailBlocked",
    "EmailVerificationRequired",
    "EmbeddedPostgres",
    "EmbeddedPostgresError",
    "GoogleSettings",
    "HttpSettings",
    "IdempotencyConflict",
    "InvalidToken",
    "Language",
    "Limit",
    "MentorUnavailable",
    "NotFound",
    "OpsSettings",
    "OutboxMessage",
    "OutboxRow",
    "OutboxStatus",
    "OutsideAvailability",
    "PeriodicJob",
    "PermanentDeliveryError",
    "PrivacySettings",
    "ReconnectRequired",
    "SchedulingError",
    "Sealer",
    "SecretsSettings",
    "Settings",
    "SlotTaken",
    "SmtpSettings",
    "TokenExpired",
    "TooManyHolds",
    "TooManyLiveBookings",
    "TooManyVerifications",
    "ValidationFailed",
    "VerificationCodeWrong",
    "VerificationExpired",
    "VideoSettings",
    "WebhookSettings",
    "Worker",
    "WorkerSettings",
    "advisory_lock",
    "audit_values",
    "backup",
    "booking_limits",
    "check_production",
    "compiled",
    "configure_logging",
    "constraint_name",
    "create_database",
    "database_outage",
    "digest",
    "driver_connection",
    "drop_database",
    "fetch_all",
    "fetch_committed",
    "first_line",
    "libpq_params",
    "logging_config",
    "new_secret",
    "normalize_url",
    "one_of",
    "rate_limits",
    "record",
    "rejected_value",
    "report_production",
    "restore",
    "same_digest",
    "server_now",
    "sql_literal",
    "system_clock",
    "translate_integrity_error",
    "unit_of_work",
    "upgrade",
    "url_to_string",
    "uuid_pk",
]
