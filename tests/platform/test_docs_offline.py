"""API docs: served from this server only (no CDN), on in local mode, off by default in
server mode (issue 21 item 13)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from matdiscover.api.app import create_app
from matdiscover.settings import Settings
from tests.platform.tenants import server_settings

DOC_PAGES = ("/docs", "/redoc")
SCHEMA = "/api/v1/openapi.json"


def asset_urls(page: str) -> list[str]:
    return re.findall(r'(?:src|href|spec-url|data-openapi-url)="([^"]+)"', page)


def test_docs_pages_load_everything_from_this_server(client: TestClient) -> None:
    for path in DOC_PAGES:
        r = client.get(path)
        assert r.status_code == 200, path
        assert "http" not in r.text.lower(), f"{path} refers to another host"
        urls = asset_urls(r.text)
        assert urls and all(u.startswith("/") and not u.startswith("//") for u in urls), urls
        for url in urls:
            assert client.get(url).status_code == 200, url
        # no CDN, so no exception from the UI's Content-Security-Policy
        csp = r.headers["content-security-policy"]
        assert "script-src 'self';" in csp and "unsafe-inline" not in csp.split("style-src")[0]
        assert "<script>" not in r.text  # every script is a file: no inline code
    swagger = client.get("/docs").text
    assert "/docs/assets/swagger-ui-bundle.js" in swagger and SCHEMA in swagger
    init = client.get("/docs/assets/swagger-init.js")
    assert init.headers["content-type"].startswith("text/javascript")
    assert "SwaggerUIBundle(" in init.text
    assert "/docs/assets/redoc.standalone.js" in client.get("/redoc").text
    redoc = client.get("/docs/assets/redoc.standalone.js")
    assert redoc.headers["content-type"].startswith("text/javascript")
    assert "cdn.redoc.ly" not in redoc.text and "/docs/assets/favicon.png" in redoc.text
    schema = client.get(SCHEMA)
    assert schema.status_code == 200 and schema.json()["info"]["title"] == "MatDiscover"


def test_docs_are_off_by_default_in_server_mode(db_url: str, tmp_path: Path) -> None:
    with TestClient(create_app(server_settings(db_url, tmp_path))) as c:
        for path in (*DOC_PAGES, SCHEMA, "/docs/assets/swagger-ui-bundle.js"):
            r = c.get(path)
            assert r.status_code == 404, path
            assert "swagger" not in r.text.lower() and "openapi" not in r.text.lower()
        assert c.get("/api/v1/health").status_code == 200
        # the schema is still built for the generated client and the tests
        assert "/api/v1/materials" in c.app.openapi()["paths"]  # type: ignore[attr-defined]


@pytest.mark.parametrize(("mode", "expected"), [("on", 200), ("off", 404)])
def test_api_docs_setting(db_url: str, tmp_path: Path, mode: str, expected: int) -> None:
    for settings in (
        server_settings(db_url, tmp_path, api_docs=mode),
        Settings(database_url=db_url, data_dir=tmp_path / "data", api_docs=mode),  # type: ignore[arg-type]
    ):
        with TestClient(create_app(settings)) as c:
            for path in (*DOC_PAGES, SCHEMA):
                assert c.get(path).status_code == expected, (mode, settings.auth, path)


def test_docs_assets_keep_static_caching(client: TestClient) -> None:
    css = client.get("/docs/assets/swagger-ui.css")
    assert css.status_code == 200 and "etag" in css.headers
    assert css.headers.get("cache-control") != "no-store"
    assert client.get("/docs/assets/no-such-file.js").status_code == 404
