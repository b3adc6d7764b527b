"""OPTIMADE visibility follows our auth: on a server with accounts an anonymous request sees
the shared reference rows only, an organisation's token or API key adds its own materials,
and another organisation's materials never appear (listing, filters, single entries).
The route-enumeration isolation test covers ``/api/v1`` only; this covers ``/optimade``."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from matdiscover.db.engine import make_session_factory, session_scope
from matdiscover.domains.identity import Role
from matdiscover.domains.materials.models import Material
from tests.platform.tenants import login, make_org, make_user, server_settings
from tests.science.structure_fixtures import rocksalt

API = "/api/v1"
V1 = "/optimade/v1"


def _shared_reference_row(engine: Engine) -> int:
    s = rocksalt(4.2, "Mg", "O")
    with session_scope(make_session_factory(engine)) as session:
        row = Material(
            organization_id=None,
            formula=s.composition.formula,
            reduced_formula=s.composition.reduced_formula,
            chemical_system="Mg-O",
            elements=["Mg", "O"],
            nsites=len(s),
            nelements=2,
            structure=s.as_dict(),
            source="reference",
            source_database="materials_project",
            source_id="mp-1265",
        )
        session.add(row)
        session.flush()
        return row.id


@pytest.fixture()
def server(db_url: str, tmp_path: Path, engine: Engine) -> Iterator[TestClient]:
    from matdiscover.api.app import create_app

    for name, email in (("Org A", "a@a.org"), ("Org B", "b@b.org")):
        make_user(engine, make_org(engine, name), email, Role.researcher)
    with TestClient(create_app(server_settings(db_url, tmp_path))) as c:
        yield c


def _ids(client: TestClient, headers: dict[str, str], flt: str = "") -> set[str]:
    r = client.get(f"{V1}/structures", params={"filter": flt, "page_limit": 100}, headers=headers)
    assert r.status_code == 200, r.text
    return {e["id"] for e in r.json()["data"]}


def test_optimade_never_shows_another_organisations_materials(
    server: TestClient, engine: Engine
) -> None:
    _shared_reference_row(engine)
    a = login(server, "a@a.org")
    b_token = login(server, "b@b.org")
    key = server.post(f"{API}/api-keys", json={"name": "optimade"}, headers=b_token).json()["key"]
    b_key = {"X-API-Key": key}
    upload = server.post(
        f"{API}/materials",
        files=[("files", ("NaCl.json", json.dumps(rocksalt().as_dict()), "application/json"))],
        headers=a,
    )
    assert upload.status_code == 201, upload.text
    a_entry = f"matdiscover-{upload.json()[0]['id']}"

    assert _ids(server, a) == {"mp-1265", a_entry}
    for who in ({}, b_token, b_key, {"Authorization": f"Bearer {key}"}):
        assert _ids(server, who) == {"mp-1265"}
        assert _ids(server, who, 'elements HAS "Na"') == set()
        assert _ids(server, who, f'id = "{a_entry}"') == set()
        single = server.get(f"{V1}/structures/{a_entry}", headers=who)
        assert single.status_code == 404
        assert single.json()["errors"][0]["status"] == "404"
        listing = server.get(f"{V1}/structures", headers=who).json()
        assert listing["meta"]["data_available"] == 1  # counts leak nothing either
    assert server.get(f"{V1}/structures/{a_entry}", headers=a).status_code == 200
    # a bad credential is refused, not treated as anonymous
    bad = server.get(f"{V1}/structures", headers={"X-API-Key": key[:-2] + "zz"})
    assert bad.status_code == 401
    assert bad.json()["errors"][0]["status"] == "401"


def test_local_mode_serves_the_local_organisation(client: TestClient, engine: Engine) -> None:
    _shared_reference_row(engine)
    upload = client.post(
        f"{API}/materials",
        files=[("files", ("NaCl.json", json.dumps(rocksalt().as_dict()), "application/json"))],
    )
    assert upload.status_code == 201, upload.text
    assert _ids(client, {}) == {"mp-1265", f"matdiscover-{upload.json()[0]['id']}"}
