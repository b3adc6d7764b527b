"""Interactive API docs (Swagger UI at ``/docs``, ReDoc at ``/redoc``) served offline.

The Swagger UI and ReDoc bundles come from the ``fastapi-offline`` package and are served
from ``/docs/assets/``: no CDN, so the pages work without a network and under the same
Content-Security-Policy as the UI (no inline script: Swagger UI starts from a small
script file that reads the schema URL from the page).
"""

from __future__ import annotations

import html
from pathlib import Path

import fastapi_offline
from fastapi import FastAPI
from fastapi.responses import HTMLResponse, Response
from fastapi.staticfiles import StaticFiles

ASSETS_URL = "/docs/assets"
ASSETS_DIR = Path(fastapi_offline.__file__).parent / "static"
# ReDoc's "API docs by Redocly" footer always loads its logo from a CDN; the bundle is
# served with that address pointing at a local icon, so the page makes no foreign request
REDOCLY_CDN_LOGO = "https://cdn.redoc.ly/redoc/logo-mini.svg"

SWAGGER_INIT_JS = """\
const root = document.getElementById("swagger-ui");
window.ui = SwaggerUIBundle({
  url: root.dataset.openapiUrl,
  dom_id: "#swagger-ui",
  layout: "BaseLayout",
  deepLinking: true,
  showExtensions: true,
  showCommonExtensions: true,
  presets: [SwaggerUIBundle.presets.apis, SwaggerUIBundle.SwaggerUIStandalonePreset],
});
"""

_SWAGGER_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{title} - Swagger UI</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="icon" type="image/png" href="{assets}/favicon.png">
<link rel="stylesheet" href="{assets}/swagger-ui.css"></head>
<body><div id="swagger-ui" data-openapi-url="{openapi_url}"></div>
<script src="{assets}/swagger-ui-bundle.js"></script>
<script src="{assets}/swagger-init.js"></script></body></html>
"""

_REDOC_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{title} - ReDoc</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="icon" type="image/png" href="{assets}/favicon.png"></head>
<body><redoc spec-url="{openapi_url}"></redoc>
<script src="{assets}/redoc.standalone.js"></script></body></html>
"""


def mount_api_docs(app: FastAPI, *, openapi_url: str) -> None:
    """Add ``/docs``, ``/redoc`` and their assets; call before the UI's catch-all route."""
    fields = {
        "title": html.escape(app.title),
        "assets": ASSETS_URL,
        "openapi_url": html.escape(openapi_url),
    }
    swagger_page = _SWAGGER_PAGE.format(**fields)
    redoc_page = _REDOC_PAGE.format(**fields)

    @app.get(f"{ASSETS_URL}/swagger-init.js", include_in_schema=False)
    def swagger_init() -> Response:
        return Response(SWAGGER_INIT_JS, media_type="text/javascript")

    redoc_bundle = (ASSETS_DIR / "redoc.standalone.js").read_text(encoding="utf-8")
    redoc_bundle = redoc_bundle.replace(REDOCLY_CDN_LOGO, f"{ASSETS_URL}/favicon.png")

    @app.get(f"{ASSETS_URL}/redoc.standalone.js", include_in_schema=False)
    def redoc_script() -> Response:
        return Response(
            redoc_bundle,
            media_type="text/javascript",
            headers={"Cache-Control": "public, max-age=3600"},
        )

    app.mount(ASSETS_URL, StaticFiles(directory=ASSETS_DIR), name="api-docs-assets")

    @app.get("/docs", include_in_schema=False)
    def swagger_ui() -> HTMLResponse:
        return HTMLResponse(swagger_page)

    @app.get("/redoc", include_in_schema=False)
    def redoc() -> HTMLResponse:
        return HTMLResponse(redoc_page)
