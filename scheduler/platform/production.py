"""Is this configuration fit to face the Internet?

``serve`` and ``worker`` call :func:`check` before anything else. On a loopback ``PUBLIC_URL``
(a developer's machine, the tests) everything is allowed; anywhere else, the development
defaults would sign links with a secret published in this repository, keep Google tokens under a
key derived from it, send sign-in links over plain http and write mail to a folder nobody reads,
so the process refuses to start instead (exit code 2), naming every missing setting at once.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from typing import TextIO
from urllib.parse import urlsplit

from scheduler.platform.settings import Settings

# A generated secret (Coolify's SERVICE_BASE64_64_*, `openssl rand -base64 48`) is far longer;
# a short one is a password somebody typed.
MIN_SECRET_LENGTH = 32
REFUSED_EXIT_CODE = 2
_DEV_SECRET = Settings().secrets.secret_key


@dataclass(frozen=True, slots=True)
class Finding:
    """One setting to fix, said in French then in English."""

    setting: str
    french: str
    english: str

    def line(self) -> str:
        return f"{self.setting}: {self.french} / {self.english}"


@dataclass(frozen=True, slots=True)
class Verdict:
    public: bool
    problems: tuple[Finding, ...]
    warnings: tuple[Finding, ...]

    @property
    def refused(self) -> bool:
        return bool(self.problems)


def is_public(settings: Settings) -> bool:
    """Whether the service is meant to be reached by others: PUBLIC_URL is not a loopback one."""
    return not settings.http.loopback


def _fernet_key(key: str) -> bool:
    from cryptography.fernet import Fernet

    try:
        Fernet(key.encode())
    except (ValueError, TypeError):
        return False
    return True


def check(settings: Settings) -> Verdict:
    """The problems that forbid starting and the warnings worth a line, for ``settings``.
    Pure: reads nothing but its argument."""
    if not is_public(settings):
        return Verdict(public=False, problems=(), warnings=())
    problems: list[Finding] = []
    warnings: list[Finding] = []
    if settings.secrets.secret_key == _DEV_SECRET:
        problems.append(
            Finding(
                "SECRET_KEY",
                "c'est la valeur de développement, publique ; générez-en une",
                "it is the development value, which is public; generate one",
            )
        )
    elif len(settings.secrets.secret_key) < MIN_SECRET_LENGTH:
        problems.append(
            Finding(
                "SECRET_KEY",
                f"trop courte (au moins {MIN_SECRET_LENGTH} caractères aléatoires)",
                f"too short (at least {MIN_SECRET_LENGTH} random characters)",
            )
        )
    if not settings.secrets.token_keys:
        problems.append(
            Finding(
                "TOKEN_KEYS",
                "manquante : une ou plusieurs clés Fernet, la plus récente d'abord",
                "missing: one or more Fernet keys, newest first",
            )
        )
    elif not all(_fernet_key(key) for key in settings.secrets.token_keys):
        problems.append(
            Finding(
                "TOKEN_KEYS",
                "une des clés n'est pas une clé Fernet (32 octets en base64 url-safe)",
                "a key is not a Fernet key (32 url-safe base64-encoded bytes)",
            )
        )
    if urlsplit(settings.http.public_url).scheme != "https":
        problems.append(
            Finding(
                "PUBLIC_URL",
                "doit commencer par https:// (les liens de connexion y transitent)",
                "must start with https:// (sign-in links travel through it)",
            )
        )
    if not settings.smtp.host:
        problems.append(
            Finding(
                "SMTP_HOST",
                "manquant : sans serveur SMTP, aucun e-mail ne partirait",
                "missing: without an SMTP server, no email would leave",
            )
        )
    if not (settings.google.client_id and settings.google.client_secret):
        warnings.append(
            Finding(
                "GOOGLE_CLIENT_ID, GOOGLE_CLIENT_SECRET",
                "Google n'est pas configuré : ni connexion Google ni agenda des mentors",
                "Google is not configured: no Google sign-in and no mentors' calendars",
            )
        )
    if not settings.db.url:
        warnings.append(
            Finding(
                "DATABASE_URL",
                "absente : PostgreSQL embarqué, dont les données vivent dans ce conteneur",
                "unset: embedded PostgreSQL, whose data lives in this container",
            )
        )
    return Verdict(public=True, problems=tuple(problems), warnings=tuple(warnings))


def report(verdict: Verdict, stream: TextIO | None = None) -> int:
    """Tell ``verdict`` on ``stream`` (stderr); the exit code to stop with, or 0 to go on."""
    out = stream or sys.stderr
    for finding in verdict.warnings:
        print(f"attention / warning: {finding.line()}", file=out, flush=True)
    if not verdict.refused:
        return 0
    print(
        "Démarrage refusé : cette configuration n'est pas sûre hors de la machine locale.\n"
        "Refusing to start: this configuration is not safe beyond the local machine.",
        file=out,
    )
    for finding in verdict.problems:
        print(f"  - {finding.line()}", file=out)
    print(
        'Voir « Production (Coolify) » dans README.md / See "Production (Coolify)" in README.md.',
        file=out,
        flush=True,
    )
    return REFUSED_EXIT_CODE
