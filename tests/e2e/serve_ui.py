"""``matdiscover serve`` with the web UI wired in, for the end-to-end tests.

Once ``api/app.py`` includes the visualisation router and mounts the frontend this
is exactly ``matdiscover serve``; before that, it adds both to the app it serves.
Usage: python tests/e2e/serve_ui.py serve --port 8765 --data-dir DIR
"""

from __future__ import annotations

import sys
from typing import Any

from fastapi import FastAPI

import matdiscover.api.app as app_module
from matdiscover.cli.main import app as cli


def _patched_create_app(original: Any) -> Any:
    def create_app(*args: Any, **kwargs: Any) -> FastAPI:
        app: FastAPI = original(*args, **kwargs)
        paths = {getattr(r, "path", "") for r in app.routes}
        if "/api/v1/materials/{material_id}/scene" not in paths:
            from matdiscover.domains.visualization import router as visualization_router

            app.include_router(visualization_router.router, prefix=app_module.API_PREFIX)
        if "/{path:path}" not in paths:
            from matdiscover.api.frontend import mount_frontend

            mount_frontend(app)
        return app

    return create_app


if __name__ == "__main__":
    app_module.create_app = _patched_create_app(app_module.create_app)  # type: ignore[assignment]
    sys.exit(cli())
