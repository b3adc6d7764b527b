"""Molecules over the real API and database: add, re-add (same InChIKey), read with every
score component and weight, PAINS alerts with atoms and the red highlight in the SVG,
activities, list sorting and filters, search, neighbours, ChEMBL import, exports, delete,
roles and organisations."""

from __future__ import annotations

import csv
import io
import json
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from rdkit import Chem
from sqlalchemy import Engine

from matdiscover.domains.identity import Role
from matdiscover.science.chemistry import load_moleculeace_seed
from matdiscover.science.chemistry.depict import PAINS_HEX
from matdiscover.settings import Settings
from tests.platform.conftest import count_rows
from tests.platform.tenants import login, make_org, make_user, server_settings

M = "/api/v1/molecules"
ASPIRIN = "CC(=O)Oc1ccccc1C(=O)O"
CAFFEINE = "Cn1cnc2c1c(=O)n(C)c(=O)n2C"
RHODANINE = "O=C1NC(=S)SC1=Cc1ccccc1"  # 5-benzylidene rhodanine: PAINS ene_rhod


@pytest.fixture()
def api(db_url: str, tmp_path: Path) -> Iterator[TestClient]:
    from matdiscover.api.app import create_app

    settings = Settings(database_url=db_url, data_dir=tmp_path / "data", auto_predict=False)
    with TestClient(create_app(settings)) as c:
        yield c


def _add(api: TestClient, smiles: str, **body: object) -> dict:  # type: ignore[type-arg]
    r = api.post(M, json={"smiles": smiles, **body})
    assert r.status_code == 201, r.text
    return r.json()  # type: ignore[no-any-return]


def _render_first_page(pdf: bytes, tmp_path: Path) -> int:
    """Render page 1 with pdftoppm (it must produce a PNG); the page count from pdfinfo."""
    assert pdf.startswith(b"%PDF-")
    path = tmp_path / "report.pdf"
    path.write_bytes(pdf)
    subprocess.run(
        ["pdftoppm", "-png", "-r", "30", "-f", "1", "-l", "1", str(path), str(tmp_path / "p")],
        check=True,
        timeout=60,
    )
    [png] = list(tmp_path.glob("p*.png"))
    assert png.read_bytes().startswith(b"\x89PNG") and png.stat().st_size > 1000
    png.unlink()
    info = subprocess.run(
        ["pdfinfo", str(path)], check=True, timeout=60, capture_output=True, text=True
    ).stdout
    return int(next(ln.split()[-1] for ln in info.splitlines() if ln.startswith("Pages:")))


def _recomputed(score: dict) -> float:  # type: ignore[type-arg]
    wp, we, wq = score["w_potency"], score["w_efficiency"], score["w_quality"]
    parts = wp * score["potency"] + we * score["efficiency"] + wq * score["quality"]
    return 100 * parts / (wp + we + wq)


def test_add_read_score_alerts_depiction_activities_delete(api: TestClient) -> None:
    aspirin = _add(
        api,
        ASPIRIN,
        name="aspirin",
        activity={"value": 2.5, "unit": "uM", "type": "IC50", "target": "CHEMBL230"},
    )
    assert aspirin["created"] and aspirin["inchikey"] == "BSYNRYMUTXBXSQ-UHFFFAOYSA-N"
    assert round(aspirin["mw"], 2) == 180.16 and aspirin["descriptors"]["hbd"] == 1
    score = aspirin["score"]
    assert score["total"] == pytest.approx(_recomputed(score), abs=1e-9)
    assert (score["w_potency"], score["w_efficiency"], score["w_quality"]) == (0.4, 0.35, 0.25)
    assert aspirin["classification"] == score["classification"] != "Unscored"
    # pIC50 of 2.5 µM = 5.602; BEI = pActivity / (MW / kDa)
    assert aspirin["p_activity"] == pytest.approx(5.60206, abs=1e-5)
    assert aspirin["indices"]["bei"] == pytest.approx(5.60206 / 0.18016, rel=1e-4)
    [act] = aspirin["activities"]
    assert (act["target"], act["standard_type"], act["unit"]) == ("CHEMBL230", "IC50", "uM")
    assert aspirin["primary_activity_id"] == act["id"]

    # the sodium salt is the same parent: 200, the existing molecule, the name kept
    again = api.post(M, json={"smiles": "[Na+].[O-]C(=O)c1ccccc1OC(C)=O", "name": "other"})
    assert again.status_code == 200, again.text
    assert (again.json()["id"], again.json()["created"], again.json()["name"]) == (
        aspirin["id"],
        False,
        "aspirin",
    )

    caffeine = _add(api, CAFFEINE, name="caffeine")
    assert caffeine["classification"] == "Unscored" and caffeine["score"]["total"] is None
    assert caffeine["alerts"] == [] or not any(a["is_pains"] for a in caffeine["alerts"])

    rhod = _add(
        api, RHODANINE, name="rhodanine", activity={"value": 40, "unit": "nM", "type": "Ki"}
    )
    pains = [a for a in rhod["alerts"] if a["is_pains"]]
    assert [a["family"] for a in pains] == ["ene_rhod"] and rhod["has_pains"]
    atoms = set(pains[0]["atoms"])
    mol = Chem.MolFromSmiles(rhod["smiles"])
    # the highlighted atoms are the rhodanine ring and its exocyclic C=C, not the phenyl
    ring = mol.GetSubstructMatch(Chem.MolFromSmarts("S1C(=S)NC(=O)C1=C"))
    assert atoms and atoms <= set(ring)
    assert rhod["score"]["alert_penalty"] >= 0.5
    assert rhod["score"]["total"] == pytest.approx(_recomputed(rhod["score"]), abs=1e-9)

    svg = api.get(f"{M}/{rhod['id']}/depiction.svg")
    assert svg.status_code == 200 and svg.headers["content-type"].startswith("image/svg+xml")
    assert "default-src 'none'" in svg.headers["content-security-policy"]
    assert PAINS_HEX in svg.text and "<script" not in svg.text.lower()
    plain = api.get(f"{M}/{caffeine['id']}/depiction.svg").text
    assert PAINS_HEX not in plain

    # a more potent activity becomes the primary one and raises the score
    r = api.post(
        f"{M}/{aspirin['id']}/activities", json={"value": 8.1, "type": "pKi", "target": "T2"}
    )
    assert r.status_code == 201, r.text
    body = r.json()
    assert body["p_activity"] == 8.1 and len(body["activities"]) == 2
    assert body["score"]["total"] > score["total"]
    assert (
        api.post(
            f"{M}/{aspirin['id']}/activities", json={"value": 8.1, "type": "pKi", "target": "T2"}
        ).json()["activities"]
        == body["activities"]
    )  # the same activity is stored once
    bad = api.post(f"{M}/{aspirin['id']}/activities", json={"value": 3, "unit": "furlongs"})
    assert bad.status_code == 422 and "unit" in bad.json()["detail"]

    assert api.get(f"{M}/{aspirin['id']}").json()["p_activity"] == 8.1
    assert api.delete(f"{M}/{caffeine['id']}").status_code == 204
    assert api.get(f"{M}/{caffeine['id']}").status_code == 404
    assert api.get(f"{M}/999999").status_code == 404


def test_invalid_input_is_422_and_stores_nothing(api: TestClient, engine: Engine) -> None:
    for smiles, words in (
        ("C1CC", "SMILES"),
        ("C(C)(C)(C)(C)C", "valence"),
        ("C" * 2001, "at most"),
    ):
        r = api.post(M, json={"smiles": smiles})
        assert r.status_code == 422, r.text
        assert words in json.dumps(r.json()), r.text
    r = api.post(M, json={"smiles": "CCO", "activity": {"value": -1, "unit": "nM"}})
    assert r.status_code == 422 and "positive" in r.json()["detail"]
    assert api.post(M, json={"smiles": "CCO", "name": "a\nb"}).status_code == 422
    empty = api.get(f"{M}/export", params={"format": "pdf"})
    assert empty.status_code == 400 and "at least one molecule" in empty.json()["detail"]
    assert count_rows(engine, "molecules") == 0


def test_list_sort_filter_search_and_exports(api: TestClient, tmp_path: Path) -> None:
    ids = {
        "aspirin": _add(api, ASPIRIN, name="aspirin", activity={"value": 5, "unit": "uM"})["id"],
        "rhodanine": _add(api, RHODANINE, name="rho_dan%ine", activity={"value": 9, "type": "pKi"})[
            "id"
        ],
        "caffeine": _add(api, CAFFEINE, name="caffeine")["id"],
        "inject": _add(api, "CCO", name="=HYPERLINK(1)", activity={"value": 10, "unit": "nM"})[
            "id"
        ],
    }
    page = api.get(M).json()
    totals = [m["score_total"] for m in page["items"]]
    scored = [t for t in totals if t is not None]
    assert page["total"] == 4 and scored == sorted(scored, reverse=True)
    assert totals[-1] is None  # unscored last
    by_name = [m["name"] for m in api.get(M, params={"sort": "name"}).json()["items"]]
    assert by_name == sorted(by_name, key=str.lower)
    mws = [m["mw"] for m in api.get(M, params={"sort": "mw", "order": "desc"}).json()["items"]]
    assert mws == sorted(mws, reverse=True)
    pains = api.get(M, params={"has_pains": "true"}).json()["items"]
    assert [m["id"] for m in pains] == [ids["rhodanine"]]
    unscored = api.get(M, params={"classification": "Unscored"}).json()["items"]
    assert [m["id"] for m in unscored] == [ids["caffeine"]]
    # q is a literal substring: '%' matches only itself
    assert [m["id"] for m in api.get(M, params={"q": "n%i"}).json()["items"]] == [ids["rhodanine"]]
    assert api.get(M, params={"q": "%"}).json()["total"] == 1
    assert api.get(M, params={"sort": "colour"}).status_code == 422

    # search: SMARTS over the organisation, similarity, bad input
    hits = api.get(f"{M}/search", params={"smarts": "c1ccccc1C(=O)[OH]"}).json()
    assert [h["molecule"]["id"] for h in hits["molecules"]] == [ids["aspirin"]]
    sim = api.get(f"{M}/search", params={"similar_to": "CC(=O)Oc1ccccc1C(=O)OC", "k": 2}).json()
    assert sim["molecules"][0]["molecule"]["id"] == ids["aspirin"]
    assert 0.5 < sim["molecules"][0]["similarity"] < 1.0 and len(sim["molecules"]) == 2
    for params in ({"smarts": "C(("}, {"similar_to": "C1CC"}, {}):
        r = api.get(f"{M}/search", params=params)
        assert r.status_code == 422 and r.json()["detail"], params
    assert api.get(f"{M}/search", params={"smarts": "C" * 501}).status_code == 422

    # exports
    text = api.get(f"{M}/export", params={"format": "csv"}).text
    rows = list(csv.DictReader(io.StringIO(text)))
    assert len(rows) == 4 and rows[0]["score_total"]
    assert {r["name"] for r in rows} >= {"'=HYPERLINK(1)", "aspirin"}
    data = api.get(f"{M}/export", params={"format": "json"}).json()["items"]
    assert {d["inchikey"] for d in data} == {r["inchikey"] for r in rows}
    sdf = api.get(f"{M}/export", params={"format": "sdf"})
    assert sdf.status_code == 200
    mols = [m for m in Chem.ForwardSDMolSupplier(io.BytesIO(sdf.content)) if m is not None]
    assert len(mols) == 4
    assert {Chem.MolToInchiKey(m) for m in mols} == {r["inchikey"] for r in rows}
    assert {m.GetProp("inchikey") for m in mols} == {r["inchikey"] for r in rows}
    # PDF: the export (ranked summary + a page per molecule) and one molecule's report
    pdf = api.get(f"{M}/export", params={"format": "pdf"})
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    pages = _render_first_page(pdf.content, tmp_path)
    assert pages >= 5  # summary + 4 molecules
    one = api.get(f"{M}/{ids['rhodanine']}/report.pdf")
    assert one.status_code == 200 and _render_first_page(one.content, tmp_path) >= 2
    text = subprocess.run(
        ["pdftotext", str(tmp_path / "report.pdf"), "-"], check=True, capture_output=True, text=True
    ).stdout
    assert "rho_dan%ine" in text and "ene_rhod" in text
    aspirin_sd = next(m for m in mols if m.GetProp("_Name") == "aspirin")
    assert float(aspirin_sd.GetProp("score_total")) == pytest.approx(
        float(next(r for r in rows if r["name"] == "aspirin")["score_total"])
    )


def test_neighbours_show_seed_activities_and_own_molecules(api: TestClient) -> None:
    # the second seed row is unchanged by standardisation (the first is a tautomer that the
    # seed set keeps as given, so its stored form is only 0.48 similar to its seed entry)
    seed_smiles = load_moleculeace_seed()["smiles"].iloc[1]
    own = _add(api, seed_smiles, name="from the seed")
    _add(api, ASPIRIN, name="aspirin")
    r = api.get(f"{M}/{own['id']}/neighbours", params={"k": 3, "min_similarity": 0.0})
    assert r.status_code == 200, r.text
    body = r.json()
    top = body["seed"][0]
    assert top["similarity"] == 1.0 and top["activities"][0]["p_activity"] > 0
    assert len(body["seed"]) == 3
    assert [h["molecule"]["name"] for h in body["molecules"]] == ["aspirin"]
    seed = api.get(
        f"{M}/search", params={"similar_to": seed_smiles, "scope": "seed", "k": 1}
    ).json()
    assert seed["seed"][0]["smiles"] == seed_smiles and seed["molecules"] == []


CHEMBL = (
    '"Molecule ChEMBL ID";"Smiles";"Standard Type";"Standard Relation";"Standard Value";'
    '"Standard Units";"Target ChEMBL ID";"Assay ChEMBL ID";"Document ChEMBL ID"\n'
    '"CHEMBL25";"CC(=O)Oc1ccccc1C(=O)O";"IC50";"\'=\'";"250";"nM";"CHEMBL230";"CHEMBL1";"CHEMBL9"\n'
    '"CHEMBL113";"Cn1cnc2c1c(=O)n(C)c(=O)n2C";"Ki";"\'>\'";"10";"uM";"CHEMBL251";"CHEMBL2";"D2"\n'
    '"CHEMBL25";"CC(=O)Oc1ccccc1C(=O)O";"pKi";"\'=\'";"7.5";"";"CHEMBL231";"CHEMBL3";"D3"\n'
    '"CHEMBLX";"C1CC";"IC50";"\'=\'";"5";"nM";"CHEMBL230";"CHEMBL4";"D4"\n'
    '"CHEMBLY";"CCO";"IC50";"\'=\'";"abc";"nM";"CHEMBL230";"CHEMBL5";"D5"\n'
    '"CHEMBLZ";"CCN";"IC50";"\'=\'";"5";"parsecs";"CHEMBL230";"CHEMBL6";"D6"\n'
)


def test_chembl_activity_import(api: TestClient, engine: Engine) -> None:
    files = {"file": ("chembl.csv", CHEMBL.encode())}
    r = api.post(f"{M}/activities/import", files=files)
    assert r.status_code == 201, r.text
    body = r.json()
    assert (body["stored"], body["created"], body["activities_added"]) == (3, 2, 3)
    errors = {i["row"]: i for i in body["issues"] if i["severity"] == "error"}
    assert set(errors) == {5, 6, 7}
    assert errors[5]["kind"] == "invalid_smiles"
    assert "abc" in errors[6]["message"] and "parsecs" in errors[7]["message"]
    aspirin_id = body["rows"][0]["molecule_id"]
    aspirin = api.get(f"{M}/{aspirin_id}").json()
    assert aspirin["name"] == "CHEMBL25"
    acts = {(a["standard_type"], round(a["p_activity"], 4)) for a in aspirin["activities"]}
    assert acts == {("IC50", 6.6021), ("pKi", 7.5)}  # 250 nM -> 6.602
    assert aspirin["p_activity"] == 7.5
    assert {a["assay_id"] for a in aspirin["activities"]} == {"CHEMBL1", "CHEMBL3"}
    assert {a["source"] for a in aspirin["activities"]} == {"chembl-import"}
    caffeine = api.get(f"{M}/{body['rows'][1]['molecule_id']}").json()
    [censored] = caffeine["activities"]
    assert (censored["relation"], censored["p_relation"], censored["p_activity"]) == (">", "<", 5.0)
    assert caffeine["score"]["censored"]
    # the same file again: nothing new
    again = api.post(f"{M}/activities/import", files=files).json()
    assert (again["created"], again["activities_added"]) == (0, 0)
    assert count_rows(engine, "molecule_activities") == 3


def test_viewer_reads_only_and_other_organisations_see_nothing(
    db_url: str, tmp_path: Path, engine: Engine
) -> None:
    from matdiscover.api.app import create_app

    a, b = make_org(engine, "Org A"), make_org(engine, "Org B")
    make_user(engine, a, "admin@a.org", Role.admin)
    make_user(engine, a, "res@a.org", Role.researcher)
    make_user(engine, a, "view@a.org", Role.viewer)
    make_user(engine, b, "res@b.org", Role.researcher)
    with TestClient(create_app(server_settings(db_url, tmp_path))) as c:
        res, view, other = login(c, "res@a.org"), login(c, "view@a.org"), login(c, "res@b.org")
        r = c.post(M, json={"smiles": ASPIRIN, "name": "a-secret"}, headers=res)
        assert r.status_code == 201, r.text
        mid = r.json()["id"]
        assert c.get(f"{M}/{mid}", headers=view).status_code == 200
        assert c.post(M, json={"smiles": "CCO"}, headers=view).status_code == 403
        assert c.delete(f"{M}/{mid}", headers=view).status_code == 403
        for path in ("", "/depiction.svg", "/neighbours"):
            assert c.get(f"{M}/{mid}{path}", headers=other).status_code == 404
        assert c.delete(f"{M}/{mid}", headers=other).status_code == 404
        assert c.get(M, headers=other).json()["total"] == 0
        assert "a-secret" not in c.get(f"{M}/export", headers=other).text
        # B adds the same molecule: its own row, A's untouched
        mine = c.post(M, json={"smiles": ASPIRIN}, headers=other)
        assert mine.status_code == 201 and mine.json()["id"] != mid
        # A's writes are in A's audit log with the molecule as object
        admin = login(c, "admin@a.org")
        audit = c.get("/api/v1/audit", headers=admin)
        assert audit.status_code == 200, audit.text
        actions = {(e["action"], e["object_type"]) for e in audit.json()["items"]}
        assert ("POST /api/v1/molecules", "molecules") in actions
        assert c.delete(f"{M}/{mid}", headers=res).status_code == 204
        audit = c.get("/api/v1/audit", params={"action": "DELETE*"}, headers=admin).json()
        assert [(e["action"], e["object_id"]) for e in audit["items"]] == [
            ("DELETE /api/v1/molecules/{molecule_id}", str(mid))
        ]
