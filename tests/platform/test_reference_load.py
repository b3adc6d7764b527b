"""Reference database loading: real bundled tables, idempotent, visible to every organisation."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import Engine, text

from matdiscover.domains.reference.service import load_reference
from matdiscover.science.reference_data import load_table
from tests.platform.conftest import count_rows

TABLES = ["aflow_debye_temperature", "expt_gap"]


def test_load_is_idempotent_and_complete(engine: Engine) -> None:
    first = load_reference(engine, tables=TABLES)
    assert set(first.loaded) == set(TABLES)
    expected = sum(len(load_table(t)) for t in TABLES)
    assert expected - 5 <= first.total_loaded <= expected  # a handful of unparseable formulas
    n = count_rows(engine, "materials")
    assert n == first.total_loaded

    again = load_reference(engine, tables=TABLES)
    assert again.loaded == {} and sorted(again.skipped) == sorted(TABLES)
    assert count_rows(engine, "materials") == n

    forced = load_reference(engine, tables=["expt_gap"], force=True)
    assert forced.loaded["expt_gap"] == first.loaded["expt_gap"]
    assert count_rows(engine, "materials") == n, "a reload replaces, never duplicates"
    with engine.connect() as conn:
        dup = conn.execute(
            text(
                "SELECT count(*) FROM (SELECT source_id FROM materials GROUP BY source_id "
                "HAVING count(*) > 1) d"
            )
        ).scalar_one()
    assert dup == 0


def test_reference_entries_are_searchable_and_read_only(client: TestClient, engine: Engine) -> None:
    load_reference(engine, tables=["aflow_debye_temperature"])
    page = client.get("/api/v1/materials", params={"source": "reference", "limit": 5}).json()
    assert page["total"] > 4000
    item = page["items"][0]
    assert item["is_reference"] is True and item["source_database"] == "aflow"
    assert item["source_id"].startswith("aflow_debye_temperature:")
    assert client.delete(f"/api/v1/materials/{item['id']}").status_code == 404
    own = client.get("/api/v1/materials", params={"include_reference": "false"}).json()
    assert own["total"] == 0
    si = client.get("/api/v1/materials", params={"chemical_system": "Si", "source": "reference"})
    assert si.json()["total"] >= 1
