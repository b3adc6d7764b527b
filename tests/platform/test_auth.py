"""Server mode: accounts, tokens, API keys, roles, brute-force throttling, hardening."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, text

from matdiscover.api.app import create_app
from matdiscover.domains.identity import Role
from matdiscover.errors import ConfigurationError
from matdiscover.settings import Settings
from tests.platform.tenants import (
    PASSWORD,
    Org,
    accept,
    invite,
    login,
    make_org,
    make_user,
    server_settings,
)

API = "/api/v1"


@pytest.fixture()
def org(engine: Engine) -> Org:
    return make_org(engine, "Lab A")


@pytest.fixture()
def server(db_url: str, tmp_path: Path, engine: Engine, org: Org) -> Iterator[TestClient]:
    make_user(engine, org, "admin@a.org", Role.admin)
    make_user(engine, org, "res@a.org", Role.researcher)
    make_user(engine, org, "view@a.org", Role.viewer)
    with TestClient(create_app(server_settings(db_url, tmp_path))) as c:
        yield c


def test_server_mode_refuses_to_start_without_a_strong_secret(db_url: str, tmp_path: Path) -> None:
    base = {"database_url": db_url, "data_dir": tmp_path}
    for bad in (None, "short", "change-me-please-0123456789abcdefghijkl", "a" * 64):
        with pytest.raises(ConfigurationError, match="MATDISCOVER_SECRET_KEY"):
            create_app(Settings(**base, auth="required", secret_key=bad))  # type: ignore[arg-type]
    # a public bind address forces server mode even with auth=local
    with pytest.raises(ConfigurationError):
        create_app(Settings(**base, host="0.0.0.0"))  # type: ignore[arg-type]
    assert Settings(**base, host="0.0.0.0").auth_required  # type: ignore[arg-type]
    assert not Settings(**base, host="127.0.0.1").auth_required  # type: ignore[arg-type]
    assert not Settings(**base, host="::1").auth_required  # type: ignore[arg-type]


def test_anonymous_requests_get_401_but_health_is_public(server: TestClient) -> None:
    assert server.get(f"{API}/health").status_code == 200
    for method, path in [
        ("GET", "/materials"),
        ("GET", "/jobs"),
        ("GET", "/models"),
        ("GET", "/auth/me"),
        ("GET", "/organization/usage"),
        ("POST", "/predictions"),
    ]:
        r = server.request(method, API + path, json={"formula": "NaCl"})
        assert r.status_code == 401, (path, r.text)
        assert r.headers["www-authenticate"] == "Bearer"
    bad = server.get(f"{API}/materials", headers={"Authorization": "Bearer not-a-token"})
    assert bad.status_code == 401
    basic = server.get(f"{API}/materials", headers={"Authorization": "Basic dXNlcjpwdw=="})
    assert basic.status_code == 401


def test_login_refresh_rotation_and_reuse_detection(server: TestClient) -> None:
    r = server.post(f"{API}/auth/login", json={"email": "RES@a.org ", "password": PASSWORD})
    assert r.status_code == 200, r.text
    pair = r.json()
    assert pair["role"] == "researcher" and pair["expires_in"] == 15 * 60
    me = server.get(f"{API}/auth/me", headers={"Authorization": f"Bearer {pair['access_token']}"})
    assert me.status_code == 200
    assert me.json()["user"]["email"] == "res@a.org" and me.json()["auth_method"] == "token"

    wrong = server.post(f"{API}/auth/login", json={"email": "res@a.org", "password": "nope-nope"})
    assert wrong.status_code == 401 and wrong.json()["detail"] == "wrong email or password"
    nobody = server.post(f"{API}/auth/login", json={"email": "x@y.org", "password": PASSWORD})
    assert nobody.status_code == 401 and nobody.json()["detail"] == "wrong email or password"

    # a rejected value is never echoed back (it could be a password)
    secret = "s3cret-" * 50
    invalid = server.post(f"{API}/auth/login", json={"email": "res@a.org", "password": secret})
    assert invalid.status_code == 422 and "s3cret" not in invalid.text
    assert invalid.json()["detail"][0]["loc"] == ["body", "password"]

    first = pair["refresh_token"]
    r2 = server.post(f"{API}/auth/refresh", json={"refresh_token": first})
    assert r2.status_code == 200
    second = r2.json()["refresh_token"]
    assert second != first
    # replaying the used token fails and revokes the family, so the new one dies too
    assert server.post(f"{API}/auth/refresh", json={"refresh_token": first}).status_code == 401
    assert server.post(f"{API}/auth/refresh", json={"refresh_token": second}).status_code == 401


def test_logout_revokes_the_refresh_token(server: TestClient) -> None:
    pair = server.post(f"{API}/auth/login", json={"email": "res@a.org", "password": PASSWORD})
    token = pair.json()["refresh_token"]
    assert server.post(f"{API}/auth/logout", json={"refresh_token": token}).status_code == 204
    assert server.post(f"{API}/auth/refresh", json={"refresh_token": token}).status_code == 401


def test_password_change_ends_every_session(server: TestClient) -> None:
    headers = login(server, "res@a.org")
    new = "a much better passphrase 42"
    r = server.post(
        f"{API}/auth/password",
        json={"current_password": PASSWORD, "new_password": new},
        headers=headers,
    )
    assert r.status_code == 204, r.text
    assert server.get(f"{API}/auth/me", headers=headers).status_code == 401
    login(server, "res@a.org", new)
    old = server.post(f"{API}/auth/login", json={"email": "res@a.org", "password": PASSWORD})
    assert old.status_code == 401


def test_twenty_wrong_passwords_in_a_minute_are_throttled(
    server: TestClient, engine: Engine, org: Org
) -> None:
    codes = [
        server.post(
            f"{API}/auth/login", json={"email": "admin@a.org", "password": f"guess-{i:04d}xx"}
        ).status_code
        for i in range(20)
    ]
    assert codes[:10] == [401] * 10
    assert codes[10:] == [429] * 10
    # while throttled even the right password is refused, with a Retry-After
    locked = server.post(f"{API}/auth/login", json={"email": "admin@a.org", "password": PASSWORD})
    assert locked.status_code == 429
    # until the failures have left both counted windows (at most two windows)
    assert 1 <= int(locked.headers["retry-after"]) <= 120
    # other accounts are unaffected
    login(server, "res@a.org")
    with engine.connect() as conn:
        failed = conn.execute(
            text("SELECT count(*) FROM audit_log WHERE action = 'auth.login_failed'")
        ).scalar_one()
    assert failed == 10


def test_api_keys_scoped_revocable_and_never_above_their_owner(server: TestClient) -> None:
    headers = login(server, "res@a.org")
    created = server.post(f"{API}/api-keys", json={"name": "script"}, headers=headers)
    assert created.status_code == 201, created.text
    body = created.json()
    key = body["key"]
    assert key.startswith("mdk_") and body["role"] == "researcher"
    assert body["prefix"] in key
    # the secret is shown once: listing gives only the prefix
    listed = server.get(f"{API}/api-keys", headers=headers).json()
    assert [k["id"] for k in listed] == [body["id"]] and "key" not in listed[0]

    for auth in ({"Authorization": f"Bearer {key}"}, {"X-API-Key": key}):
        assert server.get(f"{API}/materials", headers=auth).status_code == 200
    me = server.get(f"{API}/auth/me", headers={"X-API-Key": key}).json()
    assert me["auth_method"] == "api_key"
    assert server.get(f"{API}/api-keys", headers=headers).json()[0]["last_used_at"] is not None
    # a tampered key fails
    assert server.get(f"{API}/materials", headers={"X-API-Key": key[:-2] + "zz"}).status_code == 401
    # keys cannot mint keys, nor exceed the owner's role
    assert (
        server.post(f"{API}/api-keys", json={"name": "x"}, headers={"X-API-Key": key}).status_code
        == 403
    )
    too_high = server.post(f"{API}/api-keys", json={"name": "x", "role": "admin"}, headers=headers)
    assert too_high.status_code == 403

    assert server.delete(f"{API}/api-keys/{body['id']}", headers=headers).status_code == 204
    assert server.get(f"{API}/materials", headers={"X-API-Key": key}).status_code == 401


def test_viewer_is_read_only_and_admin_operations_need_admin(server: TestClient) -> None:
    viewer = login(server, "view@a.org")
    researcher = login(server, "res@a.org")
    admin = login(server, "admin@a.org")
    assert server.get(f"{API}/materials", headers=viewer).status_code == 200
    r = server.post(f"{API}/predictions", json={"formula": "NaCl"}, headers=viewer)
    assert r.status_code == 403 and "read-only" in r.json()["detail"]
    # a read-only POST (similarity search) stays open to viewers
    similar = server.post(f"{API}/similar", json={"formula": "NaCl", "k": 3}, headers=viewer)
    assert similar.status_code == 200, similar.text
    assert server.get(f"{API}/organization/members", headers=researcher).status_code == 403
    members = server.get(f"{API}/organization/members", headers=admin)
    assert members.status_code == 200
    assert {m["email"] for m in members.json()} == {"admin@a.org", "res@a.org", "view@a.org"}
    assert server.get(f"{API}/audit", headers=researcher).status_code == 403


def test_admin_invites_members_and_cannot_remove_the_last_admin(server: TestClient) -> None:
    admin = login(server, "admin@a.org")
    invited = invite(server, admin, "New@A.org", role="viewer")
    assert invited["email"] == "new@a.org" and invited["status"] == "pending"
    joined = accept(server, invited["invitation_token"], "the newcomer's own pw")
    assert server.get(f"{API}/auth/me", headers=joined).json()["role"] == "viewer"
    again = server.post(f"{API}/organization/members", json={"email": "new@a.org"}, headers=admin)
    assert again.status_code == 409
    me = server.get(f"{API}/auth/me", headers=admin).json()
    demote = server.patch(
        f"{API}/organization/members/{me['user']['id']}", json={"role": "viewer"}, headers=admin
    )
    assert demote.status_code == 409
    for bad in (2**63, -(2**70)):
        gone = server.delete(f"{API}/organization/members/{bad}", headers=admin)
        assert gone.status_code == 404  # not a database range error
    new_id = server.get(f"{API}/auth/me", headers=joined).json()["user"]["id"]
    removed = server.delete(f"{API}/organization/members/{new_id}", headers=admin)
    assert removed.status_code == 204
    refused = server.post(
        f"{API}/auth/login", json={"email": "new@a.org", "password": "the newcomer's own pw"}
    )
    assert refused.status_code == 401


def test_audit_log_records_writes_and_auth_events(server: TestClient) -> None:
    admin = login(server, "admin@a.org")
    res = login(server, "res@a.org")
    cif = Path("tests/data/real/LiCoO2.cif")
    if not cif.exists():
        cif = next(Path("tests/data/real").glob("*.cif"))
    up = server.post(
        f"{API}/materials",
        files=[("files", (cif.name, cif.read_bytes(), "chemical/x-cif"))],
        headers={**res, "User-Agent": "pytest-agent/1.0"},
    )
    assert up.status_code == 201, up.text
    material_id = up.json()[0]["id"]
    server.post(f"{API}/auth/login", json={"email": "res@a.org", "password": "wrong-wrong"})
    page = server.get(f"{API}/audit", headers=admin).json()
    actions = [e["action"] for e in page["items"]]
    assert "POST /api/v1/materials" in actions
    assert actions.count("auth.login") >= 2
    upload = next(e for e in page["items"] if e["action"] == "POST /api/v1/materials")
    assert upload["object_type"] == "materials" and upload["object_id"] == str(material_id)
    assert upload["user_agent"] == "pytest-agent/1.0" and upload["ip"]
    only_auth = server.get(f"{API}/audit", params={"action": "auth.*"}, headers=admin).json()
    assert only_auth["items"] and all(e["action"].startswith("auth.") for e in only_auth["items"])
    # failed logins of unknown users have no organisation, so they are not in this log,
    # but a failed login of a member is an auth event recorded with no organisation either


def test_local_mode_needs_no_login_but_serves_loopback_only(client: TestClient) -> None:
    me = client.get(f"{API}/auth/me")
    assert me.status_code == 200 and me.json()["auth_method"] == "local"
    assert me.json()["role"] == "admin" and me.json()["auth_required"] is False
    app = client.app
    # a real peer sends a real Host (only the in-process peer may say "testserver")
    remote = TestClient(app, base_url="http://127.0.0.1:8000", client=("203.0.113.7", 40000))
    r = remote.get(f"{API}/materials")
    assert r.status_code == 403 and "local mode" in r.json()["detail"]
    loop = TestClient(app, base_url="http://127.0.0.1:8000", client=("127.0.0.1", 40000))
    assert loop.get(f"{API}/materials").status_code == 200


def test_security_headers_and_cors_allow_list(db_url: str, tmp_path: Path) -> None:
    settings = Settings(
        database_url=db_url, data_dir=tmp_path, cors_origins="https://lab.example.org"
    )
    with TestClient(create_app(settings)) as c:
        r = c.get(f"{API}/health", headers={"Origin": "https://lab.example.org"})
        assert r.headers["x-content-type-options"] == "nosniff"
        assert r.headers["x-frame-options"] == "DENY"
        assert "frame-ancestors 'none'" in r.headers["content-security-policy"]
        assert r.headers["access-control-allow-origin"] == "https://lab.example.org"
        other = c.get(f"{API}/health", headers={"Origin": "https://evil.example.com"})
        assert "access-control-allow-origin" not in other.headers
        # JSON bodies get a tighter limit than file uploads (one structure file's worth)
        huge = b'{"email": "a@b.org", "password": "' + b"x" * (11 * 1024 * 1024) + b'"}'
        r = c.post(f"{API}/auth/login", content=huge, headers={"Content-Type": "application/json"})
        assert r.status_code == 413 and "exceeds the limit" in r.json()["detail"]


def test_writes_are_rate_limited_per_key(
    db_url: str, tmp_path: Path, engine: Engine, org: Org
) -> None:
    make_user(engine, org, "busy@a.org", Role.researcher)
    make_user(engine, org, "calm@a.org", Role.researcher)
    settings = server_settings(db_url, tmp_path, writes_per_minute=3)
    with TestClient(create_app(settings)) as c:
        busy, calm = login(c, "busy@a.org"), login(c, "calm@a.org")
        codes = [
            c.post(f"{API}/predictions", json={"formula": "LiF"}, headers=busy).status_code
            for _ in range(4)
        ]
        assert codes == [200, 200, 200, 429]
        limited = c.post(f"{API}/predictions", json={"formula": "LiF"}, headers=busy)
        assert limited.status_code == 429 and int(limited.headers["retry-after"]) >= 1
        # reads are not limited, and other users keep their own allowance
        assert c.get(f"{API}/materials", headers=busy).status_code == 200
        assert (
            c.post(f"{API}/predictions", json={"formula": "LiF"}, headers=calm).status_code == 200
        )
