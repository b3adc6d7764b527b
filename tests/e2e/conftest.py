"""End-to-end fixtures: a real ``matdiscover serve`` (embedded PostgreSQL, API, worker)
on a free port, and Debian's chromium driven by playwright-core (a frontend devDependency).
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest

REPO = Path(__file__).resolve().parents[2]
DIST = REPO / "frontend" / "dist"
ARTIFACTS = REPO / "test-artifacts" / "e2e"
CHROMIUM = Path(os.environ.get("MATDISCOVER_CHROMIUM", "/usr/bin/chromium"))
PLAYWRIGHT = REPO / "frontend" / "node_modules" / "playwright-core"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def require_browser() -> None:
    """Skip only when the browser itself is missing (``make test`` installs it)."""
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is missing: `apt-get install -y chromium` (make test does this)")
    if shutil.which("node") is None:
        pytest.fail("node is not installed; the browser tests drive chromium with playwright-core")
    if not PLAYWRIGHT.is_dir():
        pytest.fail("frontend/node_modules is missing: run `make frontend` (npm ci)")


SERVE = REPO / "tests" / "e2e" / "serve_ui.py"  # the matdiscover CLI


def run_flow(name: str, args: list[str], *, timeout: float) -> dict[str, Any]:
    """Run ``tests/e2e/<name>_flow.mjs ARGS`` (node, playwright-core); its log goes to
    ``<name>-flow.log`` and its record (the last line of its output, one JSON object) to
    ``<name>-result.json`` in the artifacts, and the record is returned."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    proc = subprocess.run(
        ["node", str(REPO / "tests" / "e2e" / f"{name}_flow.mjs"), *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    (ARTIFACTS / f"{name}-flow.log").write_text(proc.stderr, encoding="utf-8")
    assert proc.returncode == 0, proc.stderr[-3000:]
    result: dict[str, Any] = json.loads(proc.stdout.strip().splitlines()[-1])
    (ARTIFACTS / f"{name}-result.json").write_text(json.dumps(result, indent=1), "utf-8")
    return result


def clean_at_both_sizes(flow: dict[str, Any], prefix: str, shots: tuple[str, ...]) -> None:
    """A flow's record shows no failed section, no page problem (CSP, console, request), no
    sideways overflow and no serious axe finding, and its screenshots ``<prefix>-<shot>``
    exist at 1440 and 390 px."""
    assert flow["failures"] == {}, {k: v[:800] for k, v in flow["failures"].items()}
    assert flow["problems"] == [], flow["problems"]
    wide = {k: v["overflow"] for k, v in flow["sizes"].items() if v["overflow"]["overflow"] > 0}
    assert wide == {}, wide
    bad = {k: v["axe"] for k, v in flow["sizes"].items() if v["axe"]}
    assert bad == {}, json.dumps(bad, indent=1)
    for name in shots:
        for width in (1440, 390):
            assert (ARTIFACTS / f"{prefix}-{name}-{width}.png").stat().st_size > 5000


def sections_ok(flow: dict[str, Any], *sections: str) -> None:
    """None of these sections of a flow's record failed (the first 1,500 characters of
    each failure otherwise)."""
    failed = {s: flow["failures"][s][:1500] for s in sections if s in flow["failures"]}
    assert not failed, failed


# These wait for the end of the session server's background reference load (known
# compounds are built last, minutes after start): run them after the other browser tests,
# which then overlap the load instead of waiting behind it.
AFTER_THE_LOAD = (
    "tests/e2e/test_projects_ui.py",
    "tests/e2e/test_compounds_ui.py",
    "tests/e2e/test_training_ui.py",
)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Move the load-dependent browser tests behind the last other browser test."""
    late = [item for item in items if item.nodeid.startswith(AFTER_THE_LOAD)]
    rest = [item for item in items if not item.nodeid.startswith(AFTER_THE_LOAD)]
    others = [i for i, item in enumerate(rest) if item.nodeid.startswith("tests/e2e/")]
    if late and others:
        items[:] = rest[: others[-1] + 1] + late + rest[others[-1] + 1 :]


@contextmanager
def running_server(
    args: list[str], env: dict[str, str], log: Path, *, start_timeout_s: float
) -> Iterator[str]:
    """``matdiscover serve ARGS`` on a free port, logging to ``log``; its base URL once
    ``/health`` answers. Stopped with Ctrl-C (SIGINT) afterwards, like a user would."""
    port = free_port()
    with log.open("ab") as out:
        proc = subprocess.Popen(
            [sys.executable, str(SERVE), "serve", "--port", str(port), *args],
            cwd=REPO,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
        base = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + start_timeout_s
            while True:
                if proc.poll() is not None:
                    pytest.fail(f"server exited with {proc.returncode}; see {log}")
                try:
                    if httpx.get(f"{base}/api/v1/health", timeout=2).status_code == 200:
                        break
                except httpx.HTTPError:
                    pass
                if time.monotonic() > deadline:
                    pytest.fail(f"server did not start in {start_timeout_s:.0f} s; see {log}")
                time.sleep(0.5)
            yield base
        finally:
            proc.send_signal(signal.SIGINT)
            try:
                proc.wait(60)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(10)


@pytest.fixture(scope="session")
def server() -> Iterator[str]:
    """Base URL of a running MatDiscover with a fresh data directory."""
    if not (DIST / "index.html").is_file():
        pytest.fail("frontend/dist is missing: run `make frontend` (npm ci && npm run build)")
    # not pytest's tmp_path: its 0700 base directory locks out the embedded_postgres user
    data_dir = Path(tempfile.mkdtemp(prefix="matdiscover-e2e-"))
    data_dir.chmod(0o755)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    for old in ARTIFACTS.glob("*.png"):  # screenshots of this run only
        old.unlink()
    log = ARTIFACTS / "server.log"
    log.unlink(missing_ok=True)
    env = {**os.environ, "MATDISCOVER_AUTO_PREDICT": "true"}
    env.pop("MATDISCOVER_DATABASE_URL", None)
    try:
        # two workers: a fresh data directory first loads the reference data (minutes);
        # the second worker serves the uploads' predictions meanwhile
        args = ["--data-dir", str(data_dir), "--workers", "2"]
        with running_server(args, env, log, start_timeout_s=180) as base:
            yield base
    finally:
        shutil.rmtree(data_dir, ignore_errors=True)
