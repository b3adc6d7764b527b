"""The web UI in server mode (``MATDISCOVER_AUTH=required``), in real headless Chromium.

A real ``matdiscover serve`` with authentication on and an administrator created with
``matdiscover users create-admin`` first (same data directory): the login form → a wrong
password's message → the explorer with the user's email in the top bar → a reload keeps
the session → upload a CIF → material page → an authenticated download → a batch job's
live progress over the fetch-based SSE reader and its CSV → log out.
Screenshots: test-artifacts/e2e/server-*.png; the record: test-artifacts/e2e/server_mode.json.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.conftest import ARTIFACTS, DIST, REPO, SERVE, require_browser, running_server

pytestmark = [pytest.mark.slow, pytest.mark.timeout(300)]

EMAIL = "ada@e2e-lab.org"
ORG = "E2E Lab"
CIF = REPO / "tests" / "data" / "real" / "LiCoO2.cif"


@pytest.fixture(scope="module")
def server_mode() -> Iterator[tuple[str, str]]:
    """(base URL, password) of a MatDiscover in server mode with one administrator."""
    require_browser()
    if not (DIST / "index.html").is_file():
        pytest.fail("frontend/dist is missing: run `make frontend` (npm ci && npm run build)")
    # not pytest's tmp_path: its 0700 base directory locks out the embedded_postgres user
    data_dir = Path(tempfile.mkdtemp(prefix="matdiscover-e2e-auth-"))
    data_dir.chmod(0o755)
    password = secrets.token_urlsafe(18)
    env = {
        **os.environ,
        "MATDISCOVER_AUTH": "required",
        "MATDISCOVER_SECRET_KEY": secrets.token_urlsafe(36),  # 48 characters
        "MATDISCOVER_LOAD_REFERENCE": "never",  # not needed here; keeps the CPU free
        "MATDISCOVER_AUTO_PREDICT": "false",
    }
    env.pop("MATDISCOVER_DATABASE_URL", None)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    log = ARTIFACTS / "server_mode.log"
    try:
        with log.open("wb") as out:
            created = subprocess.run(
                [sys.executable, str(SERVE), "users", "create-admin", "--email", EMAIL]
                + ["--org", ORG, "--data-dir", str(data_dir)],
                cwd=REPO,
                env={**env, "MATDISCOVER_NEW_PASSWORD": password},
                stdout=out,
                stderr=subprocess.STDOUT,
                timeout=120,
                check=False,
            )
        if created.returncode != 0:
            pytest.fail(f"users create-admin exited with {created.returncode}; see {log}")
        args = ["--data-dir", str(data_dir), "--workers", "1"]
        with running_server(args, env, log, start_timeout_s=120) as base:
            yield base, password
    finally:
        shutil.rmtree(data_dir, ignore_errors=True)


@pytest.fixture(scope="module")
def flow(server_mode: tuple[str, str]) -> dict[str, Any]:
    base, password = server_mode
    csv = Path(tempfile.mkdtemp(prefix="matdiscover-e2e-auth-files-")) / "screen.csv"
    csv.write_text("formula\nGaN\nNaCl\nZnO\n", encoding="utf-8")
    # the password goes through the environment, never the command line
    proc = subprocess.run(
        ["node", str(REPO / "tests/e2e/login_flow.mjs"), base, str(ARTIFACTS), str(CIF), EMAIL]
        + [str(csv)],
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
        env={**os.environ, "E2E_PASSWORD": password},
    )
    (ARTIFACTS / "server_mode_flow.log").write_text(proc.stderr, encoding="utf-8")
    assert proc.returncode == 0, proc.stderr[-3000:]
    result: dict[str, Any] = json.loads(proc.stdout.strip().splitlines()[-1])
    (ARTIFACTS / "server_mode.json").write_text(json.dumps(result, indent=2), encoding="utf-8")
    assert "failure" not in result, result["failure"]
    return result


def test_login_logout_upload_in_server_mode(flow: dict[str, Any]) -> None:
    # a first visit shows the login form only, the email field focused
    assert flow["loginFormShown"] and flow["navHiddenBeforeLogin"] and flow["emailFocused"]
    assert flow["wrongPasswordError"] == "Wrong email or password."
    # logged in: back on the page asked for, the user and organisation in the top bar
    assert flow["topBarEmail"] == EMAIL
    assert flow["topBarOrg"] == ORG and flow["topBarRole"] == "admin"
    assert "Log out" in str(flow["topBar"])
    assert flow["urlAfterLogin"] == "/materials"
    assert flow["refreshTokenStored"] is True
    assert flow["unauthenticatedStatus"] == 401  # really server mode
    assert flow["sessionSurvivesReload"] is True
    # upload → material page; the download carried the token and kept the server's filename
    assert flow["materialFormula"] == "LiCoO2"
    name = str(flow["downloadName"])
    assert name.startswith("LiCoO2_") and name.endswith(".cif"), name
    assert int(flow["downloadBytes"]) > 200
    # the job page's progress stream (fetch + token) connected; the results download works
    assert flow["sse"] and set(flow["sse"]) == {200}, flow["sse"]
    assert flow["jobStatus"] == "succeeded"
    assert flow["resultsName"] == f"job-{str(flow['jobUrl']).rsplit('/', 1)[-1]}-results.csv"
    assert flow["resultsLines"] == 4  # header + 3 rows
    # log out: the login form again, the refresh token forgotten and revoked
    assert flow["loginFormAfterLogout"] is True
    assert flow["refreshTokenAfterLogout"] is None
    assert flow["oldRefreshTokenStatus"] == 401
    shots = ("01-login", "03-explorer", "04-material", "05-job", "06-logged-out")
    for shot in shots:
        assert (ARTIFACTS / f"server-{shot}.png").stat().st_size > 5000


def test_only_the_expected_401s(flow: dict[str, Any]) -> None:
    """The first /auth/me (not logged in) and the wrong password answer 401; nothing else
    fails, and the browser logs no other error (CSP violations included)."""
    http = sorted((e["method"], e["path"], e["status"]) for e in flow["httpErrors"])
    assert http == [("GET", "/api/v1/auth/me", 401), ("POST", "/api/v1/auth/login", 401)], http
    # chromium logs each of those two as "Failed to load resource: ... 401"
    others = [
        e
        for e in flow["consoleErrors"]
        if not ("401" in e["text"] and "Failed to load resource" in e["text"])
    ]
    assert others == [], others
    assert len(flow["consoleErrors"]) <= 2
