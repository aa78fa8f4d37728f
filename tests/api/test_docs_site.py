"""``/docs``: the built documentation site served by the service, or a page saying how to build
it; never a file outside the site, never a script the page's policy does not name."""

from __future__ import annotations

import base64
import hashlib
from pathlib import Path

from litestar import Litestar
from litestar.testing import TestClient

from api.docs_site import create_docs_router

INLINE = "__md_scope=new URL('.',location)"


def _client(site: Path) -> TestClient[Litestar]:
    return TestClient(Litestar(route_handlers=[create_docs_router(site)]))


def _site(tmp_path: Path) -> Path:
    site = tmp_path / "site"
    (site / "guide").mkdir(parents=True)
    (site / "index.html").write_text(
        f'<html><script>{INLINE}</script><script id="__config" type="application/json">{{}}'
        "</script><script src='assets/app.js'></script></html>"
    )
    (site / "guide" / "index.html").write_text("<html>guide</html>")
    (site / "404.html").write_text("<html>introuvable</html>")
    (site / "app.js").write_text("console.log(1)")
    (tmp_path / "secret.txt").write_text("not for the web")
    return site


def test_docs_redirects_to_the_directory_url_its_relative_links_need(tmp_path: Path) -> None:
    with _client(_site(tmp_path)) as client:
        answer = client.get("/docs", follow_redirects=False)
    assert answer.status_code == 308
    assert answer.headers["location"] == "/docs/"


def test_a_page_is_served_with_the_hash_of_its_inline_script_and_no_other_host(
    tmp_path: Path,
) -> None:
    with _client(_site(tmp_path)) as client:
        answer = client.get("/docs/")
    assert answer.status_code == 200
    policy = answer.headers["content-security-policy"]
    digest = base64.b64encode(hashlib.sha256(INLINE.encode()).digest()).decode()
    assert f"'sha256-{digest}'" in policy
    assert "unsafe-inline" not in policy.split("style-src")[0]
    assert "http" not in policy
    assert policy.count("'sha256-") == 1  # the JSON block is data, not a script


def test_a_directory_serves_its_index_and_a_file_its_type(tmp_path: Path) -> None:
    with _client(_site(tmp_path)) as client:
        page = client.get("/docs/guide/")
        script = client.get("/docs/app.js")
    assert page.text == "<html>guide</html>"
    assert script.headers["content-type"].startswith("text/javascript")


def test_a_path_outside_the_site_is_the_sites_404(tmp_path: Path) -> None:
    with _client(_site(tmp_path)) as client:
        escaped = client.get("/docs/..%2Fsecret.txt")
        missing = client.get("/docs/nowhere/")
    assert escaped.status_code == 404 and "not for the web" not in escaped.text
    assert missing.status_code == 404 and "introuvable" in missing.text


def test_an_unbuilt_site_answers_how_to_build_it(tmp_path: Path) -> None:
    with _client(tmp_path / "absent") as client:
        answer = client.get("/docs/")
    assert answer.status_code == 503
    assert "make docs" in answer.text and "The documentation is not built" in answer.text


def test_docs_is_not_in_the_api_schema(tmp_path: Path) -> None:
    with _client(_site(tmp_path)) as client:
        paths = client.get("/schema/openapi.json").json()["paths"]
    assert not [path for path in paths if path.startswith("/docs")]
