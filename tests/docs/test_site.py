"""The documentation site (``docs/``, ``mkdocs.yml``): it builds strictly, and the integration
guide's curl examples get the answers the guide documents from the real service."""

from __future__ import annotations

import asyncio
import json
import os
import re
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.engine import URL

from scheduler.identity import credentials
from scheduler.platform import Actor, Database
from tests.live import LiveServer, running_service

ROOT = Path(__file__).resolve().parents[2]
GUIDE = ROOT / "docs" / "integrer.md"
MKDOCS = ROOT / ".venv" / "bin" / "mkdocs"
SHELL_BLOCK = re.compile(r"```sh\n(?P<body>.*?)```", re.S)
EXPECTED = re.compile(r"^# → (?P<status>\d{3})(?P<shape>.*)$", re.M)
ASSIGNED = re.compile(r"^([A-Z][A-Z_]*)=", re.M)


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    site = tmp_path_factory.mktemp("site")
    done = subprocess.run(
        [str(MKDOCS), "build", "--strict", "--site-dir", str(site)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env=os.environ | {"NO_MKDOCS_2_WARNING": "1"},
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    return site, done.stderr + done.stdout


def test_the_site_builds_strictly_without_a_warning(built: tuple[Path, str]) -> None:
    site, output = built
    assert "WARNING" not in output, output
    for page in ("faisabilite", "integrer", "mentors", "formation", "exploitation"):
        assert (site / page / "index.html").is_file()


def test_the_settings_table_is_generated_into_the_operations_page(
    built: tuple[Path, str],
) -> None:
    html = (built[0] / "exploitation" / "index.html").read_text()
    assert "<!-- settings-table -->" not in html
    for variable in ("DATABASE_URL", "TOKEN_KEYS", "WEBHOOK_DISABLE_AFTER"):
        assert f"<code>{variable}</code>" in html


def test_no_page_loads_anything_from_another_host(built: tuple[Path, str]) -> None:
    loads = re.compile(r"<(?:script|link|img)\b[^>]*\b(?:src|href)=\"(?:https?:)?//", re.I)
    for page in built[0].rglob("*.html"):
        assert not loads.search(page.read_text()), page


# --- the integration guide's curl examples, against the live service ------------------------


def examples() -> list[tuple[str, int, str]]:
    """Each ``sh`` block that runs curl: (its shell text, documented status, documented shape)."""
    found = []
    for block in SHELL_BLOCK.finditer(GUIDE.read_text()):
        body = block["body"]
        if "curl" not in body:
            continue
        expected = EXPECTED.search(body)
        assert expected, f"a curl example documents no answer (# → STATUS …):\n{body}"
        found.append((body, int(expected["status"]), expected["shape"]))
    return found


def keys_of(value: Any) -> set[str]:
    """Every key of the JSON value: of its objects at any depth, of its lists' first item."""
    if isinstance(value, dict):
        return set(value) | {k for v in value.values() for k in keys_of(v)}
    if isinstance(value, list) and value:
        return keys_of(value[0])
    return set()


async def _staff_key(database_url: str) -> str:
    database = Database.from_url(database_url)
    try:
        async with database.session() as session:
            _, raw = await credentials.create_staff_api_key(
                session, "docs examples", Actor.staff("tests")
            )
        return raw
    finally:
        await database.dispose()


@pytest.fixture(scope="module")
def service(postgres_admin_url: URL, template_database: str) -> Iterator[LiveServer]:
    # The guide books without the mailed code: the settings that turn it off, as it says.
    with running_service(
        postgres_admin_url,
        template_database,
        "t_docs_examples",
        booking_email_verification=False,
        booking_live_per_email=0,
    ) as live:
        yield live
        _wait_for_quiet_mail(live)


def _wait_for_quiet_mail(live: LiveServer) -> None:
    """Until the booking's mails are sent: stopping the service mid-send leaves a socket open."""
    deadline, last, since = time.monotonic() + 30, -1, time.monotonic()
    while time.monotonic() < deadline:
        count = len(live.smtp.received)
        if count != last:
            last, since = count, time.monotonic()
        elif count and time.monotonic() - since > 2:
            return
        time.sleep(0.2)


def test_every_curl_example_of_the_integration_guide_gets_its_documented_answer(
    service: LiveServer, tmp_path: Path
) -> None:
    state = tmp_path / "state.sh"
    state.write_text("")
    body, status = tmp_path / "body", tmp_path / "status"
    env = os.environ | {
        "THOTIS": service.url,
        "THOTIS_KEY": asyncio.run(_staff_key(service.database_url)),
    }
    cases = examples()
    assert len(cases) >= 8
    names = sorted({name for text, _, _ in cases for name in ASSIGNED.findall(text)})
    for text, expected_status, shape in cases:
        # The block's last curl is its example; the lines before it prepare it (and keep their
        # variables for the next blocks, as a reader's shell would).
        head, _, tail = text.rpartition("curl ")
        script = (
            f"set -euo pipefail\nsource {state}\n"
            f'__example() {{ curl -o {body} -w "%{{http_code}}" "$@" > {status}; }}\n'
            f"{head}__example {tail}\n"
            + (f"declare -p {' '.join(names)} 2>/dev/null > {state} || true\n" if names else "")
        )
        done = subprocess.run(["bash", "-c", script], env=env, capture_output=True, text=True)
        assert done.returncode == 0, f"{text}\n{done.stderr}"
        answer = body.read_text()
        assert int(status.read_text()) == expected_status, f"{text}\n{answer}"
        documented_keys = set(re.findall(r'"([a-z_]+)":', shape))
        if documented_keys:
            value = json.loads(answer)
            assert documented_keys <= keys_of(value), f"{text}\n{answer}"
            code = re.search(r'"code": "([a-z_]+)"', shape)
            if code:
                assert value["code"] == code[1], f"{text}\n{answer}"
