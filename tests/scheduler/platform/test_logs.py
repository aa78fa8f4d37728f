"""Logs: one JSON object per line from every part of `serve` (CLI, uvicorn, the app), and no
secret from a URL, no email address, no client address in them."""

from __future__ import annotations

import json
import logging
import os
import secrets
import subprocess
import sys
import time
import uuid

import httpx

from scheduler.platform import PROJECT_ROOT, Settings, logs
from testkit.settings import settings_of
from testkit.smtp_sink import free_port

TOKEN = secrets.token_urlsafe(32)


def test_redact_hides_the_secrets_of_every_kind_of_link_and_keeps_ids() -> None:
    booking = uuid.uuid4()
    cases = {
        f"/v1/bookings/manage/{TOKEN}/cancel": "/v1/bookings/manage/…/cancel",
        f"/manage/{TOKEN}": "/manage/…",
        f"/mentor/sign-in/link/{TOKEN}": "/mentor/sign-in/link/…",
        f"/v1/feedback/{booking}?token={TOKEN}&helpful=yes": f"/v1/feedback/{booking}?token=…&helpful=yes",
        f"/auth/google/callback?state={TOKEN}&code=4/0Ab": "/auth/google/callback?state=…&code=…",
        f"/v1/somewhere-new/{TOKEN}": "/v1/somewhere-new/…",
        f"/v1/mentors/{booking}/slots?tz=Europe/Paris": f"/v1/mentors/{booking}/slots?tz=Europe/Paris",
        "sent to camille.d+bac@example.fr": "sent to …@…",
    }
    for raw, expected in cases.items():
        assert logs.redact(raw) == expected
        assert logs.redact(expected) == expected


def test_the_access_log_filter_rewrites_uvicorns_record() -> None:
    record = logging.LogRecord(
        "uvicorn.access",
        logging.INFO,
        __file__,
        1,
        '%s - "%s %s HTTP/%s" %d',
        ("203.0.113.9:5123", "GET", f"/manage/{TOKEN}", "1.1", 200),
        None,
    )
    assert logs.RedactSecrets().filter(record)
    line = json.loads(logs.JsonFormatter().format(record))
    assert line["path"] == "/manage/…" and line["status"] == 200 and line["method"] == "GET"
    assert TOKEN not in json.dumps(line) and "203.0.113.9" not in json.dumps(line)


def test_serve_logs_json_lines_without_the_token_of_a_manage_url(database_url: str) -> None:
    port = free_port()
    env = {k: v for k, v in os.environ.items() if k != "THOTIS_DATA_DIR"}
    env.update(
        DATABASE_URL=database_url,
        PORT=str(port),
        LOG_FORMAT="json",
        SEED_DEMO="false",
        EMBEDDED_WORKER="false",
    )
    server = subprocess.Popen(
        [sys.executable, "-m", "api", "serve"],
        cwd=PROJECT_ROOT,
        env=env,
        stderr=subprocess.PIPE,
        text=True,
    )
    booking = uuid.uuid4()
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{base}/readyz", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert server.poll() is None and time.monotonic() < deadline, "serve did not start"
            time.sleep(0.2)
        for path in (
            f"/v1/bookings/manage/{TOKEN}",
            f"/manage/{TOKEN}",
            f"/mentor/sign-in/link/{TOKEN}",
            f"/v1/feedback/{booking}?token={TOKEN}&helpful=yes",
        ):
            httpx.get(f"{base}{path}", timeout=10)
    finally:
        server.terminate()
        _, stderr = server.communicate(timeout=30)
    lines = [json.loads(line) for line in stderr.splitlines() if line.strip()]
    assert TOKEN not in stderr
    assert {line["logger"] for line in lines} >= {"thotis.cli", "uvicorn.access", "uvicorn.error"}
    paths = [line["path"] for line in lines if line["logger"] == "uvicorn.access"]
    assert "/v1/bookings/manage/…" in paths and "/manage/…" in paths
    assert f"/v1/feedback/{booking}?token=…&helpful=yes" in paths


def test_the_format_is_json_beyond_loopback_and_text_on_a_developers_machine() -> None:
    assert logs.log_format(Settings()) == "text"
    assert logs.log_format(settings_of(public_url="https://rendez-vous.thotis.fr")) == "json"
    assert logs.log_format(settings_of(log_format="json")) == "json"
