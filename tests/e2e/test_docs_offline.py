"""The API docs render in a real browser with no network and no CDN (issue 21 item 13).

The app is served without its lifespan: the docs and the schema need no database.
"""

from __future__ import annotations

import json
import subprocess
import threading
import time
from urllib.parse import urlsplit

import uvicorn

from matdiscover.api.app import create_app
from matdiscover.settings import Settings
from tests.e2e.conftest import REPO, free_port, require_browser


def test_swagger_ui_and_redoc_render_offline() -> None:
    require_browser()
    app = create_app(Settings(database_url="postgresql://docs-only@localhost/none"))
    port = free_port()
    config = uvicorn.Config(app, port=port, log_level="warning", lifespan="off")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        deadline = time.monotonic() + 30
        while not server.started and time.monotonic() < deadline:
            time.sleep(0.05)
        base = f"http://127.0.0.1:{port}"
        proc = subprocess.run(
            ["node", str(REPO / "tests/e2e/docs_offline.mjs"), base],
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
    finally:
        server.should_exit = True
        thread.join(10)
    assert proc.returncode == 0, proc.stderr[-3000:]
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    assert result["swaggerOperations"] > 20 and "MatDiscover" in result["swaggerTitle"]
    assert result["redocOperations"] > 20 and "MatDiscover" in result["redocTitle"]
    assert f"{base}/api/v1/openapi.json" in result["requests"]
    foreign = {
        u
        for u in result["requests"]
        if urlsplit(u).netloc != f"127.0.0.1:{port}" and not u.startswith("blob:")
    }
    # ReDoc's footer logo (a CDN address in its bundle) is served from here too
    assert foreign == set(), foreign
    assert result["cspViolations"] == []
    assert result["consoleErrors"] == [], result["consoleErrors"]
