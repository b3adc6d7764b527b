"""Similarity search: sanity of composition and structure neighbours, tenancy, inputs."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from pymatgen.core import Composition, Lattice, Structure
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from matdiscover.domains.similarity.derived import backfill_derived_columns
from matdiscover.science.io import write_structure
from matdiscover.settings import Settings
from tests.platform.test_search_data import Seed, seed

ALKALI = {"Li", "Na", "K", "Rb", "Cs"}
HALOGEN = {"F", "Cl", "Br", "I"}


@pytest.fixture()
def api(settings: Settings) -> Iterator[TestClient]:
    """The app with the similarity router included (until app.py includes it)."""
    from matdiscover.api.app import API_PREFIX, create_app
    from matdiscover.domains.similarity import router as similarity_router

    app = create_app(settings)
    if not any(getattr(r, "path", "") == f"{API_PREFIX}/similar" for r in app.routes):
        app.include_router(similarity_router.router, prefix=API_PREFIX)
    with TestClient(app) as c:
        yield c


@pytest.fixture()
def data(session: Session, engine: Engine) -> Seed:
    out = seed(session)
    with engine.begin() as conn:  # what the reference loader does after a load
        backfill_derived_columns(conn)
    return out


def _ref_id(data: Seed, formula: str) -> int:
    f = data.frame
    return int(f[(f.org.isna()) & (f.reduced_formula == formula)].id.iloc[0])


def _is_alkali_halide(formula: str) -> bool:
    els = {el.symbol for el in Composition(formula).elements}
    return len(els) == 2 and bool(els & ALKALI) and bool(els & HALOGEN)


def test_nacl_neighbours_include_alkali_halides(api: TestClient, data: Seed) -> None:
    r = api.get(f"/api/v1/materials/{_ref_id(data, 'NaCl')}/similar", params={"k": 10})
    assert r.status_code == 200, r.text
    items = r.json()["items"]
    formulas = [i["material"]["reduced_formula"] for i in items]
    assert len(items) == 10 and "NaCl" not in formulas
    assert sum(_is_alkali_halide(f) for f in formulas[:5]) >= 3, formulas
    assert {"NaBr", "LiCl", "RbCl", "CsCl"} & set(formulas[:5])
    distances = [i["distance"] for i in items]
    assert distances == sorted(distances)


def test_perovskite_neighbours_include_perovskite_oxides(api: TestClient, data: Seed) -> None:
    body = api.post("/api/v1/similar", json={"formula": "SrTiO3", "k": 10}).json()
    formulas = [i["material"]["reduced_formula"] for i in body["items"]]
    assert "SrTiO3" not in formulas
    perovskites = [f for f in formulas if Composition(f).anonymized_formula == "ABC3" and "O" in f]
    assert {"BaTiO3", "CaTiO3"} <= set(formulas), formulas
    assert len(perovskites) >= 3, formulas


def test_other_tenants_materials_never_returned(api: TestClient, data: Seed) -> None:
    other = set(data.frame[data.frame.org == data.other_org_id].id)
    mine = data.frame[(data.frame.org == data.org_id) & (data.frame.reduced_formula == "Fe2O3")]
    body = api.get(f"/api/v1/materials/{int(mine.id.iloc[0])}/similar", params={"k": 50}).json()
    got = {i["material"]["id"] for i in body["items"]}
    assert got and not (got & other)
    # my own SrTiO3 represents the formula for me (own material before reference rows)
    body = api.post("/api/v1/similar", json={"formula": "BaTiO3", "k": 5}).json()
    srtio3 = [i for i in body["items"] if i["material"]["reduced_formula"] == "SrTiO3"]
    assert srtio3 and srtio3[0]["material"]["is_reference"] is False
    assert srtio3[0]["entries"] == 2


@pytest.mark.parametrize(
    "body",
    [{"formula": "Xx"}, {}, {"formula": "NaCl", "by": "structure"}, {"formula": "NaCl", "k": 0}],
)
def test_bad_similarity_requests(api: TestClient, body: dict[str, object]) -> None:
    assert api.post("/api/v1/similar", json=body).status_code in (400, 422)


def _rocksalt(a: float, species: tuple[str, str]) -> Structure:
    return Structure.from_spacegroup(
        "Fm-3m", Lattice.cubic(a), list(species), [[0, 0, 0], [0.5, 0.5, 0.5]]
    )


def _perovskite(a: float, species: tuple[str, str, str]) -> Structure:
    return Structure.from_spacegroup(
        "Pm-3m",
        Lattice.cubic(a),
        list(species),
        [[0, 0, 0], [0.5, 0.5, 0.5], [0.5, 0.5, 0]],
    )


def test_structure_neighbours_by_chgnet_features(api: TestClient) -> None:
    files = {
        "NaCl.cif": _rocksalt(5.64, ("Na", "Cl")),
        "KCl.cif": _rocksalt(6.29, ("K", "Cl")),
        "SrTiO3.cif": _perovskite(3.905, ("Sr", "Ti", "O")),
        "BaTiO3.cif": _perovskite(4.00, ("Ba", "Ti", "O")),
    }
    r = api.post(
        "/api/v1/materials",
        files=[("files", (n, write_structure(s, "cif").encode())) for n, s in files.items()],
    )
    assert r.status_code == 201, r.text
    ids = {m["reduced_formula"]: m["id"] for m in r.json()}
    body = api.get(
        f"/api/v1/materials/{ids['NaCl']}/similar", params={"by": "structure", "k": 3}
    ).json()
    assert body["items"][0]["material"]["reduced_formula"] == "KCl", body
    body = api.post(
        "/api/v1/similar",
        json={
            "structure": {
                "content": write_structure(_perovskite(3.95, ("Ca", "Ti", "O")), "cif"),
                "filename": "CaTiO3.cif",
            },
            "by": "structure",
            "k": 2,
        },
    ).json()
    assert {i["material"]["reduced_formula"] for i in body["items"]} == {"SrTiO3", "BaTiO3"}
