"""Measurement files over the real API and database: every malformed kind gets a clear
4xx and stores nothing; all-or-nothing versus store_valid_rows; edits keep history;
deletion is soft; writes are audited; another organisation's material ids answer exactly
like ids that do not exist."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from openpyxl import Workbook
from sqlalchemy import Engine, text

from matdiscover.domains.identity import Role
from matdiscover.settings import Settings
from tests.platform.conftest import count_rows
from tests.platform.projects_helpers import add_compound, csv_file, upload
from tests.platform.tenants import login, make_org, make_user, server_settings

P = "/api/v1/projects"
GOOD = "formula,property,value,unit\nGaAs,band gap,1.42,eV\n"


@pytest.fixture()
def api(db_url: str, tmp_path: Path, engine: Engine) -> Iterator[TestClient]:
    from matdiscover.api.app import create_app

    add_compound(engine, "GaAs", ["Ga", "As"], band_gap=1.42)
    add_compound(engine, "Si", ["Si"], band_gap=1.12)
    settings = Settings(database_url=db_url, data_dir=tmp_path / "data", auto_predict=False)
    with TestClient(create_app(settings)) as c:
        yield c


def _project(api: TestClient) -> int:
    r = api.post(P, json={"name": "Gaps"})
    assert r.status_code == 201, r.text
    return int(r.json()["id"])


def _xlsx(rows: list[list[Any]]) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _corrupt_xlsx() -> bytes:
    data = bytearray(_xlsx([["formula", "property", "value"], ["GaAs", "band_gap", 1.4]]))
    middle = len(data) // 2
    data[middle : middle + 200] = b"\x00" * 200
    return bytes(data)


def _zip_bomb() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("xl/worksheets/sheet1.xml", b"0" * 50_000_000)
    return out.getvalue()


# (name, filename, content, expected status, words the answer must contain)
MALFORMED: list[tuple[str, str, bytes, int, str]] = [
    (
        "latin-1",
        "m.csv",
        "formula,property,value,notes\nGaAs,band_gap,1,recuit à 900\n".encode("latin-1"),
        400,
        "UTF-8",
    ),
    ("binary", "m.csv", bytes(range(256)) * 4, 400, "UTF-8"),
    ("nul bytes", "m.csv", b"formula,property,value\x00\nGaAs,band_gap,1\n", 400, "NUL"),
    ("missing columns", "m.csv", b"formula,value\nGaAs,1\n", 400, "missing column"),
    ("no identifier", "m.csv", b"property,value\nband_gap,1\n", 400, "material_id"),
    ("empty", "m.csv", b"", 400, "empty"),
    ("header only", "m.csv", b"formula,property,value\n", 400, "no measurement rows"),
    (
        "unknown unit",
        "m.csv",
        b"formula,property,value,unit\nGaAs,band_gap,1,bananas\n",
        422,
        "unknown unit",
    ),
    (
        "wrong dimension",
        "m.csv",
        b"formula,property,value,unit\nGaAs,band_gap,1,GPa\n",
        422,
        "wrong dimension",
    ),
    (
        "unknown property",
        "m.csv",
        b"formula,property,value\nGaAs,colour,1\n",
        422,
        "unknown property",
    ),
    ("nan", "m.csv", b"formula,property,value\nGaAs,band_gap,NaN\n", 422, "finite"),
    ("inf", "m.csv", b"formula,property,value\nGaAs,band_gap,-inf\n", 422, "finite"),
    ("non-numeric", "m.csv", b"formula,property,value\nGaAs,band_gap,1.4eV\n", 422, "not a number"),
    (
        "negative uncertainty",
        "m.csv",
        b"formula,property,value,uncertainty\nGaAs,band_gap,1,-0.1\n",
        422,
        "negative",
    ),
    (
        "duplicated rows",
        "m.csv",
        b"formula,property,value\nGaAs,band_gap,1.4\nGaAs,band_gap,1.4\n",
        422,
        "duplicate of row 2",
    ),
    ("bad formula", "m.csv", b"formula,property,value\nGa)As,band_gap,1\n", 422, "formula"),
    (
        "bad date",
        "m.csv",
        b"formula,property,value,date\nGaAs,band_gap,1,yesterday\n",
        422,
        "not a date",
    ),
    (
        "unknown formula",
        "m.csv",
        b"formula,property,value\nXeF9,band_gap,1\n",
        422,
        "neither in this project nor a known compound",
    ),
    (
        "unknown sample",
        "m.csv",
        b"sample_id,property,value\nS-404,band_gap,1\n",
        422,
        "unknown sample id",
    ),
    ("xlsx not a zip", "m.xlsx", b"this is not a workbook", 400, "not a valid .xlsx"),
    ("xlsx corrupted", "m.xlsx", _corrupt_xlsx(), 400, ".xlsx"),
    ("xlsx zip bomb", "m.xlsx", _zip_bomb(), 400, "unpacks"),
    ("xls", "m.xls", b"\xd0\xcf\x11\xe0 old excel", 400, "unsupported format"),
]


@pytest.mark.parametrize(
    ("kind", "filename", "content", "status", "words"), MALFORMED, ids=[m[0] for m in MALFORMED]
)
def test_malformed_file_gets_a_clear_4xx_and_stores_nothing(
    api: TestClient,
    engine: Engine,
    kind: str,
    filename: str,
    content: bytes,
    status: int,
    words: str,
) -> None:
    pid = _project(api)
    r = api.post(f"{P}/{pid}/measurements", files={"file": (filename, content)})
    assert r.status_code == status, r.text
    assert words.lower() in r.text.lower()
    if status == 422:
        errors = r.json()["errors"]
        assert errors and all(e["row"] >= 2 for e in errors)
        assert "nothing was stored" in r.json()["detail"]
    assert count_rows(engine, "experimental_results") == 0
    assert count_rows(engine, "project_items") == 0


def test_a_100_mb_file_is_413_before_parsing(api: TestClient, engine: Engine) -> None:
    pid = _project(api)
    big = GOOD.encode() + b"GaAs,band_gap,1.5,eV\n" * (100 * 1024 * 1024 // 21)
    assert len(big) >= 100 * 1024 * 1024
    r = api.post(f"{P}/{pid}/measurements", files={"file": ("big.csv", big)})
    assert r.status_code == 413, r.text[:300]
    assert count_rows(engine, "experimental_results") == 0


def test_every_bad_row_is_listed_and_nothing_stored_unless_asked(
    api: TestClient, engine: Engine
) -> None:
    pid = _project(api)
    text_ = (
        "formula,property,value,unit,uncertainty\n"
        "GaAs,band gap,1420,meV,10\n"  # good: 1.42 eV +- 0.01
        "Si,band_gap,abc,eV,\n"  # bad value
        "Si,Band gap,1.12,eV,0.01\n"  # good
        "GaAs,colour,1,eV,\n"  # bad property
        "XeF9,band_gap,1,eV,\n"  # unknown compound
    )
    r = api.post(f"{P}/{pid}/measurements", files=csv_file(text_))
    assert r.status_code == 422
    assert [(e["row"], e["column"]) for e in r.json()["errors"]] == [
        (3, "value"),
        (5, "property"),
        (6, "formula"),
    ]
    assert count_rows(engine, "experimental_results") == 0
    assert count_rows(engine, "project_items") == 0
    r = api.post(
        f"{P}/{pid}/measurements", files=csv_file(text_), data={"store_valid_rows": "true"}
    )
    assert r.status_code == 201, r.text
    body = r.json()
    assert body["stored"] == 2 and len(body["errors"]) == 3 and len(body["items_added"]) == 2
    stored = api.get(f"{P}/{pid}/measurements").json()["items"]
    gaas = next(m for m in stored if m["formula"] == "GaAs")
    assert (gaas["value"], gaas["unit"], gaas["uncertainty"], gaas["source_row"]) == (
        pytest.approx(1.42),
        "eV",
        pytest.approx(0.01),
        2,
    )


def test_rows_map_to_items_by_material_formula_and_sample(api: TestClient) -> None:
    pid = _project(api)
    mid = upload(api, "NaCl")
    text_ = (
        "material_id,formula,sample_id,property,value,unit,temperature\n"
        f"{mid},,S1,bulk modulus,24000,MPa,25 degC\n"
        ",,S1,band_gap,8.5,eV,300\n"  # the sample named in row 2
        ",GaAs,,band_gap,1.4,eV,\n"
    )
    r = api.post(f"{P}/{pid}/measurements", files=csv_file(text_))
    assert r.status_code == 201, r.text
    items = {i["reduced_formula"]: i for i in api.get(f"{P}/{pid}/items").json()["items"]}
    assert set(items) == {"NaCl", "GaAs"}
    nacl = items["NaCl"]["measured"]
    assert nacl["bulk_modulus"][0]["value"] == pytest.approx(24.0)
    assert nacl["band_gap"][0]["sample_id"] == "S1"
    stored = api.get(f"{P}/{pid}/measurements").json()["items"]
    assert stored[0]["conditions"] == {"temperature": pytest.approx(298.15)}


def test_edit_keeps_history_delete_is_soft_and_both_are_audited(
    api: TestClient, engine: Engine
) -> None:
    pid = _project(api)
    r = api.post(f"{P}/{pid}/measurements", files=csv_file(GOOD))
    mid = r.json()["measurement_ids"][0]
    r = api.patch(f"/api/v1/measurements/{mid}", json={"value": 1.43, "notes": "re-measured"})
    assert r.status_code == 200 and (r.json()["value"], r.json()["version"]) == (1.43, 2)
    r = api.patch(f"/api/v1/measurements/{mid}", json={"uncertainty": 0.02})
    assert r.json()["version"] == 3
    assert api.patch(f"/api/v1/measurements/{mid}", json={"value": "nan"}).status_code == 422
    assert api.patch(f"/api/v1/measurements/{mid}", json={"uncertainty": -1}).status_code == 422
    history = api.get(f"/api/v1/measurements/{mid}/history").json()
    assert [(v["version"], v["current"]) for v in history["versions"]] == [
        (3, True),
        (2, False),
        (1, False),
    ]
    assert [v["values"]["value"] for v in history["versions"]] == [1.43, 1.43, 1.42]
    assert history["versions"][2]["values"]["notes"] is None
    assert api.delete(f"/api/v1/measurements/{mid}").status_code == 204
    assert api.get(f"/api/v1/measurements/{mid}").status_code == 404
    assert api.get(f"{P}/{pid}/measurements").json()["items"] == []
    assert count_rows(engine, "experimental_results") == 1  # soft
    history = api.get(f"/api/v1/measurements/{mid}/history").json()
    assert history["deleted_at"] is not None
    with engine.connect() as conn:
        actions = (
            conn.execute(
                text(
                    "SELECT action FROM audit_log WHERE object_type = 'measurement'"
                    " AND object_id = :id ORDER BY id"
                ),
                {"id": str(mid)},
            )
            .scalars()
            .all()
        )
    assert actions == [
        "PATCH /api/v1/measurements/{measurement_id}",
        "PATCH /api/v1/measurements/{measurement_id}",
        "DELETE /api/v1/measurements/{measurement_id}",
    ]
    with engine.connect() as conn:
        uploads = conn.execute(
            text("SELECT count(*) FROM audit_log WHERE action LIKE 'POST %/measurements'")
        ).scalar_one()
    assert uploads == 1


def test_another_organisations_material_id_answers_like_a_missing_one(
    db_url: str, tmp_path: Path, engine: Engine
) -> None:
    from matdiscover.api.app import create_app

    a, b = make_org(engine, "A"), make_org(engine, "B")
    make_user(engine, a, "a@a.org", Role.researcher)
    make_user(engine, b, "b@b.org", Role.researcher)
    with TestClient(create_app(server_settings(db_url, tmp_path))) as c:
        ha, hb = login(c, "a@a.org"), login(c, "b@b.org")
        a_material = upload(c, "NaCl", ha)
        missing = a_material + 1000
        pid = c.post(P, json={"name": "B's"}, headers=hb).json()["id"]

        def answer(material_id: int) -> tuple[int, list[Any]]:
            data = f"material_id,property,value\n{material_id},band_gap,8.5\n"
            r = c.post(f"{P}/{pid}/measurements", files=csv_file(data), headers=hb)
            errors = [
                {**e, "message": e["message"].replace(str(material_id), "N")}
                for e in r.json()["errors"]
            ]
            return r.status_code, errors

        assert answer(a_material) == answer(missing)
        assert answer(a_material) == (
            422,
            [{"row": 2, "column": "material_id", "message": "unknown material id N"}],
        )
        item = c.post(f"{P}/{pid}/items", json={"material_id": a_material}, headers=hb)
        nothing = c.post(f"{P}/{pid}/items", json={"material_id": missing}, headers=hb)
        assert item.status_code == nothing.status_code == 404
        assert item.json()["detail"].replace(str(a_material), "N") == nothing.json()[
            "detail"
        ].replace(str(missing), "N")
    assert count_rows(engine, "experimental_results") == 0
