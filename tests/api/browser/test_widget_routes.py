"""The widget's HTTP surface without a browser: caching, SRI, size budget, escaping, and the
rule that the routes module only serves files (no services, no database)."""

from __future__ import annotations

import ast
import base64
import gzip
import hashlib
import json
import shutil
import subprocess
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

from api.widget import routes
from api.widget.assets import CSS_PLACEHOLDER, STATIC_DIR, assemble, build_bundle, compact_css
from api.widget.routes import SCRIPT_PATH, create_widget_router
from testkit.settings import settings_of

GZIP_BUDGET = 30 * 1024


@pytest.fixture
async def client() -> AsyncIterator[AsyncTestClient[Litestar]]:
    app = Litestar([create_widget_router(settings_of(personal_data_retention_days=42))])
    async with AsyncTestClient(app) as test_client:
        yield test_client


async def test_script_is_immutable_with_an_etag(client: AsyncTestClient[Litestar]) -> None:
    res = await client.get(SCRIPT_PATH)
    assert res.status_code == 200
    assert res.headers["content-type"].startswith("text/javascript")
    assert res.headers["cache-control"] == "public, max-age=31536000, immutable"
    assert res.headers["access-control-allow-origin"] == "*"
    etag = res.headers["etag"]
    assert etag.startswith('"') and etag.endswith('"')
    assert CSS_PLACEHOLDER.encode() not in res.content
    assert b"--thotis-primary" in res.content  # the styles travel inside the script

    again = await client.get(SCRIPT_PATH, headers={"If-None-Match": f'"other", W/{etag}'})
    assert again.status_code == 304
    assert again.content == b""
    assert again.headers["etag"] == etag
    changed = await client.get(SCRIPT_PATH, headers={"If-None-Match": '"stale"'})
    assert changed.status_code == 200


async def test_integrity_matches_the_served_bytes(client: AsyncTestClient[Litestar]) -> None:
    body = (await client.get(SCRIPT_PATH)).content
    expected = "sha384-" + base64.b64encode(hashlib.sha384(body).digest()).decode()
    info = (await client.get("/widget/v1/integrity.json")).json()
    assert info["integrity"] == expected
    assert info["bytes"] == len(body)
    assert info["script"].endswith(SCRIPT_PATH)
    assert f'integrity="{expected}"' in info["snippet"]
    demo = (await client.get("/demo")).text
    assert f'src="{SCRIPT_PATH}" integrity="{expected}" crossorigin="anonymous"' in demo
    assert f"Subresource Integrity (sha384): {expected}" in demo


async def test_script_and_styles_fit_the_gzip_budget(client: AsyncTestClient[Litestar]) -> None:
    body = (await client.get(SCRIPT_PATH)).content
    assert len(gzip.compress(body, compresslevel=6)) < GZIP_BUDGET
    assert build_bundle().gzip_size < GZIP_BUDGET


@pytest.mark.skipif(shutil.which("node") is None, reason="node is installed by .ci/run")
def test_served_script_parses(tmp_path: Path) -> None:
    bundle = tmp_path / "thotis-widget.js"
    bundle.write_bytes(build_bundle().body)
    result = subprocess.run(["node", "--check", str(bundle)], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


async def test_manage_page_escapes_the_token_and_is_private(
    client: AsyncTestClient[Litestar],
) -> None:
    res = await client.get('/manage/"><img src=x onerror=alert(1)>')
    assert res.status_code == 200
    assert "<img src=x" not in res.text
    assert 'token="&#34;&gt;&lt;img src=x onerror=alert(1)&gt;"' in res.text
    assert res.headers["cache-control"] == "no-store"
    assert res.headers["referrer-policy"] == "no-referrer"
    assert "noindex" in res.headers["x-robots-tag"]
    assert "script-src 'self'" in res.headers["content-security-policy"]
    ok = await client.get("/manage/abc123?lang=en")
    assert '<thotis-manage token="abc123" lang="en">' in ok.text


async def test_privacy_text_states_the_retention(client: AsyncTestClient[Litestar]) -> None:
    fr = (await client.get("/privacy")).text
    assert "42 jours après l’échange" in fr
    assert "prénom" in fr and "moins de 15 ans" in fr
    en = (await client.get("/privacy?lang=en")).text
    assert "42 days after the call" in en


async def test_privacy_text_names_the_processors_and_contact_of_the_deployment() -> None:
    """Generated from the settings: the mail provider, Google only when the deployment offers
    it, the Jitsi server, the contact address; and the question kept alone, never the email."""
    plain = settings_of(personal_data_retention_days=30)
    full = settings_of(
        smtp_host="smtp.mailer.example",
        google_client_id="id.apps.googleusercontent.com",
        jitsi_base_url="https://visio.thotis.fr",
        privacy_contact_email="dpo@thotis.fr",
    )
    async with AsyncTestClient(app=Litestar([create_widget_router(plain)])) as client:
        without = (await client.get("/privacy")).text
    async with AsyncTestClient(app=Litestar([create_widget_router(full)])) as client:
        with_all = (await client.get("/privacy")).text
        english = (await client.get("/privacy?lang=en")).text
    assert "Google" not in without and "meet.jit.si" in without and "donnees@thotis.fr" in without
    assert "smtp.mailer.example" in with_all and "Google (Agenda et Meet)" in with_all
    assert "visio.thotis.fr" in with_all and "mailto:dpo@thotis.fr" in with_all
    assert "ta question seule, rangée par filière et par mois" in with_all
    assert "jamais transmise à l’étudiant" in with_all
    assert "never given to the student you talk with" in english


def test_routes_module_serves_files_only() -> None:
    """No service, repository or database import: pages call the JSON API from the browser."""
    tree = ast.parse(Path(routes.__file__).read_text(encoding="utf-8"))
    imported = {
        node.module if isinstance(node, ast.ImportFrom) else alias.name
        for node in ast.walk(tree)
        if isinstance(node, ast.Import | ast.ImportFrom)
        for alias in node.names
    }
    allowed = {
        "__future__",
        "pathlib",
        "typing",
        "jinja2",
        "litestar",
        "litestar.enums",
        "api.widget.assets",
        "api.widget.privacy_facts",
        "scheduler.platform",
        "re",
        "uuid",
        # Constants only: the addresses the mails name (logo, book again) and the slug shape.
        "integrations.messages",
        "scheduler.catalog",
    }
    assert imported <= allowed, imported - allowed


def test_assemble_needs_exactly_one_placeholder() -> None:
    with pytest.raises(ValueError):
        assemble("const CSS = '';", "a{}")
    script = (STATIC_DIR / "thotis-widget.js").read_text(encoding="utf-8")
    body = assemble(script, ".a  {  color : red ; }\n/* gone */ .b .c{x:y}")
    assert json.dumps(".a{color : red;}.b .c{x:y}").encode() in body
    assert compact_css(".root :focus-visible { a: b }") == ".root :focus-visible{a: b}"


def test_the_served_script_carries_the_apis_limits() -> None:
    from api.schemas import FIELD_LIMITS
    from api.widget.assets import build_bundle

    body = build_bundle().body.decode()
    assert "@thotis-limits" not in body
    assert f"const LIMITS = {json.dumps(FIELD_LIMITS, sort_keys=True)};" in body
