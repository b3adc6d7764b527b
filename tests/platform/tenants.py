"""Server-mode helpers for tests: organisations, users with roles, and logged-in clients."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import Engine

from matdiscover.db.engine import make_session_factory, session_scope
from matdiscover.domains.auth.secrets import hash_password
from matdiscover.domains.identity import Role
from matdiscover.domains.organizations import service
from matdiscover.domains.organizations.models import Plan
from matdiscover.settings import Settings

SECRET = "test-secret-0123456789-abcdefghijklmnopqrstuvwxyz-ABCDEFG"
PASSWORD = "correct horse battery staple"


def server_settings(db_url: str, tmp_path: Path, **overrides: object) -> Settings:
    return Settings(
        database_url=db_url,
        data_dir=tmp_path / "data",
        auth="required",
        secret_key=SECRET,  # type: ignore[arg-type]
        auto_predict=False,
        **overrides,  # type: ignore[arg-type]
    )


@dataclass(frozen=True)
class Org:
    id: int
    slug: str


def make_org(engine: Engine, name: str, plan: Plan = Plan.lab) -> Org:
    with session_scope(make_session_factory(engine)) as s:
        org = service.create_organization(s, name=name, plan=plan)
        return Org(org.id, org.slug)


def make_user(engine: Engine, org: Org, email: str, role: Role, password: str = PASSWORD) -> int:
    """A new account and its membership, made directly in the database (like the CLI)."""
    with session_scope(make_session_factory(engine)) as s:
        member = service.create_member(
            s, org.id, email=email, role=role, password_hash=hash_password(password)
        )
        return member.user.id


def invite(
    client: TestClient, admin: dict[str, str], email: str, role: str = "researcher"
) -> dict[str, Any]:
    """An administrator's invitation (its JSON, including the one-time token)."""
    r = client.post(
        "/api/v1/organization/members", json={"email": email, "role": role}, headers=admin
    )
    assert r.status_code == 201, r.text
    invitation: dict[str, Any] = r.json()
    return invitation


def accept(client: TestClient, token: str, password: str = PASSWORD) -> dict[str, str]:
    """Accept an invitation; authorization headers for the organisation it is for."""
    r = client.post("/api/v1/auth/invitations/accept", json={"token": token, "password": password})
    assert r.status_code == 200, r.text
    return {"Authorization": f"Bearer {r.json()['access_token']}"}


def login(client: TestClient, email: str, password: str = PASSWORD) -> dict[str, str]:
    """Authorization headers for a fresh access token."""
    r = client.post("/api/v1/auth/login", json={"email": email, "password": password})
    assert r.status_code == 200, r.text
    return {"Authorization": f"Bearer {r.json()['access_token']}"}
