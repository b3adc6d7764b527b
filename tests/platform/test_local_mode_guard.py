"""Local mode (no login) refuses DNS-rebinding and cross-site requests; API answers are
not cached; no server banner. Reproduces issue 21 items 2, 3 and 13 (headers)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from matdiscover.api.app import create_app
from matdiscover.api.origin_guard import HostAllowList, split_host
from matdiscover.domains.identity import Role
from matdiscover.science.io import write_structure
from matdiscover.settings import Settings
from tests.platform.conftest import count_rows
from tests.platform.live import serve_in_thread
from tests.platform.tenants import PASSWORD, login, make_org, make_user, server_settings
from tests.platform.test_materials_api import rocksalt
from tests.platform.test_serve_lifecycle import Server

API = "/api/v1"
NACL = write_structure(rocksalt(), "cif").encode()
CSV = b"formula\nNaCl\nMgO\n"
EVIL_HOST = {"Host": "evil.example:8767"}
CROSS_SITE = {"Origin": "https://evil.example", "Sec-Fetch-Site": "cross-site"}


def upload_material(client: httpx.Client | TestClient, headers: dict[str, str]) -> httpx.Response:
    return client.post(f"{API}/materials", files=[("files", ("NaCl.cif", NACL))], headers=headers)


def submit_batch(client: httpx.Client | TestClient, headers: dict[str, str]) -> httpx.Response:
    return client.post(
        f"{API}/jobs/batch-predictions", files={"file": ("f.csv", CSV)}, headers=headers
    )


def test_foreign_host_is_refused_and_nothing_leaks_or_is_stored(
    client: TestClient, engine: Engine
) -> None:
    assert upload_material(client, {}).status_code == 201
    listed = client.get(f"{API}/materials", headers=EVIL_HOST)
    assert listed.status_code == 421, listed.text
    assert "MATDISCOVER_ALLOWED_HOSTS" in listed.json()["detail"]
    assert "NaCl" not in listed.text
    # the rebinding page's upload, same-origin from the browser's point of view
    rebound = {**EVIL_HOST, "Origin": "http://evil.example:8767", "Sec-Fetch-Site": "same-origin"}
    assert upload_material(client, rebound).status_code == 421
    assert submit_batch(client, rebound).status_code == 421
    assert count_rows(engine, "materials") == 1
    assert count_rows(engine, "jobs") == 0
    # the refusal still carries the security headers
    assert listed.headers["x-content-type-options"] == "nosniff"


@pytest.mark.parametrize(
    "host",
    [
        "localhost:8000",
        "LOCALHOST",
        "127.0.0.1:8767",
        "[::1]:8000",
        "app.localhost:5173",
        "127.0.0.2",
    ],
)
def test_loopback_names_are_allowed(client: TestClient, host: str) -> None:
    assert client.get(f"{API}/materials", headers={"Host": host}).status_code == 200


def test_configured_host_and_allowed_hosts_pass(db_url: str, tmp_path: Path) -> None:
    settings = Settings(
        database_url=db_url, data_dir=tmp_path / "d", allowed_hosts="mylab.test, *.lab.internal"
    )
    with TestClient(create_app(settings)) as c:
        for host in ("mylab.test:8000", "box.lab.internal", "localhost"):
            assert c.get(f"{API}/materials", headers={"Host": host}).status_code == 200, host
        for host in ("lab.internal.evil.example", "evil.example", "mylab.test.evil.example"):
            assert c.get(f"{API}/materials", headers={"Host": host}).status_code == 421, host


def test_host_allow_list_parsing() -> None:
    assert split_host("[::1]:8000") == ("::1", 8000)
    assert split_host("LocalHost.:80") == ("localhost", 80)
    assert split_host("evil.example:notaport") is None
    assert split_host("") is None
    allow = HostAllowList(["127.0.0.1", "*.lab.internal"])
    assert allow.allows("lab.internal") is False and allow.allows("a.lab.internal")
    assert not allow.allows("localhost.evil.example")
    assert HostAllowList(["*"], loopback=False).allows("anything.example")


def test_cross_site_multipart_writes_are_refused(client: TestClient, engine: Engine) -> None:
    for headers in (
        CROSS_SITE,
        {"Origin": "https://evil.example"},  # older browsers: Origin only
        {"Sec-Fetch-Site": "cross-site"},
        {"Origin": "http://localhost:3000", "Sec-Fetch-Site": "same-site"},  # another port
        {"Origin": "null"},  # sandboxed iframe, file:// page
    ):
        r = upload_material(client, headers)
        assert r.status_code == 403, (headers, r.text)
        assert "cross-site" in r.json()["detail"]
        assert submit_batch(client, headers).status_code == 403, headers
    assert client.delete(f"{API}/materials/1", headers=CROSS_SITE).status_code == 403
    assert count_rows(engine, "materials") == 0
    assert count_rows(engine, "jobs") == 0
    # reading is not a write: a cross-site GET is answered (the browser keeps it from the page)
    assert client.get(f"{API}/materials", headers=CROSS_SITE).status_code == 200


def test_same_origin_and_non_browser_writes_pass(client: TestClient, engine: Engine) -> None:
    page = {"Origin": "http://testserver", "Sec-Fetch-Site": "same-origin"}
    assert upload_material(client, page).status_code == 201
    assert submit_batch(client, page).status_code == 202
    # the CLI, curl and scripts send neither Origin nor Sec-Fetch-Site
    assert upload_material(client, {}).status_code == 201
    # a user typing the URL / following a bookmark
    assert submit_batch(client, {"Sec-Fetch-Site": "none"}).status_code == 202
    # the Vite dev server proxies /api with the browser's Host and Origin
    dev = {"Host": "localhost:5173", "Origin": "http://localhost:5173"}
    assert upload_material(client, dev).status_code == 201
    assert count_rows(engine, "materials") == 3


def test_cors_origins_may_write(db_url: str, tmp_path: Path, engine: Engine) -> None:
    settings = Settings(
        database_url=db_url, data_dir=tmp_path / "d", cors_origins="http://localhost:5173"
    )
    with TestClient(create_app(settings)) as c:
        r = upload_material(c, {"Origin": "http://localhost:5173", "Sec-Fetch-Site": "same-site"})
        assert r.status_code == 201, r.text
        assert upload_material(c, CROSS_SITE).status_code == 403
    assert count_rows(engine, "materials") == 1


def test_server_mode_checks_host_only_when_configured(
    db_url: str, tmp_path: Path, engine: Engine
) -> None:
    org = make_org(engine, "Lab")
    make_user(engine, org, "res@a.org", Role.researcher)
    with TestClient(create_app(server_settings(db_url, tmp_path))) as c:
        auth = login(c, "res@a.org")
        # bearer tokens are never sent by a browser on its own: no rebinding or CSRF gain
        assert c.get(f"{API}/materials", headers={**auth, **EVIL_HOST}).status_code == 200
        assert upload_material(c, {**auth, **CROSS_SITE}).status_code == 201
    configured = server_settings(db_url, tmp_path, allowed_hosts="matdiscover.example.org")
    with TestClient(create_app(configured)) as c:
        auth = login(c, "res@a.org")
        assert c.get(f"{API}/health", headers=EVIL_HOST).status_code == 421
        ok = {"Host": "matdiscover.example.org"}
        assert c.get(f"{API}/materials", headers={**auth, **ok}).status_code == 200


def test_api_answers_are_not_cached(db_url: str, tmp_path: Path, engine: Engine) -> None:
    org = make_org(engine, "Lab")
    make_user(engine, org, "res@a.org", Role.researcher)
    with TestClient(create_app(server_settings(db_url, tmp_path))) as c:
        r = c.post(f"{API}/auth/login", json={"email": "res@a.org", "password": PASSWORD})
        assert r.status_code == 200
        responses = {"login": r}
        auth = {"Authorization": f"Bearer {r.json()['access_token']}"}
        responses["refresh"] = c.post(
            f"{API}/auth/refresh", json={"refresh_token": r.json()["refresh_token"]}
        )
        responses["me"] = c.get(f"{API}/auth/me", headers=auth)
        responses["new key"] = c.post(f"{API}/api-keys", json={"name": "ci"}, headers=auth)
        responses["keys"] = c.get(f"{API}/api-keys", headers=auth)
        responses["failed login"] = c.post(
            f"{API}/auth/login", json={"email": "res@a.org", "password": "wrong-wrong"}
        )
        for name, resp in responses.items():
            assert resp.status_code < 500, (name, resp.text)
            assert resp.headers["cache-control"] == "no-store", name
            assert resp.headers["pragma"] == "no-cache", name


def test_real_socket_server_has_no_banner_and_refuses_foreign_hosts(
    settings: Settings, engine: Engine
) -> None:
    with serve_in_thread(create_app(settings)) as base:
        health = httpx.get(f"{base}{API}/health")
        assert health.status_code == 200 and "server" not in health.headers
        # the in-process test client's "testserver" name is no way in over a socket
        for host in ("evil.example:8767", "testserver"):
            r = httpx.get(f"{base}{API}/materials", headers={"Host": host})
            assert r.status_code == 421, host
        with httpx.Client(base_url=base) as http:
            assert upload_material(http, CROSS_SITE).status_code == 403
            own = {"Origin": base, "Sec-Fetch-Site": "same-origin"}
            assert upload_material(http, own).status_code == 201
    assert count_rows(engine, "materials") == 1


@pytest.fixture()
def matdiscover_serve(db_url: str, tmp_path: Path) -> Iterator[str]:
    """``matdiscover serve`` (no workers) on the test database; its base URL."""
    server = Server(tmp_path / "data", workers=0, env={"MATDISCOVER_DATABASE_URL": db_url})
    try:
        server.wait_healthy()
        yield server.url
    finally:
        if server.proc.poll() is None:
            server.ctrl_c(30)  # stopped as a user would, then reaped
        server.close()


def test_matdiscover_serve_sends_no_server_banner(matdiscover_serve: str) -> None:
    for path in (f"{API}/health", "/", "/docs"):
        r = httpx.get(f"{matdiscover_serve}{path}")
        assert r.status_code == 200, path
        assert "server" not in r.headers, (path, r.headers.get("server"))
    assert httpx.get(f"{matdiscover_serve}/", headers=EVIL_HOST).status_code == 421
