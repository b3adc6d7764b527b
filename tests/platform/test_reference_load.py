"""Reference database loading: real bundled tables, idempotent, visible to every organisation."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, text
from sqlalchemy.orm import Session

from matdiscover.domains.reference import service as reference_service
from matdiscover.domains.reference.service import (
    is_loaded,
    load_reference,
    missing_indexes,
    secondary_indexes,
)
from matdiscover.science.reference_data import load_table
from matdiscover.science.reference_entries import (
    REFERENCE_TABLES,
    ReferenceTable,
    reference_entries,
)
from tests.platform.conftest import count_rows

TABLES = ["aflow_debye_temperature", "expt_gap"]
REFERENCE = {spec.table: spec for spec in REFERENCE_TABLES}


def test_load_is_idempotent_and_complete(engine: Engine) -> None:
    first = load_reference(engine, tables=TABLES)
    assert set(first.loaded) == set(TABLES)
    expected = sum(len(load_table(t)) for t in TABLES)
    assert expected - 5 <= first.total_loaded <= expected  # a handful of unparseable formulas
    n = count_rows(engine, "materials")
    assert n == first.total_loaded
    # every field as the science layer shaped it (COPY text format round trip)
    entries = {str(e["source_id"]): e for e in reference_entries(REFERENCE[TABLES[1]])}
    with engine.connect() as conn:
        rows = conn.execute(
            text(
                "SELECT source_id, formula, reduced_formula, chemical_system, elements, "
                "nelements, source, source_database, properties, anonymous_formula, "
                "organization_id, is_ordered, warnings FROM materials WHERE source_id LIKE :t"
            ),
            {"t": TABLES[1] + ":%"},
        ).all()
    assert len(rows) == len(entries)
    for r in rows:
        e = entries[r.source_id]
        assert (r.formula, r.reduced_formula, r.anonymous_formula) == (
            e["formula"],
            e["reduced_formula"],
            e["anonymous_formula"],
        )
        assert r.elements == list(e["elements"]) and r.nelements == len(r.elements)  # type: ignore[call-overload]
        assert r.chemical_system == "-".join(r.elements)
        assert r.properties == {e["property"]: e["value"]}
        assert (r.source, r.source_database) == ("reference", e["source_database"])
        assert (r.organization_id, r.is_ordered, r.warnings) == (None, True, [])

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


def _index_names(engine: Engine) -> set[str]:
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT indexname FROM pg_indexes WHERE tablename = 'materials'"))
        return {r[0] for r in rows}


def test_bulk_load_rebuilds_indexes_interleaves_tables_and_fills_formulas(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = _index_names(engine)
    monkeypatch.setattr(reference_service, "BULK_ROWS", 0)  # take the bulk path
    report = load_reference(engine, tables=TABLES)
    assert set(report.indexes_rebuilt) == {ix.name for ix in secondary_indexes()}
    assert _index_names(engine) == before
    with engine.connect() as conn:
        spans = dict(
            conn.execute(
                text(
                    "SELECT split_part(source_id, ':', 1), "
                    "int8range(min(id), max(id), '[]') FROM materials GROUP BY 1"
                )
            ).all()
        )
        # the two tables' rows are spread over one id range, not stored one after the other
        a, b = (spans[t] for t in TABLES)
        assert a.lower < b.upper and b.lower < a.upper
        missing = conn.execute(
            text(
                "SELECT count(*) FROM (SELECT DISTINCT reduced_formula FROM materials) m "
                "WHERE NOT EXISTS (SELECT 1 FROM material_formulas f "
                "WHERE f.reduced_formula = m.reduced_formula)"
            )
        ).scalar_one()
        assert missing == 0
        assert missing_indexes(conn) == []


def test_interrupted_load_leaves_nothing_and_indexes_are_repaired(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(reference_service, "BULK_ROWS", 0)
    real = reference_service.reference_entries

    def failing(spec: ReferenceTable) -> Iterator[dict[str, object]]:
        for i, entry in enumerate(real(spec)):
            if spec.table == TABLES[1] and i == 100:
                raise KeyboardInterrupt  # e.g. Ctrl-C in the middle of the second table
            yield entry

    monkeypatch.setattr(reference_service, "reference_entries", failing)
    with pytest.raises(KeyboardInterrupt):
        load_reference(engine, tables=TABLES)
    assert count_rows(engine, "materials") == 0
    assert count_rows(engine, "reference_loads") == 0
    with engine.connect() as conn:
        assert missing_indexes(conn) == []  # rebuilt even though the load failed
    # a load killed before it could rebuild them: the next call repairs
    with engine.begin() as conn:
        conn.execute(text("DROP INDEX ix_materials_elements_gin"))
        conn.execute(text("DROP INDEX ix_materials_prop_band_gap_by_id"))
    monkeypatch.setattr(reference_service, "reference_entries", real)
    with Session(engine) as session:
        assert not is_loaded(session)
    load_reference(engine, tables=TABLES)
    again = load_reference(engine, tables=TABLES)
    assert again.loaded == {}
    with engine.connect() as conn:
        assert missing_indexes(conn) == []
