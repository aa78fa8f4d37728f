"""The start-up check: anything goes on a loopback PUBLIC_URL; elsewhere, no development secret,
no plain http, no missing SMTP — and `serve` / `worker` refuse to start (exit code 2)."""

from __future__ import annotations

import io
import os
import subprocess
import sys

import pytest
from cryptography.fernet import Fernet

from scheduler.platform import PROJECT_ROOT, Settings, production
from testkit.settings import changed, settings_of

GOOD = settings_of(
    database_url="postgresql://thotis:pw@postgres/thotis",
    public_url="https://rendez-vous.thotis.fr",
    secret_key="k" * 64,
    token_keys=(Fernet.generate_key().decode(),),
    smtp_host="smtp.example.org",
    google_client_id="id.apps.googleusercontent.com",
    google_client_secret="google-secret",
)


def _settings(**changes: object) -> Settings:
    return changed(GOOD, **changes)


def _flagged(findings: tuple[production.Finding, ...]) -> set[str]:
    return {finding.setting for finding in findings}


@pytest.mark.parametrize(
    "url", ["http://127.0.0.1:8000", "http://localhost:8000", "http://[::1]:8000"]
)
def test_a_loopback_service_may_run_with_the_development_defaults(url: str) -> None:
    verdict = production.check(settings_of(public_url=url))
    assert not verdict.public and not verdict.refused and verdict.warnings == ()


def test_a_public_service_with_the_defaults_is_refused_for_each_missing_setting() -> None:
    verdict = production.check(settings_of(public_url="http://rendez-vous.thotis.fr"))
    assert verdict.public and verdict.refused
    assert _flagged(verdict.problems) == {"SECRET_KEY", "TOKEN_KEYS", "PUBLIC_URL", "SMTP_HOST"}
    assert _flagged(verdict.warnings) == {"GOOGLE_CLIENT_ID, GOOGLE_CLIENT_SECRET", "DATABASE_URL"}
    for finding in verdict.problems:
        assert finding.french and finding.english and finding.french != finding.english


def test_a_complete_configuration_starts_without_a_word() -> None:
    assert production.check(GOOD) == production.Verdict(public=True, problems=(), warnings=())
    assert production.report(production.check(GOOD), io.StringIO()) == 0


def test_a_short_secret_or_a_key_that_is_not_fernet_is_refused() -> None:
    short = production.check(_settings(secret_key="motdepasse2026"))
    assert _flagged(short.problems) == {"SECRET_KEY"}
    assert "32" in short.problems[0].english
    typed = production.check(_settings(token_keys=(GOOD.secrets.token_keys[0], "not-a-fernet-key")))
    assert _flagged(typed.problems) == {"TOKEN_KEYS"}


def test_google_missing_is_only_a_warning() -> None:
    verdict = production.check(_settings(google_client_id=None))
    assert not verdict.refused
    out = io.StringIO()
    assert production.report(verdict, out) == 0
    assert "GOOGLE_CLIENT_ID" in out.getvalue() and "attention / warning" in out.getvalue()


def test_the_report_says_why_in_french_then_english_and_gives_exit_code_2() -> None:
    out = io.StringIO()
    code = production.report(production.check(_settings(public_url="http://thotis.fr")), out)
    assert code == production.REFUSED_EXIT_CODE == 2
    text = out.getvalue()
    assert text.index("Démarrage refusé") < text.index("Refusing to start")
    assert "PUBLIC_URL: doit commencer par https://" in text


def test_the_new_settings_come_from_the_environment() -> None:
    settings = Settings.from_env(
        {"FORWARDED_ALLOW_IPS": "10.0.0.0/8", "WEB_CONCURRENCY": "4", "LOG_FORMAT": "JSON"}
    )
    assert settings.http.forwarded_allow_ips == "10.0.0.0/8"
    assert settings.http.web_concurrency == 4
    assert settings.ops.log_format == "json"
    assert Settings.from_env({}).http.forwarded_allow_ips == "127.0.0.1"


@pytest.mark.parametrize("command", ["serve", "worker"])
def test_serve_and_worker_refuse_to_start_in_public_with_development_secrets(
    command: str,
) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SMTP_", "GOOGLE_"))}
    env.update(PUBLIC_URL="https://rendez-vous.thotis.fr", SECRET_KEY="", TOKEN_KEYS="")
    env["DATABASE_URL"] = "postgresql://nobody@127.0.0.1:1/none"  # never reached
    done = subprocess.run(
        [sys.executable, "-m", "api", command],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2, done.stderr
    assert "Démarrage refusé" in done.stderr and "Refusing to start" in done.stderr
    for setting in ("SECRET_KEY", "TOKEN_KEYS", "SMTP_HOST"):
        assert setting in done.stderr
    assert "Applying migrations" not in done.stderr
