"""Joining an organisation only by invitation (issue 21, item 1).

Before: ``POST /organization/members`` created the account with a password chosen by the
first organisation to add the email, and a later "add member" by another organisation
silently reused that account, so the first organisation could log in to the second.
Now adding a member creates an invitation; the invitee accepts it with the token, choosing
the password of a new account or proving they own an existing one.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, text
from typer.testing import CliRunner

from matdiscover.api.app import create_app
from matdiscover.cli.main import app as cli
from matdiscover.domains.identity import Role
from matdiscover.settings import get_settings
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
ACCEPT = f"{API}/auth/invitations/accept"
B_PASSWORD = "B-knows-this-pw-1!"
CIF = Path("tests/data/real/LiCoO2.cif")


@pytest.fixture()
def labs(engine: Engine) -> tuple[Org, Org]:
    a, b = make_org(engine, "Lab A"), make_org(engine, "Lab B")
    make_user(engine, a, "admin@lab-a.org", Role.admin)
    make_user(engine, a, "res@lab-a.org", Role.researcher)
    make_user(engine, a, "view@lab-a.org", Role.viewer)
    make_user(engine, b, "admin@lab-b.org", Role.admin)
    return a, b


@pytest.fixture()
def server(db_url: str, tmp_path: Path, labs: tuple[Org, Org]) -> Iterator[TestClient]:
    with TestClient(create_app(server_settings(db_url, tmp_path))) as c:
        yield c


def members_of(client: TestClient, admin: dict[str, str]) -> set[str]:
    r = client.get(f"{API}/organization/members", headers=admin)
    assert r.status_code == 200, r.text
    return {m["email"] for m in r.json()}


def test_the_reported_takeover_no_longer_gives_lab_b_access_to_lab_a(
    server: TestClient, labs: tuple[Org, Org]
) -> None:
    a, b = labs
    assert a.slug == "lab-a"
    a_admin, b_admin = login(server, "admin@lab-a.org"), login(server, "admin@lab-b.org")
    up = server.post(
        f"{API}/materials",
        files=[("files", ("a-secret.cif", CIF.read_bytes(), "chemical/x-cif"))],
        headers=a_admin,
    )
    assert up.status_code == 201, up.text
    a_material = up.json()[0]["id"]
    # the reproduction, step 1: Lab B adds the email with a password it knows
    b_add = server.post(
        f"{API}/organization/members",
        json={"email": "newhire@lab.org", "role": "viewer", "password": B_PASSWORD},
        headers=b_admin,
    )
    assert b_add.status_code == 422, b_add.text  # no organisation sets a password any more
    # the worst case: Lab B invites the email and accepts its own invitation with that
    # password, so an account newhire@lab.org now exists whose password Lab B knows
    b_add = server.post(
        f"{API}/organization/members",
        json={"email": "newhire@lab.org", "role": "viewer"},
        headers=b_admin,
    )
    assert b_add.status_code == 201, b_add.text
    b_token = b_add.json()["invitation_token"]
    joined_b = server.post(ACCEPT, json={"token": b_token, "password": B_PASSWORD})
    assert joined_b.status_code == 200, joined_b.text
    # step 2: Lab A adds the same email: an invitation, not the existing account
    a_add = server.post(
        f"{API}/organization/members",
        json={"email": "newhire@lab.org", "role": "researcher"},
        headers=a_admin,
    )
    assert a_add.status_code == 201, a_add.text
    assert "temporary_password" not in a_add.json() and "user_id" not in a_add.json()
    assert a_add.json()["status"] == "pending"
    assert "newhire@lab.org" not in members_of(server, a_admin)
    # step 3: Lab B's password does not open Lab A
    r = server.post(
        f"{API}/auth/login",
        json={"email": "newhire@lab.org", "password": B_PASSWORD, "organization": "lab-a"},
    )
    assert r.status_code == 401, r.text
    # a token of that account is Lab B's and sees nothing of Lab A
    b_side = {"Authorization": f"Bearer {joined_b.json()['access_token']}"}
    assert server.get(f"{API}/auth/me", headers=b_side).json()["organization"]["slug"] == "lab-b"
    assert server.get(f"{API}/materials/{a_material}", headers=b_side).status_code == 404
    # Lab A's token went to its invitee, who cannot join with a password of their own:
    # the account exists, so only its password proves ownership, and it is not changed
    a_token = a_add.json()["invitation_token"]
    own = server.post(ACCEPT, json={"token": a_token, "password": "the-real-newhire-pw"})
    assert own.status_code == 401 and "existing account" in own.json()["detail"]
    assert "newhire@lab.org" not in members_of(server, a_admin)
    r = server.post(
        f"{API}/auth/login", json={"email": "newhire@lab.org", "password": "the-real-newhire-pw"}
    )
    assert r.status_code == 401


def test_inviting_answers_alike_for_new_and_existing_accounts(server: TestClient) -> None:
    a_admin = login(server, "admin@lab-a.org")
    existing = invite(server, a_admin, "admin@lab-b.org", role="viewer")  # Lab B's account
    fresh = invite(server, a_admin, "nobody-yet@lab.org", role="viewer")
    assert sorted(existing) == sorted(fresh)
    for body in (existing, fresh):
        assert not {"full_name", "is_active", "user_id", "temporary_password"} & set(body)
        assert body["status"] == "pending" and body["role"] == "viewer"
        assert body["accepted_at"] is None and body["invitation_token"].startswith("mdi_")
    assert {k: type(v) for k, v in existing.items()} == {k: type(v) for k, v in fresh.items()}
    # Lab B's account is not a member of Lab A until its owner accepts
    assert "admin@lab-b.org" not in members_of(server, a_admin)
    # a member of the caller's own organisation is refused (only its own members show)
    again = server.post(
        f"{API}/organization/members", json={"email": "RES@lab-a.org"}, headers=a_admin
    )
    assert again.status_code == 409


def test_a_token_works_once_and_creates_the_account_with_the_invitees_password(
    server: TestClient,
) -> None:
    a_admin = login(server, "admin@lab-a.org")
    token = invite(server, a_admin, "New@Lab.org", role="viewer")["invitation_token"]
    short = server.post(ACCEPT, json={"token": token, "password": "short"})
    assert short.status_code == 400  # password policy; the invitation stays usable
    r = server.post(
        ACCEPT, json={"token": token, "password": "my own passphrase", "full_name": "New Hire"}
    )
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["role"] == "viewer" and body["organization"]["slug"] == "lab-a"
    assert body["user"] == {
        "id": body["user"]["id"],
        "email": "new@lab.org",
        "full_name": "New Hire",
    }
    headers = {"Authorization": f"Bearer {body['access_token']}"}
    assert server.get(f"{API}/materials", headers=headers).status_code == 200
    assert "new@lab.org" in members_of(server, a_admin)
    login(server, "new@lab.org", "my own passphrase")
    used = server.post(ACCEPT, json={"token": token, "password": "my own passphrase"})
    assert used.status_code == 401 and "already used" in used.json()["detail"]
    unknown = server.post(ACCEPT, json={"token": "mdi_not-a-token", "password": "whatever12"})
    assert unknown.status_code == 401
    listed = server.get(f"{API}/organization/invitations", headers=a_admin).json()
    assert [i["status"] for i in listed if i["email"] == "new@lab.org"] == ["accepted"]
    audit = server.get(
        f"{API}/audit", params={"action": "auth.invitation_accepted"}, headers=a_admin
    ).json()
    assert [e["object_type"] for e in audit["items"]] == ["invitation"]
    created = server.get(
        f"{API}/audit", params={"action": "POST /api/v1/organization/members"}, headers=a_admin
    ).json()
    assert created["items"][0]["object_type"] == "invitations"
    assert token not in str(created)


def test_revoked_replaced_and_expired_invitations_are_refused(
    server: TestClient, engine: Engine
) -> None:
    a_admin = login(server, "admin@lab-a.org")
    revoked = invite(server, a_admin, "x@lab.org")
    gone = server.delete(f"{API}/organization/invitations/{revoked['id']}", headers=a_admin)
    assert gone.status_code == 204
    r = server.post(ACCEPT, json={"token": revoked["invitation_token"], "password": PASSWORD})
    assert r.status_code == 401 and "withdrawn" in r.json()["detail"]
    # inviting again replaces the pending invitation: only the newest token works
    first = invite(server, a_admin, "y@lab.org")
    second = invite(server, a_admin, "y@lab.org", role="viewer")
    r = server.post(ACCEPT, json={"token": first["invitation_token"], "password": PASSWORD})
    assert r.status_code == 401
    expired = invite(server, a_admin, "z@lab.org")
    with engine.begin() as conn:
        conn.execute(
            text("UPDATE invitations SET expires_at = now() - interval '1 second' WHERE id = :i"),
            {"i": expired["id"]},
        )
    r = server.post(ACCEPT, json={"token": expired["invitation_token"], "password": PASSWORD})
    assert r.status_code == 401 and "expired" in r.json()["detail"]
    statuses = {
        i["id"]: i["status"]
        for i in server.get(f"{API}/organization/invitations", headers=a_admin).json()
    }
    assert statuses[revoked["id"]] == "revoked" and statuses[first["id"]] == "revoked"
    assert statuses[second["id"]] == "pending" and statuses[expired["id"]] == "expired"
    assert members_of(server, a_admin).isdisjoint({"x@lab.org", "y@lab.org", "z@lab.org"})
    assert accept(server, second["invitation_token"])
    # an accepted invitation cannot be withdrawn (remove the member instead)
    late = server.delete(f"{API}/organization/invitations/{second['id']}", headers=a_admin)
    assert late.status_code == 409


def test_an_existing_account_joins_only_with_its_own_password(server: TestClient) -> None:
    a_admin = login(server, "admin@lab-a.org")
    token = invite(server, a_admin, "admin@lab-b.org", role="viewer")["invitation_token"]
    wrong = server.post(ACCEPT, json={"token": token, "password": "not the password"})
    assert wrong.status_code == 401
    assert "admin@lab-b.org" not in members_of(server, a_admin)
    refused = server.post(
        f"{API}/auth/login",
        json={"email": "admin@lab-b.org", "password": PASSWORD, "organization": "lab-a"},
    )
    assert refused.status_code == 401
    # the account's password is untouched by the attempt
    login(server, "admin@lab-b.org")
    joined = server.post(ACCEPT, json={"token": token, "password": PASSWORD})
    assert joined.status_code == 200, joined.text
    assert joined.json()["organization"]["slug"] == "lab-a" and joined.json()["role"] == "viewer"
    assert "admin@lab-b.org" in members_of(server, a_admin)
    # still Lab B's admin, with the same password
    r = server.post(
        f"{API}/auth/login",
        json={"email": "admin@lab-b.org", "password": PASSWORD, "organization": "lab-b"},
    )
    assert r.status_code == 200 and r.json()["role"] == "admin"


def test_only_admins_invite_and_other_organisations_cannot_touch_invitations(
    server: TestClient,
) -> None:
    a_admin, b_admin = login(server, "admin@lab-a.org"), login(server, "admin@lab-b.org")
    pending = invite(server, a_admin, "secret-invitee@lab.org")
    for who in ("res@lab-a.org", "view@lab-a.org"):
        h = login(server, who)
        r = server.post(f"{API}/organization/members", json={"email": "p@lab.org"}, headers=h)
        assert r.status_code == 403
        assert server.get(f"{API}/organization/invitations", headers=h).status_code == 403
        r = server.delete(f"{API}/organization/invitations/{pending['id']}", headers=h)
        assert r.status_code == 403
    b_list = server.get(f"{API}/organization/invitations", headers=b_admin)
    assert b_list.status_code == 200 and "secret-invitee" not in b_list.text
    r = server.delete(f"{API}/organization/invitations/{pending['id']}", headers=b_admin)
    assert r.status_code == 404
    for bad in (2**63, 0):
        r = server.delete(f"{API}/organization/invitations/{bad}", headers=a_admin)
        assert r.status_code == 404
    listed = server.get(f"{API}/organization/invitations", headers=a_admin).json()
    assert [i["status"] for i in listed if i["id"] == pending["id"]] == ["pending"]


def test_accepting_is_throttled_per_address(
    db_url: str, tmp_path: Path, labs: tuple[Org, Org]
) -> None:
    settings = server_settings(db_url, tmp_path, login_attempts_per_minute_ip=3)
    with TestClient(create_app(settings)) as c:
        codes = [
            c.post(ACCEPT, json={"token": f"mdi_guess{i}", "password": "x" * 12}).status_code
            for i in range(5)
        ]
    assert codes[:3] == [401] * 3 and codes[3:] == [429] * 2


def test_cli_add_invites_an_existing_account_instead_of_attaching_it(
    engine: Engine,
    db_url: str,
    tmp_path: Path,
    labs: tuple[Org, Org],
    monkeypatch: pytest.MonkeyPatch,
    request: pytest.FixtureRequest,
) -> None:
    a, _ = labs
    settings = server_settings(db_url, tmp_path)
    monkeypatch.setenv("MATDISCOVER_DATABASE_URL", str(settings.database_url))
    monkeypatch.setenv("MATDISCOVER_DATA_DIR", str(settings.data_dir))
    get_settings.cache_clear()  # the CLI reads the environment through the cached settings
    request.addfinalizer(get_settings.cache_clear)
    runner = CliRunner()

    def memberships(email: str) -> set[str]:
        with engine.connect() as conn:
            rows = conn.execute(
                text(
                    "SELECT o.slug FROM org_memberships m JOIN users u ON u.id = m.user_id "
                    "JOIN organizations o ON o.id = m.organization_id WHERE u.email = :e"
                ),
                {"e": email},
            )
            return {r[0] for r in rows}

    # an existing account of Lab B: no password asked, no membership, an invitation printed
    added = runner.invoke(cli, ["users", "add", "admin@lab-b.org", "--org", a.slug])
    assert added.exit_code == 0, added.output
    assert "inviting" in added.output and memberships("admin@lab-b.org") == {"lab-b"}
    token = added.output.strip().splitlines()[-1]
    assert token.startswith("mdi_")
    monkeypatch.setenv("MATDISCOVER_INVITATION_TOKEN", token)
    monkeypatch.setenv("MATDISCOVER_NEW_PASSWORD", "a guessed password")
    refused = runner.invoke(cli, ["users", "accept-invite"])
    assert refused.exit_code != 0 and memberships("admin@lab-b.org") == {"lab-b"}
    monkeypatch.setenv("MATDISCOVER_NEW_PASSWORD", PASSWORD)
    joined = runner.invoke(cli, ["users", "accept-invite"])
    assert joined.exit_code == 0, joined.output
    assert memberships("admin@lab-b.org") == {"lab-a", "lab-b"}
    # a new email: `users invite`, accepted with the invitee's own password
    invited = runner.invoke(cli, ["users", "invite", "cli@lab.org", "--org", a.slug])
    assert invited.exit_code == 0, invited.output
    monkeypatch.setenv("MATDISCOVER_INVITATION_TOKEN", invited.output.strip().splitlines()[-1])
    monkeypatch.setenv("MATDISCOVER_NEW_PASSWORD", "cli invitee passphrase")
    assert runner.invoke(cli, ["users", "accept-invite"]).exit_code == 0
    assert memberships("cli@lab.org") == {"lab-a"}
    # create-admin never resets an existing account's password
    monkeypatch.setenv("MATDISCOVER_NEW_PASSWORD", "operator's new guess")
    r = runner.invoke(cli, ["users", "create-admin", "--email", "cli@lab.org", "--org", "Lab C"])
    assert r.exit_code != 0 and memberships("cli@lab.org") == {"lab-a"}
