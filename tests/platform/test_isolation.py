"""Tenant isolation, proven over every route in the OpenAPI schema.

Organisation A owns one object of every kind (material, predictions, batch job, API key,
member, invitation). Then, for every operation the API documents:

- an operation without a security requirement must be on the short public list;
- anonymous calls to every other operation get 401;
- a user of organisation B (an admin, so roles never mask a leak) gets 404 for every
  operation addressing one of A's objects, and A's objects are unchanged afterwards;
- no response to B (list, search, similarity, phase diagram, usage, audit...) mentions a
  marker string carried by A's objects, nor A's material id where materials are listed;
- A's viewer gets 403 on every write, and A's researcher 403 on every admin operation.

A new route whose path parameter, request body or query is unknown to this test makes it
fail until it is classified below, so new endpoints cannot slip through unexamined. The last
test adds a deliberately unscoped route and shows the check catches it.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from fastapi import Depends, FastAPI, Request
from fastapi.testclient import TestClient
from sqlalchemy import Engine, text

from matdiscover.api.app import create_app
from matdiscover.api.deps import CallerDep, authorize
from matdiscover.domains.identity import Role
from tests.platform.tenants import invite, login, make_org, make_user, server_settings

API = "/api/v1"
MARKER = "tenantasecret"
PUBLIC = {
    ("GET", "/api/v1/health"),
    ("POST", "/api/v1/auth/login"),
    ("POST", "/api/v1/auth/refresh"),
    ("POST", "/api/v1/auth/logout"),
    ("POST", "/api/v1/auth/invitations/accept"),
}
# path parameters that name global things, not tenant objects (with a sample value)
GLOBAL_PARAMS = {"name": "999999999", "key": "LiCoO2", "property": "band_gap"}
CIF = Path("tests/data/real/LiCoO2.cif")

# bodies and queries that pass validation, so the check reaches the endpoint itself
JSON_BODIES: dict[tuple[str, str], Any] = {
    ("POST", "/api/v1/predictions"): {"formula": "NaCl", "properties": ["band_gap"]},
    ("POST", "/api/v1/models/training"): {"project_id": 999_999_999, "property": "band_gap"},
    ("POST", "/api/v1/similar"): {"formula": "LiCoO2", "k": 50},
    ("POST", "/api/v1/api-keys"): {"name": "b-key"},
    ("POST", "/api/v1/auth/password"): {
        "current_password": "correct horse battery staple",
        "new_password": "another good passphrase",
    },
    ("POST", "/api/v1/organization/members"): {"email": "someone@b.org", "role": "viewer"},
    ("PATCH", "/api/v1/organization/members/{user_id}"): {"role": "viewer"},
    ("POST", "/api/v1/projects"): {"name": "b-project"},
    ("PATCH", "/api/v1/projects/{project_id}"): {"description": "b was here"},
    ("POST", "/api/v1/projects/{project_id}/items"): {"formula": "LiCoO2"},
    ("PATCH", "/api/v1/projects/{project_id}/items/{item_id}"): {"status": "discarded"},
    ("POST", "/api/v1/projects/{project_id}/notes"): {"text": "b note"},
    ("POST", "/api/v1/projects/{project_id}/recalibrations"): {"property": "band_gap"},
    ("PATCH", "/api/v1/projects/{project_id}/recalibrations/{recalibration_id}"): {
        "enabled": False
    },
    ("PATCH", "/api/v1/measurements/{measurement_id}"): {"value": 9.99},
    ("POST", "/api/v1/imports/optimade"): {"provider": "https://optimade.example.org"},
    ("POST", "/api/v1/molecules"): {"smiles": "CCO", "name": "b-molecule"},
    ("POST", "/api/v1/molecules/{molecule_id}/activities"): {"value": 5.0, "unit": "nM"},
    ("POST", "/api/v1/projects/{project_id}/campaigns"): {
        "name": "b-campaign",
        "objectives": [{"property": "band_gap"}],
        "batch_size": 1,
        "pool": {"source": "uploaded", "formulas": ["NaCl", "KBr"]},
    },
    (
        "POST",
        "/api/v1/projects/{project_id}/campaigns/{campaign_id}/rounds/{round_index}/results",
    ): {"source": "computed"},
}
MOLECULE = "CC(=O)Oc1ccccc1C(=O)O"
QUERIES: dict[tuple[str, str], dict[str, str]] = {
    ("GET", "/api/v1/phase-diagram"): {"chemsys": "Li-Co-O"},
    ("GET", "/api/v1/materials"): {"elements": "Li,Co,O", "limit": "500"},
    ("GET", "/api/v1/projects/{project_id}/parity"): {"property": "band_gap"},
    ("GET", "/api/v1/molecules/search"): {"similar_to": "CC(=O)Oc1ccccc1C(=O)O", "k": "50"},
}


def multipart_for(method: str, path: str) -> dict[str, Any] | None:
    if (method, path) == ("POST", "/api/v1/materials"):
        return {"files": [("files", ("b.cif", CIF.read_bytes(), "chemical/x-cif"))]}
    if (method, path) == ("POST", "/api/v1/jobs/batch-predictions"):
        return {"files": {"file": ("b.csv", b"formula\nNaCl\nKBr\n", "text/csv")}}
    if (method, path) == ("POST", "/api/v1/molecules/batch"):
        return {"files": {"file": ("b.smi", b"CCO\nc1ccccc1O\n", "text/plain")}}
    if (method, path) == ("POST", "/api/v1/projects/{project_id}/measurements"):
        return {"files": {"file": ("b.csv", b"formula,property,value\nLiCoO2,band_gap,1\n")}}
    if (method, path) == ("POST", "/api/v1/models/training/upload"):
        table = b"formula,value,unit\nNaCl,8.5,eV\nKBr,7.4,eV\n"
        return {"files": {"file": ("b.csv", table, "text/csv")}, "data": {"property": "band_gap"}}
    if (method, path) == ("POST", "/api/v1/models/training/structures"):
        frame = (
            '2\nLattice="4 0 0 0 4 0 0 0 4" Properties=species:S:1:pos:R:3 energy=-7.5 '
            'pbc="T T T"\nNa 0 0 0\nCl 2 2 2\n'
        )
        return {"files": {"file": ("b.extxyz", frame.encode(), "text/plain")}}
    if (method, path) == ("POST", "/api/v1/molecules/upload"):
        return {"files": {"file": ("b.smi", b"CCO b-ethanol\nCCN\n", "text/plain")}}
    if (method, path) == ("POST", "/api/v1/molecules/activities/import"):
        data = b"smiles,standard_type,standard_value,standard_units\nCCO,Ki,5,nM\n"
        return {"files": {"file": ("b.csv", data, "text/csv")}}
    return None


@dataclass
class Tenants:
    client: TestClient
    a_admin: dict[str, str]
    a_researcher: dict[str, str]
    a_viewer: dict[str, str]
    b_admin: dict[str, str]
    a_objects: dict[str, int] = field(default_factory=dict)
    a_key: str = ""


@dataclass(frozen=True)
class Operation:
    method: str
    path: str
    spec: dict[str, Any]

    @property
    def params(self) -> list[str]:
        return re.findall(r"{(\w+)}", self.path)

    @property
    def access(self) -> str:
        marked = self.spec.get("x-access")
        if marked:
            return str(marked)
        return "read" if self.method in ("GET", "HEAD") else "write"

    @property
    def secured(self) -> bool:
        return bool(self.spec.get("security"))


def operations(app: FastAPI) -> list[Operation]:
    app.openapi_schema = None
    schema = app.openapi()
    return [
        Operation(method.upper(), path, spec)
        for path, item in schema["paths"].items()
        for method, spec in item.items()
        if method in {"get", "post", "put", "patch", "delete"}
    ]


def call(
    t: Tenants, op: Operation, headers: dict[str, str] | None, ids: dict[str, int] | None = None
) -> Any:
    url = op.path
    for name in op.params:
        value = (ids or {}).get(name, GLOBAL_PARAMS.get(name, 999_999_999))
        url = url.replace("{" + name + "}", str(value))
    kwargs: dict[str, Any] = {"headers": headers or {}}
    key = (op.method, op.path)
    if key in QUERIES:
        kwargs["params"] = QUERIES[key]
    multipart = multipart_for(*key)
    if multipart is not None:
        kwargs.update(multipart)
    elif key in JSON_BODIES:
        kwargs["json"] = JSON_BODIES[key]
    return t.client.request(op.method, url, **kwargs)


def unclassified(op: Operation) -> list[str]:
    """Reasons this test cannot exercise ``op`` meaningfully yet."""
    problems = []
    for name in op.params:
        if name not in GLOBAL_PARAMS and name not in KNOWN_OBJECT_PARAMS:
            problems.append(f"{op.method} {op.path}: unknown path parameter {name!r}")
    body = op.spec.get("requestBody", {})
    key = (op.method, op.path)
    if body.get("required") and key not in JSON_BODIES and multipart_for(*key) is None:
        problems.append(f"{op.method} {op.path}: add a sample request body")
    required_query = [
        p["name"] for p in op.spec.get("parameters", []) if p["in"] == "query" and p["required"]
    ]
    if required_query and key not in QUERIES:
        problems.append(f"{op.method} {op.path}: add sample query {required_query}")
    return problems


KNOWN_OBJECT_PARAMS = {
    "material_id",
    "job_id",
    "api_key_id",
    "user_id",
    "invitation_id",
    "project_id",
    "item_id",
    "measurement_id",
    "recalibration_id",
    "version_id",
    "molecule_id",
    "campaign_id",
    "round_index",
}


def leaks(t: Tenants, response: Any) -> list[str]:
    body = response.text
    found = []
    if MARKER in body:
        found.append("marker")
    material, job = t.a_objects["material_id"], t.a_objects["job_id"]
    try:
        data = response.json()
    except (ValueError, json.JSONDecodeError):
        return found
    for item in _dicts(data):
        is_material = "formula" in item and "id" in item
        if (is_material and item["id"] == material) or item.get("material_id") == material:
            found.append(f"material {material}")
        if job in (item.get("job_id"), item.get("current_job_id")):
            found.append(f"job {job}")
    return found


def _dicts(data: Any) -> Iterator[dict[str, Any]]:
    if isinstance(data, dict):
        yield data
        for v in data.values():
            yield from _dicts(v)
    elif isinstance(data, list):
        for v in data:
            yield from _dicts(v)


def isolation_problems(t: Tenants, app: FastAPI) -> list[str]:
    problems: list[str] = []
    ops = operations(app)
    for op in ops:
        if not op.secured:
            if (op.method, op.path) not in PUBLIC:
                problems.append(f"{op.method} {op.path}: no security requirement")
            continue
        problems += unclassified(op)
    if problems:
        return problems
    for op in ops:
        if not op.secured:
            continue
        r = call(t, op, None, t.a_objects)
        if r.status_code != 401:
            problems.append(f"{op.method} {op.path}: anonymous got {r.status_code}")
    for op in ops:
        if not op.secured or op.path.endswith("/auth/password"):
            continue
        r = call(t, op, t.b_admin, t.a_objects)
        addresses_a = any(p in KNOWN_OBJECT_PARAMS for p in op.params)
        if addresses_a and r.status_code != 404:
            problems.append(f"{op.method} {op.path}: B got {r.status_code} for A's object")
        problems += [f"{op.method} {op.path}: B saw A's {what}" for what in leaks(t, r)]
    return problems


def role_problems(t: Tenants, app: FastAPI) -> list[str]:
    problems = []
    for op in operations(app):
        if not op.secured or op.access in ("read", "self"):
            continue
        own = dict(t.a_objects)
        viewer = call(t, op, t.a_viewer, own)
        if viewer.status_code != 403:
            problems.append(f"{op.method} {op.path}: viewer got {viewer.status_code}")
        if op.access == "admin":
            researcher = call(t, op, t.a_researcher, own)
            if researcher.status_code != 403:
                problems.append(f"{op.method} {op.path}: researcher got {researcher.status_code}")
    return problems


@pytest.fixture()
def tenants(db_url: str, tmp_path: Path, engine: Engine) -> Iterator[Tenants]:
    a, b = make_org(engine, "Tenant A"), make_org(engine, "Tenant B")
    make_user(engine, a, "admin@a.org", Role.admin)
    researcher_id = make_user(engine, a, f"res@{MARKER}.org", Role.researcher)
    make_user(engine, a, "viewer@a.org", Role.viewer)
    make_user(engine, b, "admin@b.org", Role.admin)
    app = create_app(server_settings(db_url, tmp_path, writes_per_minute=100_000))
    with TestClient(app) as client:
        t = Tenants(
            client,
            a_admin=login(client, "admin@a.org"),
            a_researcher=login(client, f"res@{MARKER}.org"),
            a_viewer=login(client, "viewer@a.org"),
            b_admin=login(client, "admin@b.org"),
        )
        seed_tenant_a(t, researcher_id)
        t.a_objects["version_id"] = seed_model_version(engine, a.id)
        seed_known_compound(engine, "LiCoO2")  # A's upload is of this formula
        # a worker busy with A's job: B may see the worker, not the job
        with engine.begin() as conn:
            conn.execute(
                text(
                    "INSERT INTO worker_processes (host, pid, last_heartbeat, current_task, "
                    "current_job_id) VALUES ('node1', 4242, now() + interval '1 hour', "
                    "'batch_chunk', :job)"
                ),
                {"job": t.a_objects["job_id"]},
            )
        yield t


def seed_model_version(engine: Engine, organization_id: int) -> int:
    """A candidate model version of A (named with the marker) with an artifact key."""
    with engine.begin() as conn:
        return int(
            conn.execute(
                text(
                    "INSERT INTO model_versions (organization_id, name, property, method, unit,"
                    " version, version_label, artifact_key, status) VALUES (:o, :n, 'band_gap',"
                    " 'composition', 'eV', 1, '1.0.0+ft.1', 'models/a/band_gap/v1',"
                    " 'candidate') RETURNING id"
                ),
                {"o": organization_id, "n": f"{MARKER}-model"},
            ).scalar_one()
        )


def seed_known_compound(engine: Engine, formula: str) -> None:
    """One shared reference row of ``formula`` and its compound, so the compound page
    (which lists the caller's own materials of that formula) answers for B too."""
    from matdiscover.domains.compounds import service as compounds_service

    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO materials (organization_id, formula, reduced_formula, "
                "chemical_system, elements, nelements, source, source_database, source_id, "
                "properties) VALUES (NULL, :f, :f, 'Co-Li-O', ARRAY['Co','Li','O'], 3, "
                "'reference', 'materials_project', 'mp_gap:1', '{\"band_gap\": 2.2}')"
            ),
            {"f": formula},
        )
        compounds_service.rebuild(conn, [formula])


def seed_tenant_a(t: Tenants, researcher_id: int) -> None:
    c, h = t.client, t.a_researcher
    up = c.post(
        f"{API}/materials",
        files=[("files", (f"{MARKER}.cif", CIF.read_bytes(), "chemical/x-cif"))],
        headers=h,
    )
    assert up.status_code == 201, up.text
    material_id = up.json()[0]["id"]
    pred = c.post(f"{API}/predictions", json={"material_id": material_id}, headers=h)
    assert pred.status_code == 200, pred.text
    job = c.post(
        f"{API}/jobs/batch-predictions",
        files={"file": (f"{MARKER}.csv", b"formula\nNaCl\nLiF\n", "text/csv")},
        headers=h,
    )
    assert job.status_code == 202, job.text
    molecule_job = c.post(
        f"{API}/molecules/batch",
        files={"file": (f"{MARKER}.smi", b"CCO\nOc1ccccc1O\n", "text/plain")},
        headers=h,
    )
    assert molecule_job.status_code == 202, molecule_job.text
    key = c.post(f"{API}/api-keys", json={"name": f"{MARKER}-key"}, headers=h)
    assert key.status_code == 201, key.text
    invited = invite(c, t.a_admin, f"invitee@{MARKER}.org", role="viewer")
    t.a_objects.update(seed_project_a(t, material_id))
    t.a_objects.update(seed_molecule_a(t))
    t.a_objects.update(seed_campaign_a(t, t.a_objects["project_id"]))
    t.a_objects.update(
        material_id=material_id,
        job_id=job.json()["id"],
        api_key_id=key.json()["id"],
        user_id=researcher_id,
        invitation_id=invited["id"],
    )
    t.a_key = key.json()["key"]


def seed_project_a(t: Tenants, material_id: int) -> dict[str, int]:
    """A's project with one item, five band-gap measurements and a recalibration."""
    c, h = t.client, t.a_researcher
    project = c.post(f"{API}/projects", json={"name": f"{MARKER}-project"}, headers=h)
    assert project.status_code == 201, project.text
    pid = project.json()["id"]
    item = c.post(f"{API}/projects/{pid}/items", json={"material_id": material_id}, headers=h)
    assert item.status_code == 201, item.text
    rows = "".join(f"{material_id},band_gap,{2 + i / 10},{MARKER}\n" for i in range(5))
    data = ("material_id,property,value,notes\n" + rows).encode()
    up = c.post(f"{API}/projects/{pid}/measurements", files={"file": ("a.csv", data)}, headers=h)
    assert up.status_code == 201, up.text
    rec = c.post(f"{API}/projects/{pid}/recalibrations", json={"property": "band_gap"}, headers=h)
    assert rec.status_code == 201, rec.text
    return {
        "project_id": pid,
        "item_id": item.json()["id"],
        "measurement_id": up.json()["measurement_ids"][0],
        "recalibration_id": rec.json()["id"],
    }


def seed_campaign_a(t: Tenants, project_id: int) -> dict[str, int]:
    """A campaign (named with the marker) in A's project, with its first round queued."""
    body = {
        "name": f"{MARKER}-campaign",
        "objectives": [{"property": "band_gap"}],
        "batch_size": 1,
        "pool": {"source": "uploaded", "formulas": ["LiCoO2", "NaCl"]},
    }
    url = f"{API}/projects/{project_id}/campaigns"
    r = t.client.post(url, json=body, headers=t.a_researcher)
    assert r.status_code == 201, r.text
    campaign_id = r.json()["id"]
    rnd = t.client.post(f"{url}/{campaign_id}/rounds", headers=t.a_researcher)
    assert rnd.status_code == 202, rnd.text
    return {"campaign_id": campaign_id, "round_index": rnd.json()["index"]}


def seed_molecule_a(t: Tenants) -> dict[str, int]:
    """A's molecule (named with the marker) with one activity."""
    body = {
        "smiles": MOLECULE,
        "name": f"{MARKER}-aspirin",
        "activity": {"value": 2.5, "unit": "uM"},
    }
    r = t.client.post(f"{API}/molecules", json=body, headers=t.a_researcher)
    assert r.status_code == 201, r.text
    return {"molecule_id": r.json()["id"]}


def assert_a_unchanged(t: Tenants) -> None:
    c, h = t.client, t.a_admin
    ids = t.a_objects
    assert c.get(f"{API}/materials/{ids['material_id']}", headers=h).status_code == 200
    job = c.get(f"{API}/jobs/{ids['job_id']}", headers=h).json()
    assert job["status"] != "cancelled"
    members = c.get(f"{API}/organization/members", headers=h).json()
    assert {m["user_id"]: m["role"] for m in members}[ids["user_id"]] == "researcher"
    invitations = c.get(f"{API}/organization/invitations", headers=h).json()
    assert {i["id"]: i["status"] for i in invitations}[ids["invitation_id"]] == "pending"
    assert c.get(f"{API}/auth/me", headers={"X-API-Key": t.a_key}).status_code == 200
    project = c.get(f"{API}/projects/{ids['project_id']}", headers=h).json()
    assert (project["description"], project["n_items"], project["n_measurements"]) == (None, 1, 5)
    measurement = c.get(f"{API}/measurements/{ids['measurement_id']}", headers=h).json()
    assert (measurement["value"], measurement["version"]) == (2.0, 1)
    molecule = c.get(f"{API}/molecules/{ids['molecule_id']}", headers=h).json()
    assert (molecule["name"], len(molecule["activities"])) == (f"{MARKER}-aspirin", 1)
    version = c.get(f"{API}/models/versions/{ids['version_id']}", headers=h).json()
    assert (version["name"], version["status"]) == (f"{MARKER}-model", "candidate")


def test_every_route_is_tenant_isolated_and_role_checked(tenants: Tenants) -> None:
    app = tenants.client.app
    assert isinstance(app, FastAPI)
    problems = isolation_problems(tenants, app)
    assert problems == []
    assert_a_unchanged(tenants)
    problems = role_problems(tenants, app)
    assert problems == []
    assert_a_unchanged(tenants)
    # the enumeration really covered the API
    assert len(operations(app)) >= 30


def test_an_unscoped_route_is_caught(tenants: Tenants) -> None:
    app = tenants.client.app
    assert isinstance(app, FastAPI)

    @app.get(f"{API}/leaky/materials/{{material_id}}", dependencies=[Depends(authorize)])
    def leaky(material_id: int, request: Request, caller: CallerDep) -> dict[str, Any]:
        # reads with a fresh, unscoped session and raw SQL: exactly what not to do
        with request.app.state.session_factory() as session:
            row = session.execute(
                text("SELECT id, formula, filename FROM materials WHERE id = :id"),
                {"id": material_id},
            ).one_or_none()
        if row is None:
            return {}
        return {"id": row.id, "formula": row.formula, "filename": row.filename}

    # ahead of the web UI's catch-all route, like the API's own routes
    app.router.routes.insert(0, app.router.routes.pop())
    problems = isolation_problems(tenants, app)
    leaky_problems = [p for p in problems if "/leaky/" in p]
    assert leaky_problems, problems
    assert any("B got 200 for A's object" in p for p in leaky_problems)
    assert any("B saw A's marker" in p for p in leaky_problems)
    assert [p for p in problems if "/leaky/" not in p] == []
