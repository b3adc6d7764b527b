"""REST API for materials against the real embedded PostgreSQL."""

from __future__ import annotations

import io
import zipfile

import numpy as np
import pytest
from fastapi.testclient import TestClient
from pymatgen.core import Lattice, Structure
from sqlalchemy import Engine

from matdiscover.science.io import write_structure
from tests.platform.conftest import count_rows


def rocksalt(a: float = 5.64, species: tuple[str, str] = ("Na", "Cl")) -> Structure:
    return Structure.from_spacegroup(
        "Fm-3m", Lattice.cubic(a), list(species), [[0, 0, 0], [0.5, 0.5, 0.5]]
    )


def upload(client: TestClient, *files: tuple[str, bytes]):  # type: ignore[no-untyped-def]
    return client.post("/api/v1/materials", files=[("files", (n, d)) for n, d in files])


def test_health(client: TestClient) -> None:
    r = client.get("/api/v1/health")
    assert r.status_code == 200
    body = r.json()
    assert body["status"] == "ok" and body["database"] == "ok" and body["version"]


def test_upload_cif_returns_material_fields(client: TestClient) -> None:
    r = upload(client, ("NaCl.cif", write_structure(rocksalt(), "cif").encode()))
    assert r.status_code == 201, r.text
    (m,) = r.json()
    assert m["reduced_formula"] == "NaCl"
    assert m["chemical_system"] == "Cl-Na"
    assert m["nsites"] == 8
    assert m["space_group_number"] == 225 and m["space_group_symbol"] == "Fm-3m"
    assert m["crystal_system"] == "cubic"
    assert m["is_ordered"] is True and m["duplicate_of"] is None
    assert m["filename"] == "NaCl.cif"
    got = client.get(f"/api/v1/materials/{m['id']}").json()
    assert got["id"] == m["id"] and got["lattice"]["a"] == pytest.approx(5.64)
    assert got["density"] == pytest.approx(2.1, abs=0.1)


def test_same_crystal_in_other_cell_is_a_duplicate(client: TestClient) -> None:
    conv = rocksalt()
    prim = conv.get_primitive_structure()
    # a different, equivalent description: primitive cell, shifted origin, reordered sites
    prim.translate_sites(list(range(len(prim))), [0.13, 0.27, 0.41])
    prim = Structure.from_sites(list(reversed(prim.sites)))
    first = upload(client, ("NaCl.cif", write_structure(conv, "cif").encode())).json()[0]
    second = upload(client, ("POSCAR", write_structure(prim, "poscar").encode())).json()[0]
    assert second["nsites"] == 2
    assert second["duplicate_of"] == first["id"]
    other = upload(
        client, ("KCl.cif", write_structure(rocksalt(6.29, ("K", "Cl")), "cif").encode())
    )
    assert other.json()[0]["duplicate_of"] is None
    strained = upload(client, ("NaCl_big.cif", write_structure(rocksalt(5.90), "cif").encode()))
    assert strained.json()[0]["duplicate_of"] is None, "a 5% larger cell is a different entry"


def test_partial_failure_and_all_failure(client: TestClient, engine: Engine) -> None:
    good = ("NaCl.cif", write_structure(rocksalt(), "cif").encode())
    r = upload(client, good, ("junk.cif", b"\x00\x01\x02 binary"))
    assert r.status_code == 201
    body = r.json()
    assert len(body) == 2
    assert "id" in body[0] and body[1]["filename"] == "junk.cif" and body[1]["error"]
    before = count_rows(engine, "materials")
    r = upload(client, ("empty.cif", b""), ("bad.vasp", b"not a poscar"))
    assert r.status_code == 422
    detail = r.json()["detail"]
    assert {d["filename"] for d in detail} == {"empty.cif", "bad.vasp"}
    assert all(d["error"] for d in detail)
    assert count_rows(engine, "materials") == before


def test_zip_upload_and_hostile_zip(client: TestClient) -> None:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("a/NaCl.cif", write_structure(rocksalt(), "cif"))
        zf.writestr("KCl.vasp", write_structure(rocksalt(6.29, ("K", "Cl")), "poscar"))
    r = upload(client, ("set.zip", buf.getvalue()))
    assert r.status_code == 201, r.text
    assert sorted(m["reduced_formula"] for m in r.json()) == ["KCl", "NaCl"]
    evil = io.BytesIO()
    with zipfile.ZipFile(evil, "w") as zf:
        zf.writestr("../../etc/passwd.cif", "data_x")
    r = upload(client, ("evil.zip", evil.getvalue()))
    assert r.status_code == 422
    assert "evil.zip" in r.json()["detail"][0]["filename"]


def test_request_over_limit_is_413(settings, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from matdiscover.api.app import create_app

    small = settings.model_copy(update={"max_upload_bytes": 2048, "max_file_bytes": 1024})
    with TestClient(create_app(small)) as c:
        r = c.post("/api/v1/materials", files=[("files", ("big.cif", b"x" * 5_000_000))])
        assert r.status_code == 413
        assert "limit" in r.json()["detail"]


def test_get_delete_and_structure_formats(client: TestClient) -> None:
    m = upload(client, ("NaCl.cif", write_structure(rocksalt(), "cif").encode())).json()[0]
    for fmt in ("cif", "poscar", "json"):
        r = client.get(f"/api/v1/materials/{m['id']}/structure", params={"format": fmt})
        assert r.status_code == 200
        assert "attachment" in r.headers["content-disposition"]
        back = upload(client, (f"back.{'vasp' if fmt == 'poscar' else fmt}", r.content)).json()[0]
        assert back["reduced_formula"] == "NaCl" and back["duplicate_of"] == m["id"]
    assert client.get(f"/api/v1/materials/{m['id']}/structure?format=xyz").status_code == 422
    assert client.delete(f"/api/v1/materials/{m['id']}").status_code == 204
    assert client.get(f"/api/v1/materials/{m['id']}").status_code == 404
    assert client.delete(f"/api/v1/materials/{m['id']}").status_code == 404
    assert client.get("/api/v1/materials/999999999").json()["detail"]


def test_list_filters_sorting_and_cursor_pagination(client: TestClient) -> None:
    entries = [
        ("NaCl", rocksalt(5.64, ("Na", "Cl"))),
        ("KCl", rocksalt(6.29, ("K", "Cl"))),
        ("MgO", rocksalt(4.21, ("Mg", "O"))),
        ("CaO", rocksalt(4.81, ("Ca", "O"))),
        ("LiF", rocksalt(4.03, ("Li", "F"))),
    ]
    fe2o3 = Structure.from_spacegroup(
        "R-3c", Lattice.hexagonal(5.035, 13.75), ["Fe", "O"], [[0, 0, 0.3553], [0.3059, 0, 0.25]]
    )
    files = [(f"{n}.cif", write_structure(s, "cif").encode()) for n, s in entries]
    files.append(("Fe2O3.cif", write_structure(fe2o3, "cif").encode()))
    assert upload(client, *files).status_code == 201

    def q(**params):  # type: ignore[no-untyped-def]
        r = client.get("/api/v1/materials", params=params)
        assert r.status_code == 200, r.text
        return r.json()

    assert q()["total"] == 6
    assert {m["reduced_formula"] for m in q(elements="O")["items"]} == {"MgO", "CaO", "Fe2O3"}
    assert {m["reduced_formula"] for m in q(elements="Fe,O")["items"]} == {"Fe2O3"}
    assert {m["reduced_formula"] for m in q(elements_any=["Li", "K"])["items"]} == {"LiF", "KCl"}
    assert q(elements_exclude="Cl,O")["total"] == 1
    assert [m["reduced_formula"] for m in q(chemical_system="O-Fe")["items"]] == ["Fe2O3"]
    assert q(formula="Fe2O3")["total"] == 1
    assert q(reduced_formula="ClNa")["total"] == 1
    assert q(space_group_number=167)["items"][0]["reduced_formula"] == "Fe2O3"
    assert q(crystal_system="trigonal")["total"] == 1

    dens = [m["density"] for m in q(sort="density", order="desc")["items"]]
    assert dens == sorted(dens, reverse=True)

    seen: list[int] = []
    cursor = None
    while True:
        page = q(limit=2, sort="volume", **({"cursor": cursor} if cursor else {}))
        assert page["total"] == 6
        seen.extend(m["id"] for m in page["items"])
        vols = [m["volume"] for m in page["items"]]
        assert vols == sorted(vols)
        cursor = page["next_cursor"]
        if not cursor:
            break
    assert len(seen) == 6 and len(set(seen)) == 6

    assert client.get("/api/v1/materials", params={"elements": "Xx"}).status_code == 400
    assert client.get("/api/v1/materials", params={"cursor": "%%%"}).status_code == 400
    assert client.get("/api/v1/materials", params={"limit": 0}).status_code == 422
    assert client.get("/api/v1/materials", params={"sort": "nonsense"}).status_code == 422


def test_disordered_structure_is_kept_and_flagged(client: TestClient) -> None:
    s = Structure.from_spacegroup(
        "Fm-3m", Lattice.cubic(3.6), [{"Cu": 0.5, "Au": 0.5}], [[0, 0, 0]]
    )
    m = upload(client, ("CuAu.cif", write_structure(s, "cif").encode())).json()[0]
    assert m["is_ordered"] is False
    assert m["chemical_system"] == "Au-Cu"
    assert np.isclose(m["nsites"], 4)
