"""Known compounds: built from real shipped tables and structures, searched with several
reference-property ranges at once, one page per compound, incremental and idempotent."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, create_engine, text

from matdiscover.db.embedded import EmbeddedDatabase
from matdiscover.db.engine import create_db_engine
from matdiscover.domains.compounds import service as compounds_service
from matdiscover.domains.reference.service import load_reference
from matdiscover.science.known_structures import load_known_structures
from matdiscover.science.reference_entries import REFERENCE_TABLES, reference_entries
from matdiscover.settings import Settings
from tests.platform.conftest import TEMPLATE_DB, database_url

#: small real tables (a few thousand rows each) plus the shipped structures
TABLES = ["expt_gap", "mp_bulk_modulus", "aflow_debye_temperature", "known_structures"]
API = "/api/v1"


def _create_db(pg_server: EmbeddedDatabase, template: str) -> str:
    name = f"c_{uuid.uuid4().hex[:12]}"
    admin = create_engine(pg_server.url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{template}"'))
    admin.dispose()
    return name


def _drop_db(pg_server: EmbeddedDatabase, name: str) -> None:
    admin = create_engine(pg_server.url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(scope="module")
def loaded_template(pg_server: EmbeddedDatabase) -> Iterator[str]:
    """A database with the small tables and the known structures loaded (once)."""
    name = _create_db(pg_server, TEMPLATE_DB)
    eng = create_db_engine(database_url(pg_server.url, name), pool_size=2)
    report = load_reference(eng, tables=TABLES)
    assert report.structures is not None and report.structures["inserted"] > 6000
    eng.dispose()
    yield name
    _drop_db(pg_server, name)


@pytest.fixture()
def loaded(pg_server: EmbeddedDatabase, loaded_template: str) -> Iterator[Engine]:
    name = _create_db(pg_server, loaded_template)
    eng = create_db_engine(database_url(pg_server.url, name), pool_size=2)
    yield eng
    eng.dispose()
    _drop_db(pg_server, name)


@pytest.fixture()
def api(loaded: Engine, tmp_path: Path) -> Iterator[TestClient]:
    from matdiscover.api.app import create_app

    url = loaded.url.render_as_string(hide_password=False)
    with TestClient(create_app(Settings(database_url=url, data_dir=tmp_path / "d"))) as c:
        yield c


def _reduced_formulas_loaded(engine: Engine) -> set[str]:
    with engine.connect() as conn:
        rows = conn.execute(
            text("SELECT DISTINCT reduced_formula FROM materials WHERE organization_id IS NULL")
        )
        return {str(r[0]) for r in rows}


def test_one_compound_per_formula_and_every_row_summarised(loaded: Engine) -> None:
    formulas = _reduced_formulas_loaded(loaded)
    with loaded.connect() as conn:
        compounds = {
            str(r[0]): (int(r[1]), int(r[2]))
            for r in conn.execute(
                text("SELECT reduced_formula, n_entries, n_structures FROM compounds")
            )
        }
        per_formula = dict(
            conn.execute(
                text(
                    "SELECT reduced_formula, count(*) FROM materials "
                    "WHERE organization_id IS NULL GROUP BY reduced_formula"
                )
            ).all()
        )
    assert set(compounds) == formulas
    assert all(compounds[f][0] == per_formula[f] for f in formulas)
    with_structure = sum(1 for n, s in compounds.values() if s > 0)
    assert with_structure >= 5000, with_structure


def _headline_frame() -> pd.DataFrame:
    """The headline band gap and bulk modulus per formula of the loaded data, recomputed
    in pandas from the shipped files with the documented rule (MP before AFLOW before
    OQMD before experiment; the median of that source's largest table)."""
    specs = {s.table: s for s in REFERENCE_TABLES}
    rows = []
    for table in ("expt_gap", "mp_bulk_modulus"):
        spec = specs[table]
        for e in reference_entries(spec):
            rows.append(
                (e["reduced_formula"], spec.property, spec.source_database, table, e["value"])
            )
    known = load_known_structures()
    import json

    for f, props in zip(known["reduced_formula"], known["properties"], strict=True):
        for prop, value in json.loads(props).items():
            if prop in ("band_gap", "bulk_modulus"):
                rows.append((f, prop, "materials_project", "known_structures", float(value)))
    frame = pd.DataFrame(rows, columns=["formula", "prop", "db", "table", "value"])
    priority = {"materials_project": 0, "aflow": 1, "oqmd": 2, "experimental": 3}
    grouped = (
        frame.groupby(["formula", "prop", "db", "table"])["value"]
        .agg(["median", "count"])
        .reset_index()
    )
    grouped["rank"] = grouped["db"].map(priority)
    grouped = grouped.sort_values(
        ["formula", "prop", "rank", "count", "table"], ascending=[True, True, True, False, True]
    )
    best = grouped.groupby(["formula", "prop"]).head(1)
    return best.pivot(index="formula", columns="prop", values="median")


def test_two_reference_ranges_return_compounds_with_both(api: TestClient) -> None:
    headline = _headline_frame()
    want = headline[
        (headline["band_gap"] >= 1) & (headline["band_gap"] <= 3) & (headline["bulk_modulus"] > 100)
    ]
    expected = set(want.index)
    assert 5 <= len(expected) <= 500, len(expected)  # a meaningful, checkable set
    got: set[str] = set()
    cursor = None
    while True:
        params = {
            "band_gap_min": 1,
            "band_gap_max": 3,
            "bulk_modulus_min": 100.000001,
            "limit": 200,
        }
        if cursor:
            params["cursor"] = cursor
        r = api.get(f"{API}/compounds", params=params)
        assert r.status_code == 200, r.text
        page = r.json()
        for item in page["items"]:
            assert 1 <= item["properties"]["band_gap"] <= 3
            assert item["properties"]["bulk_modulus"] > 100
            got.add(item["reduced_formula"])
        cursor = page["next_cursor"]
        if not cursor:
            break
    assert got == expected


def test_multi_range_hand_checked(engine: Engine, client: TestClient) -> None:
    """Five compounds written by hand: only AlN and GaN have a band gap in 1-3 eV and a
    bulk modulus above 100 GPa (GaN through the median of two polymorph gaps)."""
    rows = [
        ("AlN", "mp_gap:1", "materials_project", "band_gap", 2.0),
        ("AlN", "mp_bulk_modulus:1", "materials_project", "bulk_modulus", 150.0),
        ("BN", "mp_gap:2", "materials_project", "band_gap", 2.5),
        ("BN", "mp_bulk_modulus:2", "materials_project", "bulk_modulus", 80.0),
        ("InN", "mp_gap:3", "materials_project", "band_gap", 0.5),
        ("InN", "mp_bulk_modulus:3", "materials_project", "bulk_modulus", 200.0),
        ("ScN", "mp_gap:4", "materials_project", "band_gap", 1.5),
        ("GaN", "mp_gap:5", "materials_project", "band_gap", 1.2),
        ("GaN", "mp_gap:6", "materials_project", "band_gap", 3.5),
        ("GaN", "mp_bulk_modulus:6", "materials_project", "bulk_modulus", 120.0),
        # an experimental gap of InN inside the range does not override MP's headline
        ("InN", "expt_gap:7", "experimental", "band_gap", 1.9),
    ]
    with engine.begin() as conn:
        for formula, sid, db, prop, value in rows:
            el = "Al" if formula == "AlN" else formula[:-1]
            conn.execute(
                text(
                    "INSERT INTO materials (organization_id, formula, reduced_formula, "
                    "chemical_system, elements, nelements, source, source_database, "
                    "source_id, properties) VALUES (NULL, :f, :f, :cs, :els, 2, "
                    "'reference', :db, :sid, jsonb_build_object(CAST(:p AS text), "
                    "CAST(:v AS float8)))"
                ),
                {
                    "f": formula,
                    "cs": f"{el}-N" if el < "N" else f"N-{el}",
                    "els": [el, "N"],
                    "db": db,
                    "sid": sid,
                    "p": prop,
                    "v": value,
                },
            )
        compounds_service.rebuild(conn)
    r = client.get(
        f"{API}/compounds",
        params={"band_gap_min": 1, "band_gap_max": 3, "bulk_modulus_min": 100},
    )
    assert r.status_code == 200, r.text
    assert sorted(i["reduced_formula"] for i in r.json()["items"]) == ["AlN", "GaN"]
    assert r.json()["total"] == 2
    gan = client.get(f"{API}/compounds/GaN").json()
    gaps = [v for v in gan["reference_values"] if v["property"] == "band_gap"]
    assert gaps[0]["n_entries"] == 2 and gaps[0]["min"] == 1.2 and gaps[0]["max"] == 3.5
    assert gaps[0]["value"] == pytest.approx(2.35)
    inn = client.get(f"{API}/compounds/InN").json()
    assert inn["properties"]["band_gap"] == 0.5  # MP before experiment
    assert {v["source_database"] for v in inn["reference_values"]} == {
        "materials_project",
        "experimental",
    }
    # an inverted range is an error, not an empty answer
    bad = client.get(f"{API}/compounds", params={"band_gap_min": 3, "band_gap_max": 1})
    assert bad.status_code == 400
    assert "greater than" in bad.json()["detail"]


def test_compound_page_of_a_known_structure(api: TestClient) -> None:
    r = api.get(f"{API}/compounds/NaCl")
    assert r.status_code == 200, r.text
    nacl = r.json()
    assert nacl["reduced_formula"] == "NaCl"
    assert 225 in nacl["space_group_numbers"]
    ids = [s["source_id"] for s in nacl["structures"]]
    assert "mp-22862" in ids
    mp = next(s for s in nacl["structures"] if s["source_id"] == "mp-22862")
    assert mp["url"] == "https://next-gen.materialsproject.org/materials/mp-22862"
    assert mp["space_group_number"] == 225
    # the structure row is a real material: CIF download works
    cif = api.get(f"{API}/materials/{mp['material_id']}/structure", params={"format": "cif"})
    assert cif.status_code == 200, cif.text
    assert "Na" in cif.text and "_cell_length_a" in cif.text
    # every value carries its provenance and a readable entry label
    for value in nacl["reference_values"]:
        assert value["upstream"] and value["licence"]
        for entry in value["entries"]:
            assert ":" not in entry["label"] or entry["label"].startswith("dcdft")
    tio2 = api.get(f"{API}/compounds/TiO2").json()
    expt = [v for v in tio2["reference_values"] if v["table"] == "expt_gap"]
    assert expt[0]["value"] == 3.3 and expt[0]["source_database"] == "experimental"
    assert expt[0]["entries"][0]["label"].startswith("Matbench expt_gap, row ")
    assert tio2["properties"]["band_gap"] != 3.3  # the MP (PBE) value is the headline
    # the same compound by id and by any cell formula
    assert api.get(f"{API}/compounds/{nacl['id']}").json()["reduced_formula"] == "NaCl"
    assert api.get(f"{API}/compounds/Na4Cl4").json()["id"] == nacl["id"]
    assert api.get(f"{API}/compounds/XeF9").status_code == 404
    assert api.get(f"{API}/compounds/" + "9" * 40).status_code == 404


def test_space_group_and_structure_filters(api: TestClient) -> None:
    r = api.get(f"{API}/compounds", params={"space_group_number": 225, "limit": 500})
    assert r.status_code == 200, r.text
    formulas = {i["reduced_formula"] for i in r.json()["items"]}
    assert {"NaCl", "MgO", "KCl", "LiF"} <= formulas
    assert all(225 in i["space_group_numbers"] for i in r.json()["items"])
    cubic = api.get(f"{API}/compounds", params={"crystal_system": "cubic"}).json()
    assert cubic["total"] >= 1000
    none = api.get(f"{API}/compounds", params={"has_structure": False, "limit": 5}).json()
    assert all(i["n_structures"] == 0 for i in none["items"])


def test_reload_is_incremental_and_keeps_ids(loaded: Engine) -> None:
    with loaded.connect() as conn:
        before = dict(conn.execute(text("SELECT reduced_formula, id FROM compounds")).all())
    again = load_reference(loaded, tables=TABLES)
    assert again.loaded == {} and again.compounds_changed == 0
    assert "known_structures" in again.skipped
    # a new data version: one shipped structure lost, one changed, ledger stale
    with loaded.begin() as conn:
        conn.execute(
            text("DELETE FROM materials WHERE source_id = 'mp-22862' AND organization_id IS NULL")
        )
        conn.execute(
            text(
                "UPDATE materials SET content_hash = 'stale' WHERE source_id = 'mp-1143' "
                "AND organization_id IS NULL"
            )
        )
        conn.execute(
            text("UPDATE reference_loads SET sha256 = 'old' WHERE table_name = 'known_structures'")
        )
    report = load_reference(loaded, tables=TABLES)
    assert report.structures == {
        "inserted": 1,
        "replaced": 1,
        "deleted": 0,
        "unchanged": report.structures["unchanged"],  # type: ignore[index]
    }
    assert report.compounds_changed >= 1
    with loaded.connect() as conn:
        after = dict(conn.execute(text("SELECT reduced_formula, id FROM compounds")).all())
        assert after == before  # compound ids are stable
        assert not compounds_service.missing(conn)
        back = conn.execute(
            text("SELECT count(*) FROM materials WHERE source_id = 'mp-22862'")
        ).scalar_one()
        assert back == 1


def test_own_materials_listed_on_the_compound_page_only_for_their_owner(
    api: TestClient,
) -> None:
    from pymatgen.core import Lattice, Structure

    nacl = Structure.from_spacegroup(
        "Fm-3m", Lattice.cubic(5.64), ["Na", "Cl"], [[0, 0, 0], [0.5, 0.5, 0.5]]
    )
    up = api.post(
        f"{API}/materials",
        files=[("files", ("rocksalt.cif", nacl.to(fmt="cif").encode(), "chemical/x-cif"))],
    )
    assert up.status_code == 201, up.text
    page = api.get(f"{API}/compounds/NaCl").json()
    assert page["own_materials_total"] == 1
    assert page["own_materials"][0]["id"] == up.json()[0]["id"]
    assert page["own_materials"][0]["has_structure"] is True


def _rocksalt_cif(a: float, cation: str, anion: str) -> bytes:
    from pymatgen.core import Lattice, Structure

    s = Structure.from_spacegroup(
        "Fm-3m", Lattice.cubic(a), [cation, anion], [[0, 0, 0], [0.5, 0.5, 0.5]]
    )
    return s.to(fmt="cif").encode()


def test_structure_similarity_finds_rocksalt_compounds(api: TestClient) -> None:
    up = api.post(
        f"{API}/materials",
        files=[("files", ("NaCl.cif", _rocksalt_cif(5.64, "Na", "Cl"), "chemical/x-cif"))],
    )
    assert up.status_code == 201, up.text
    material_id = up.json()[0]["id"]
    r = api.get(f"{API}/materials/{material_id}/similar", params={"by": "structure", "k": 10})
    assert r.status_code == 200, r.text
    page = r.json()
    hits = page["items"]
    assert len(hits) == 10
    known = [h for h in hits if h["material"]["is_reference"]]
    assert len(known) == 10  # the known set, embedded at load
    rocksalt = [h for h in known if h["material"]["space_group_number"] == 225]
    others = {h["material"]["reduced_formula"] for h in rocksalt} - {"NaCl"}
    assert len(others) >= 3, [
        (h["material"]["reduced_formula"], h["material"]["space_group_number"]) for h in hits
    ]
    assert all(h["compound"] is not None for h in known)
    # the query's own compound and its known structures are reported, not dropped
    assert page["query_compound"]["reduced_formula"] == "NaCl"
    assert "mp-22862" in {s["source_id"] for s in page["other_structures"]}


def test_composition_similarity_returns_compounds_and_the_query_polymorphs(
    api: TestClient,
) -> None:
    r = api.post(f"{API}/similar", json={"formula": "NaCl", "k": 10})
    assert r.status_code == 200, r.text
    page = r.json()
    assert page["query_compound"]["reduced_formula"] == "NaCl"
    assert {s["source_id"] for s in page["other_structures"]} >= {"mp-22862"}
    formulas = [h["material"]["reduced_formula"] for h in page["items"]]
    assert "NaCl" not in formulas and len(formulas) == 10
    assert all(
        h["compound"]["reduced_formula"] == h["material"]["reduced_formula"] for h in page["items"]
    )


def test_cli_compounds_list_and_show(loaded: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    import json

    from typer.testing import CliRunner

    from matdiscover.cli.compounds_commands import app
    from matdiscover.settings import get_settings

    monkeypatch.setenv("MATDISCOVER_DATABASE_URL", loaded.url.render_as_string(hide_password=False))
    get_settings.cache_clear()
    try:
        runner = CliRunner()
        r = runner.invoke(
            app,
            [
                "list",
                "--spacegroup",
                "225",
                "--prop",
                "bulk_modulus=100:",
                "--json",
                "--limit",
                "500",
            ],
        )
        assert r.exit_code == 0, r.output
        page = json.loads(r.output)
        assert page["items"] and all(
            i["properties"]["bulk_modulus"] >= 100 and 225 in i["space_group_numbers"]
            for i in page["items"]
        )
        r = runner.invoke(app, ["show", "NaCl"])
        assert r.exit_code == 0, r.output
        assert "mp-22862" in r.output and "Reference values" in r.output
        r = runner.invoke(app, ["show", "XeF9"])
        assert r.exit_code != 0 and "no known compound" in r.output
        r = runner.invoke(app, ["list", "--prop", "band_gap=3:1"])
        assert r.exit_code != 0 and "greater than" in r.output
    finally:
        get_settings.cache_clear()


def test_reference_rows_carry_a_readable_source(api: TestClient) -> None:
    nacl = api.get(f"{API}/compounds/NaCl").json()
    mp = next(s for s in nacl["structures"] if s["source_id"] == "mp-22862")
    row = api.get(f"{API}/materials/{mp['material_id']}").json()
    assert row["source_label"] == "mp-22862"
    assert row["source_url"] == "https://next-gen.materialsproject.org/materials/mp-22862"
    tio2 = api.get(f"{API}/compounds/TiO2").json()
    entry = next(v for v in tio2["reference_values"] if v["table"] == "expt_gap")["entries"][0]
    row = api.get(f"{API}/materials/{entry['material_id']}").json()
    assert row["source_label"].startswith("Matbench expt_gap, row ")
    assert row["source_url"] is None
    listed = api.get(f"{API}/materials", params={"formula": "TiO2", "limit": 5}).json()
    assert all(i["source_label"] for i in listed["items"] if i["is_reference"])
