"""``mount_frontend`` without a database: built and not-built UI, SPA fallback, safety."""

from __future__ import annotations

import tempfile
from pathlib import Path

from fastapi import APIRouter, FastAPI
from fastapi.testclient import TestClient

from matdiscover.api.frontend import mount_frontend


def _app(dist: Path) -> FastAPI:
    app = FastAPI(docs_url="/docs")
    api = APIRouter(prefix="/api/v1")

    @api.get("/health")
    def health() -> dict[str, str]:
        return {"status": "ok"}

    app.include_router(api)
    mount_frontend(app, dist=dist)
    return app


def test_not_built_explains_how_to_build() -> None:
    client = TestClient(_app(Path(tempfile.mkdtemp()) / "missing"))
    r = client.get("/")
    assert r.status_code == 200 and "make frontend" in r.text
    assert client.get("/api/v1/health").json() == {"status": "ok"}
    assert client.get("/api/v1/nope").status_code == 404


def test_built_app_with_spa_fallback() -> None:
    dist = Path(tempfile.mkdtemp())
    (dist / "assets").mkdir()
    (dist / "index.html").write_text("<div id=root></div>", encoding="utf-8")
    (dist / "assets" / "app.js").write_text("console.log(1)", encoding="utf-8")
    (dist.parent / "secret.txt").write_text("no", encoding="utf-8")
    client = TestClient(_app(dist))
    assert client.get("/").text == "<div id=root></div>"
    assert client.get("/materials/12").text == "<div id=root></div>"
    js = client.get("/assets/app.js")
    assert js.status_code == 200 and "immutable" in js.headers["cache-control"]
    assert client.get("/assets/missing.js").status_code == 404
    assert client.get("/favicon.ico").status_code == 404
    assert client.get("/api/v1/missing").status_code == 404
    assert client.get("/api").status_code == 404
    assert client.get("/docs").status_code == 200
    # no escaping the dist directory
    assert client.get("/..%2Fsecret.txt").text != "no"
