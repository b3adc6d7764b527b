"""Serve the built web UI (``frontend/dist``) at ``/`` with a single-page-app fallback.

Client routes such as ``/materials/12`` return ``index.html``; files under
``/assets`` are served with long cache lifetimes. ``/api`` and ``/docs`` are never
shadowed: unknown paths below them stay 404 JSON responses from the API. When the
UI has not been built, ``/`` explains how to build it.
"""

from __future__ import annotations

import logging
from pathlib import Path

from fastapi import FastAPI, HTTPException, Request
from fastapi.responses import FileResponse, HTMLResponse, Response

logger = logging.getLogger(__name__)

#: ``frontend/dist`` of a source checkout (src/matdiscover/api/frontend.py -> repo root).
DEFAULT_DIST = Path(__file__).resolve().parents[3] / "frontend" / "dist"
RESERVED_PREFIXES = ("api/", "docs", "redoc", "openapi.json")

_NOT_BUILT = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>MatDiscover</title></head>
<body style="font-family: system-ui, sans-serif; max-width: 40rem; margin: 3rem auto">
<h1>MatDiscover</h1>
<p>The API is running, but the web UI has not been built.</p>
<p>Build it with <code>make frontend</code> (or <code>cd frontend &amp;&amp; npm ci &amp;&amp;
npm run build</code>) and reload this page. <code>make run</code> does this for you.</p>
<p>Meanwhile: <a href="/docs">API documentation</a>.</p>
</body></html>
"""


def mount_frontend(app: FastAPI, *, dist: Path | None = None) -> None:
    """Add the UI routes to ``app``; call after the API routers are included."""
    root = (dist or DEFAULT_DIST).resolve()

    @app.get("/", include_in_schema=False, response_model=None)
    def index() -> Response:
        page = root / "index.html"
        if not page.is_file():
            return HTMLResponse(_NOT_BUILT)
        return FileResponse(page, headers={"Cache-Control": "no-cache"})

    @app.get("/{path:path}", include_in_schema=False, response_model=None)
    def spa(path: str, request: Request) -> Response:
        if path.startswith(RESERVED_PREFIXES) or path == "api":
            raise HTTPException(status_code=404, detail="Not Found")
        page = root / "index.html"
        if not page.is_file():
            return HTMLResponse(_NOT_BUILT, status_code=404 if "." in path else 200)
        candidate = (root / path).resolve()
        if candidate.is_relative_to(root) and candidate.is_file():
            cache = (
                "public, max-age=31536000, immutable" if path.startswith("assets/") else "no-cache"
            )
            return FileResponse(candidate, headers={"Cache-Control": cache})
        if path.startswith("assets/") or "." in Path(path).name:
            raise HTTPException(status_code=404, detail="Not Found")
        return FileResponse(page, headers={"Cache-Control": "no-cache"})
