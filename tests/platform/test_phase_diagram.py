"""Phase-diagram and stability endpoints against pymatgen on the same entries."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from pymatgen.analysis.phase_diagram import PDEntry, PhaseDiagram
from pymatgen.core import Composition
from sqlalchemy.orm import Session

from matdiscover.science.reference_data import load_table
from matdiscover.settings import Settings
from tests.platform.test_search_data import seed


@pytest.fixture()
def api(settings: Settings) -> Iterator[TestClient]:
    """The app with the thermo router included (until app.py includes it)."""
    from matdiscover.api.app import API_PREFIX, create_app
    from matdiscover.domains.thermo import router as thermo_router

    app = create_app(settings)
    if not any(getattr(r, "path", "") == f"{API_PREFIX}/phase-diagram" for r in app.routes):
        app.include_router(thermo_router.router, prefix=API_PREFIX)
    with TestClient(app) as c:
        yield c


def pymatgen_diagram(elements: list[str], extra: list[tuple[str, float]]) -> PhaseDiagram:
    """An independent hull: lowest mp_e_form energy per reduced formula, elements at 0."""
    table = load_table("mp_e_form")
    best: dict[str, tuple[Composition, float]] = {}
    for formula, e in zip(table["formula"], table["target"], strict=True):
        comp = Composition(formula)
        if not {el.symbol for el in comp.elements} <= set(elements) or len(comp.elements) < 2:
            continue
        key = comp.reduced_formula
        if key not in best or e < best[key][1]:
            best[key] = (comp, float(e))
    entries = [PDEntry(Composition(el), 0.0) for el in elements]
    entries += [PDEntry(c, e * c.num_atoms) for c, e in best.values()]
    entries += [PDEntry(Composition(f), e * Composition(f).num_atoms) for f, e in extra]
    return PhaseDiagram(entries)


def _predict(session: Session, material_id: int, org: int, value: float) -> None:
    from matdiscover.domains.predictions.models import Prediction

    session.add(
        Prediction(
            material_id=material_id,
            organization_id=org,
            property="formation_energy",
            value=value,
            unit="eV/atom",
            method="composition",
            model_name="test",
            model_version="1",
        )
    )
    session.commit()


def test_li_fe_o_ground_states_and_predicted_material_match_pymatgen(
    api: TestClient, session: Session
) -> None:
    data = seed(session)
    mine = data.frame[(data.frame.org == data.org_id) & (data.frame.reduced_formula == "LiFeO2")]
    material_id = int(mine.id.iloc[0])
    _predict(session, material_id, data.org_id, -1.75)
    api.get("/api/v1/phase-diagram", params={"chemsys": "Li-O"})  # warm the hull
    t0 = time.perf_counter()
    r = api.get("/api/v1/phase-diagram", params={"chemsys": "Li-Fe-O"})
    elapsed = time.perf_counter() - t0
    assert r.status_code == 200, r.text
    body = r.json()
    assert elapsed < 2.0
    assert {"Fe2O3", "Fe3O4", "Li2O"} <= set(body["stable"])
    assert body["elements"] == ["Fe", "Li", "O"]
    assert body["provenance"]["dataset"] == "mp_e_form"
    (pred,) = [e for e in body["entries"] if e["source"] == "predicted"]
    assert pred["material_id"] == material_id
    reference = pymatgen_diagram(["Fe", "Li", "O"], [("LiFeO2", -1.75)])
    extra_entry = next(e for e in reference.all_entries if e.energy_per_atom == -1.75)
    assert pred["e_above_hull"] == pytest.approx(reference.get_e_above_hull(extra_entry), abs=1e-6)
    # every reference entry's e_above_hull agrees with pymatgen too
    by_formula = {}
    for e in reference.all_entries:
        if e is extra_entry:
            continue
        f = e.composition.reduced_formula
        ehull = reference.get_e_above_hull(e)
        by_formula[f] = min(by_formula.get(f, 9.0), ehull)
    for e in body["entries"]:
        if e["source"] == "reference":
            assert e["e_above_hull"] == pytest.approx(by_formula[e["formula"]], abs=1e-6)
    # ternary plot coordinates: in the triangle, vertices at the elements
    li = next(e for e in body["entries"] if e["name"] == "Li")
    assert (li["x"], li["y"]) == pytest.approx((1.0, 0.0))
    assert all(0 <= e["x"] <= 1 and 0 <= e["y"] <= 0.8661 for e in body["entries"])
    assert body["tie_lines"]

    stab = api.get(f"/api/v1/materials/{material_id}/stability").json()
    assert stab["energy_source"] == "predicted"
    assert stab["e_above_hull"] == pytest.approx(pred["e_above_hull"], abs=1e-6)
    assert stab["provenance"]["convention"].startswith("MP legacy")
    if stab["e_above_hull"] > 0:
        assert stab["decomposition"]


def test_binary_al_ni_coordinates_and_speed(api: TestClient) -> None:
    api.get("/api/v1/phase-diagram", params={"chemsys": "Al"})
    t0 = time.perf_counter()
    body = api.get("/api/v1/phase-diagram", params={"chemsys": "Ni-Al"}).json()
    assert time.perf_counter() - t0 < 2.0
    assert body["chemsys"] == "Al-Ni"
    assert "AlNi" in body["stable"] or "NiAl" in body["stable"]
    for e in body["entries"]:
        assert e["x"] == pytest.approx(e["fractions"]["Ni"])
        assert e["y"] == pytest.approx(e["formation_energy_per_atom"])
    stable_x = sorted(e["x"] for e in body["entries"] if e["is_stable"])
    assert stable_x[0] == 0 and stable_x[-1] == 1


@pytest.mark.parametrize("chemsys", ["Li-Fe-P-O-N", "Xx-O", ""])
def test_bad_chemical_systems_are_400(api: TestClient, chemsys: str) -> None:
    r = api.get("/api/v1/phase-diagram", params={"chemsys": chemsys})
    assert r.status_code == 400, r.text


def test_stability_without_formation_energy_is_404(api: TestClient, session: Session) -> None:
    data = seed(session)
    oqmd = data.frame[data.frame.source_database == "oqmd"].id.iloc[0]
    r = api.get(f"/api/v1/materials/{int(oqmd)}/stability")
    assert r.status_code == 404
    assert "predict formation_energy" in r.json()["detail"]
    other = data.frame[data.frame.org == data.other_org_id].id.iloc[0]
    assert api.get(f"/api/v1/materials/{int(other)}/stability").status_code == 404


def test_api_start_builds_the_hull_in_the_background(settings: Settings) -> None:
    from matdiscover.api.app import create_app
    from matdiscover.science.thermo.hull import _dataset_hull

    _dataset_hull.cache_clear()
    with TestClient(create_app(settings)) as client:
        deadline = time.monotonic() + 60
        while _dataset_hull.cache_info().currsize == 0 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert _dataset_hull.cache_info().currsize == 1, "no warm-up at start-up"
        warmed = [t for t in threading.enumerate() if t.name == "thermo-warm-up"]
        for t in warmed:
            t.join(30)
        t0 = time.perf_counter()
        r = client.get("/api/v1/phase-diagram", params={"chemsys": "Na-Cl"})
        assert r.status_code == 200, r.text
        assert time.perf_counter() - t0 < 1.0  # no hull to build any more
        assert _dataset_hull.cache_info().misses == 1  # built once, by the warm-up
