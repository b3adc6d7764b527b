"""Projects over the real API and database: CRUD, items (uploads and known compounds),
status, tags, notes, the item table, parity numbers against hand-computed values,
recalibration shown beside the raw values, CSV export, roles."""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from matdiscover.domains.identity import Role
from matdiscover.settings import Settings
from tests.platform.conftest import count_rows
from tests.platform.projects_helpers import add_compound, add_prediction, csv_file, upload
from tests.platform.tenants import login, make_org, make_user, server_settings

P = "/api/v1/projects"


@pytest.fixture()
def api(db_url: str, tmp_path: Path) -> Iterator[TestClient]:
    from matdiscover.api.app import create_app

    settings = Settings(database_url=db_url, data_dir=tmp_path / "data", auto_predict=False)
    with TestClient(create_app(settings)) as c:
        yield c


def _project(api: TestClient, name: str = "Oxides") -> int:
    r = api.post(P, json={"name": name, "description": "gaps"})
    assert r.status_code == 201, r.text
    return int(r.json()["id"])


def _item(api: TestClient, pid: int, **body: object) -> dict:  # type: ignore[type-arg]
    r = api.post(f"{P}/{pid}/items", json=body)
    assert r.status_code == 201, r.text
    return r.json()  # type: ignore[no-any-return]


def test_project_crud_and_counts(api: TestClient) -> None:
    pid = _project(api)
    assert api.post(P, json={"name": "Oxides"}).status_code == 409
    assert api.post(P, json={"name": ""}).status_code == 422
    r = api.patch(f"{P}/{pid}", json={"description": "band gaps"})
    assert r.status_code == 200 and r.json()["description"] == "band gaps"
    mid = upload(api, "NaCl")
    _item(api, pid, material_id=mid)
    listed = api.get(P).json()["items"]
    assert [(p["name"], p["n_items"], p["n_measurements"]) for p in listed] == [("Oxides", 1, 0)]
    assert api.delete(f"{P}/{pid}").status_code == 204
    assert api.get(f"{P}/{pid}").status_code == 404
    assert api.get(f"{P}/999999").status_code == 404


def test_items_uploads_and_compounds_status_tags_notes(api: TestClient, engine: Engine) -> None:
    add_compound(engine, "GaAs", ["Ga", "As"], band_gap=1.42)
    pid = _project(api)
    mid = upload(api, "NaCl")
    a = _item(api, pid, material_id=mid, tags=["rocksalt"])
    assert (a["kind"], a["reduced_formula"], a["status"], a["tags"]) == (
        "material",
        "NaCl",
        "idea",
        ["rocksalt"],
    )
    c = _item(api, pid, formula="GaAs")
    assert c["kind"] == "compound" and c["reference"] == {"band_gap": 1.42}
    gap = c["predicted"]["band_gap"]  # composition model, made when the item was added
    assert gap["std"] > 0 and gap["model_name"] and gap["model_version"]
    # duplicates, unknown compounds, bad input
    assert api.post(f"{P}/{pid}/items", json={"material_id": mid}).status_code == 409
    assert api.post(f"{P}/{pid}/items", json={"formula": "As2Ga2"}).status_code == 409
    assert api.post(f"{P}/{pid}/items", json={"formula": "XeF9"}).status_code == 404
    assert api.post(f"{P}/{pid}/items", json={"material_id": 10**12}).status_code == 404
    both = {"material_id": mid, "formula": "GaAs"}
    assert api.post(f"{P}/{pid}/items", json=both).status_code == 422
    # status and tags
    r = api.patch(f"{P}/{pid}/items/{a['id']}", json={"status": "selected", "tags": ["x", "x"]})
    assert r.status_code == 200 and (r.json()["status"], r.json()["tags"]) == ("selected", ["x"])
    assert api.patch(f"{P}/{pid}/items/{a['id']}", json={"status": "done"}).status_code == 422
    # notes with author and time, on the item and on the project
    r = api.post(f"{P}/{pid}/notes", json={"text": "annealed at 900 C", "item_id": a["id"]})
    assert r.status_code == 201 and r.json()["author_id"] is not None
    assert api.post(f"{P}/{pid}/notes", json={"text": "kick-off"}).status_code == 201
    notes = api.get(f"{P}/{pid}/notes").json()["items"]
    assert [n["text"] for n in notes] == ["kick-off", "annealed at 900 C"]
    table = api.get(f"{P}/{pid}/items").json()["items"]
    assert [n["text"] for n in table[0]["notes"]] == ["annealed at 900 C"]
    assert api.post(f"{P}/{pid}/notes", json={"text": "x", "item_id": 10**9}).status_code == 404
    assert api.delete(f"{P}/{pid}/items/{c['id']}").status_code == 204
    assert [i["id"] for i in api.get(f"{P}/{pid}/items").json()["items"]] == [a["id"]]


# hand-computed parity: predicted, sigma, measured, uncertainty
PAIRS = {"NaCl": (5.0, 0.5, 8.5, 0.1), "MgO": (6.0, 0.5, 7.8, 0.0), "KBr": (4.0, 1.0, 7.4, 0.2)}


def _parity_project(api: TestClient, engine: Engine) -> tuple[int, dict[str, int]]:
    pid = _project(api)
    ids = {}
    for formula, (pred, sigma, _, _) in PAIRS.items():
        mid = upload(api, formula)
        add_prediction(engine, mid, "band_gap", pred, sigma)
        ids[formula] = _item(api, pid, material_id=mid)["id"]
    lines = ["formula,property,value,unit,uncertainty"]
    lines += [f"{f},band gap,{m},eV,{u}" for f, (_, _, m, u) in PAIRS.items()]
    r = api.post(f"{P}/{pid}/measurements", files=csv_file("\n".join(lines)))
    assert r.status_code == 201, r.text
    return pid, ids


def test_parity_numbers_match_hand_computed_values(api: TestClient, engine: Engine) -> None:
    pid, _ = _parity_project(api, engine)
    body = api.get(f"{P}/{pid}/parity", params={"property": "band_gap"}).json()
    assert len(body["points"]) == 3 and body["unit"] == "eV"
    # errors: -3.5, -1.8, -3.4
    m = body["metrics"]
    assert m["n"] == 3
    assert m["mae"] == pytest.approx((3.5 + 1.8 + 3.4) / 3)
    assert m["bias"] == pytest.approx(-(3.5 + 1.8 + 3.4) / 3)
    assert m["rmse"] == pytest.approx(math.sqrt((3.5**2 + 1.8**2 + 3.4**2) / 3))
    # 95 % half widths: 1.96*sqrt(.25+.01)=0.999, 1.96*.5=0.98, 1.96*sqrt(1+.04)=1.999
    assert m["coverage95"] == pytest.approx(0.0)
    assert [pm["model_name"] for pm in body["per_model"]] == ["test-model"]
    point = next(p for p in body["points"] if p["formula"] == "NaCl")
    assert (point["predicted"], point["sigma"], point["measured"], point["uncertainty"]) == (
        5.0,
        0.5,
        8.5,
        0.1,
    )
    assert point["model_version"] == "1.0" and point["recalibrated"] is None
    chem = api.get(f"{P}/{pid}/parity", params={"property": "band_gap", "by": "chemistry"})
    groups = {g["family"]: g for g in chem.json()["by_chemistry"]}
    assert groups["halides"]["n"] == 2
    assert groups["halides"]["mean_residual"] == pytest.approx(-3.45)
    assert groups["oxides"]["residuals"] == [pytest.approx(-1.8)]
    bad = api.get(f"{P}/{pid}/parity", params={"property": "colour"})
    assert bad.status_code == 422


def test_recalibration_enabled_shows_raw_and_recalibrated(api: TestClient, engine: Engine) -> None:
    pid = _project(api)
    formulas = ["NaCl", "MgO", "KBr", "CaO"]
    lines = ["formula,property,value,unit"]
    for i, formula in enumerate(formulas):
        mid = upload(api, formula)
        add_prediction(engine, mid, "band_gap", 1.0 + i, 0.2)
        _item(api, pid, material_id=mid)
        lines.append(f"{formula},band_gap,{2.0 + (1.0 + i)},eV")  # measured = predicted + 2
    lines += [f"{f},band_gap,{3.0 + i + 0.01},eV" for i, f in enumerate(formulas[:2])]
    r = api.post(f"{P}/{pid}/measurements", files=csv_file("\n".join(lines)))
    assert r.status_code == 201, r.text
    r = api.post(f"{P}/{pid}/recalibrations", json={"property": "band_gap"})
    assert r.status_code == 201, r.text
    rec = r.json()
    assert (rec["enabled"], rec["version"], rec["n_measurements"]) == (False, 1, 6)
    assert rec["label"] == "recalibrated on 6 measurements"
    table = api.get(f"{P}/{pid}/items").json()["items"]
    assert table[0]["predicted"]["band_gap"]["recalibrated"] is None  # off by default
    r = api.patch(f"{P}/{pid}/recalibrations/{rec['id']}", json={"enabled": True})
    assert r.status_code == 200 and r.json()["enabled"] is True
    table = api.get(f"{P}/{pid}/items").json()["items"]
    gap = table[0]["predicted"]["band_gap"]
    assert gap["value"] == 1.0  # the raw prediction is unchanged
    assert gap["recalibrated"]["value"] == pytest.approx(3.0, abs=0.05)
    assert gap["recalibrated"]["label"] == "recalibrated on 6 measurements"
    parity = api.get(f"{P}/{pid}/parity", params={"property": "band_gap"}).json()
    assert parity["recalibration"]["id"] == rec["id"]
    assert parity["recalibrated_metrics"]["mae"] < parity["metrics"]["mae"]
    assert all(p["recalibrated"] is not None for p in parity["points"])
    # a second fit is version 2, disabled; the stored predictions were never changed
    r2 = api.post(f"{P}/{pid}/recalibrations", json={"property": "band_gap"}).json()
    assert (r2["version"], r2["enabled"]) == (2, False)
    assert count_rows(engine, "predictions") == 4
    few = _project(api, "Few")
    r = api.post(f"{P}/{few}/recalibrations", json={"property": "band_gap"})
    assert r.status_code == 400 and "at least" in r.json()["detail"]


def test_item_table_sorts_by_predicted_and_measured(api: TestClient, engine: Engine) -> None:
    pid, ids = _parity_project(api, engine)
    by_pred = api.get(f"{P}/{pid}/items", params={"sort": "predicted.band_gap", "order": "desc"})
    assert [i["reduced_formula"] for i in by_pred.json()["items"]] == ["MgO", "NaCl", "KBr"]
    by_meas = api.get(f"{P}/{pid}/items", params={"sort": "measured.band_gap"})
    assert [i["reduced_formula"] for i in by_meas.json()["items"]] == ["KBr", "MgO", "NaCl"]
    row = by_meas.json()["items"][0]
    assert row["measured"]["band_gap"][0]["value"] == 7.4
    assert row["status"] == "measured"  # the first measurement moved it from idea
    assert api.get(f"{P}/{pid}/items", params={"sort": "colour"}).status_code == 400


def test_export_csv_full_precision_bom_and_formula_injection(
    api: TestClient, engine: Engine
) -> None:
    pid = _project(api)
    mid = upload(api, "NaCl")
    add_prediction(engine, mid, "band_gap", 5.123456789012345, 0.25)
    item = _item(api, pid, material_id=mid, tags=["@tag"])
    injection = "=cmd|' /C calc'!A0"
    note = {"text": injection, "item_id": item["id"]}
    assert api.post(f"{P}/{pid}/notes", json=note).status_code == 201
    r = api.post(
        f"{P}/{pid}/measurements",
        files=csv_file(f'material_id,property,value,notes\n{mid},band_gap,8.5,"{injection}"\n'),
    )
    assert r.status_code == 201, r.text
    plain = api.get(f"{P}/{pid}/export.csv")
    assert plain.status_code == 200 and plain.headers["content-type"].startswith("text/csv")
    assert not plain.content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(plain.content.decode())))
    assert rows[0]["band_gap_predicted [eV]"] == "5.123456789012345"
    assert rows[0]["band_gap_measured [eV]"] == "8.5"
    assert rows[0]["notes"] == "'" + injection
    assert rows[0]["tags"] == "'@tag"
    for row in rows:
        for cell in row.values():
            assert cell[:1] not in ("=", "+", "@", "\t", "\r") or cell.startswith("'")
    excel = api.get(f"{P}/{pid}/export.csv", params={"excel": "true"})
    assert excel.content.startswith(b"\xef\xbb\xbf")
    assert excel.content[3:] == plain.content


def test_roles_viewer_reads_researcher_writes_admin_deletes(
    db_url: str, tmp_path: Path, engine: Engine
) -> None:
    from matdiscover.api.app import create_app

    org = make_org(engine, "Lab")
    for email, role in (
        ("admin@lab.org", Role.admin),
        ("res@lab.org", Role.researcher),
        ("view@lab.org", Role.viewer),
    ):
        make_user(engine, org, email, role)
    with TestClient(create_app(server_settings(db_url, tmp_path))) as c:
        admin, res, view = (login(c, e) for e in ("admin@lab.org", "res@lab.org", "view@lab.org"))
        assert c.post(P, json={"name": "V"}, headers=view).status_code == 403
        r = c.post(P, json={"name": "R"}, headers=res)
        assert r.status_code == 201
        pid = r.json()["id"]
        assert c.get(f"{P}/{pid}/items", headers=view).status_code == 200
        assert c.post(f"{P}/{pid}/notes", json={"text": "x"}, headers=view).status_code == 403
        assert c.post(f"{P}/{pid}/notes", json={"text": "x"}, headers=res).status_code == 201
        upload_r = c.post(
            f"{P}/{pid}/measurements",
            files=csv_file("sample_id,property,value\ns,band_gap,1\n"),
            headers=view,
        )
        assert upload_r.status_code == 403
        assert c.delete(f"{P}/{pid}", headers=res).status_code == 403
        assert c.delete(f"{P}/{pid}", headers=admin).status_code == 204
