"""Uploads matched against the shared known structures (``materials.known_match``), through
the API and the CLI, against the real embedded PostgreSQL."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import typer
from fastapi.testclient import TestClient
from pymatgen.core import Composition, Lattice, Structure
from sqlalchemy import Engine, text
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from matdiscover.cli import materials_commands
from matdiscover.domains.materials.models import Material
from matdiscover.science.io import write_structure
from matdiscover.science.known_structures import known_structure_entries
from matdiscover.science.structures import analyze_symmetry
from tests.science.structure_fixtures import rocksalt

FCC = [[0, 0, 0], [0, 0.5, 0.5], [0.5, 0, 0.5], [0.5, 0.5, 0]]


def zincblende(a: float, cation: str, anion: str) -> Structure:
    """Zinc blende AB (F-43m), conventional cell, lattice constant ``a`` in Å."""
    anion_sites = [[x + 0.25 for x in p] for p in FCC]
    return Structure(Lattice.cubic(a), [cation] * 4 + [anion] * 4, FCC + anion_sites)


def cesium_chloride(a: float, cation: str, anion: str) -> Structure:
    """CsCl type AB (Pm-3m), lattice constant ``a`` in Å."""
    return Structure(Lattice.cubic(a), [cation, anion], [[0, 0, 0], [0.5, 0.5, 0.5]])


# the shipped known structures of these formulas (data/reference/known_structures.parquet):
# NaCl mp-22862 (rock salt) and the rock-salt AFLOW prototype; CsCl mp-22865 (Pm-3m),
# mp-573697 (Fm-3m) and a prototype; GaAs mp-2534 (zinc blende), mp-8883 (wurtzite) and a
# prototype. Prototypes come first in the table (lower ids): the mp-id is still preferred.
KNOWN_FORMULAS = ("NaCl", "CsCl", "GaAs")


def shipped(source_id: str) -> Structure:
    (entry,) = [e for e in known_structure_entries() if e.source_id == source_id]
    return Structure.from_dict(entry.structure)


def reference_row(
    source_database: str, source_id: str, *, formula: str, structure: Structure | None = None
) -> Material:
    """A shared reference row (``organization_id`` NULL), with or without a structure."""
    comp = Composition(formula) if structure is None else structure.composition
    elements = sorted({el.symbol for el in comp.elements})
    row = Material(
        organization_id=None,
        formula=comp.formula,
        reduced_formula=comp.reduced_formula,
        chemical_system="-".join(elements),
        elements=elements,
        nelements=len(elements),
        source="reference",
        source_database=source_database,
        source_id=source_id,
        properties={},
        warnings=[],
    )
    if structure is not None:
        sym = analyze_symmetry(structure)
        row.structure = structure.as_dict()
        row.nsites = len(structure)
        row.space_group_number = sym.space_group_number
        row.space_group_symbol = sym.space_group_symbol
        row.crystal_system = sym.crystal_system
    return row


@pytest.fixture()
def known(session: Session) -> dict[str, int]:
    """The shared reference rows; source_id -> material id."""
    rows = [
        reference_row(
            e.source_database, e.source_id, formula="", structure=Structure.from_dict(e.structure)
        )
        for e in known_structure_entries()
        if e.reduced_formula in KNOWN_FORMULAS
    ]
    assert len(rows) == 8
    # composition-only rows (the property tables): NaCl also has one; CdO (rock salt, in
    # the tables but without a shipped structure) has only these
    assert "CdO" not in {e.reduced_formula for e in known_structure_entries()}
    rows += [
        reference_row("materials_project", "mp_e_form:1", formula="NaCl"),
        reference_row("materials_project", "mp_e_form:2", formula="CdO"),
        reference_row("oqmd", "oqmd_bandgap:3", formula="CdO"),
    ]
    session.add_all(rows)
    session.commit()
    return {r.source_id or "": r.id for r in rows}


def upload_one(client: TestClient, structure: Structure, name: str = "x.cif") -> dict[str, Any]:
    fmt = "poscar" if name.startswith("POSCAR") else "cif"
    r = client.post(
        "/api/v1/materials",
        files=[("files", (name, write_structure(structure, fmt).encode()))],
    )
    assert r.status_code == 201, r.text
    (m,) = r.json()
    return m


def assert_matches(m: dict[str, Any], known: dict[str, int], source_id: str) -> None:
    assert m["known_match"] == {
        "kind": "match",
        "material_id": known[source_id],
        "source_database": "materials_project",
        "source_id": source_id,
        "url": f"https://next-gen.materialsproject.org/materials/{source_id}",
        "space_group_symbol": m["known_match"]["space_group_symbol"],
        "reduced_formula": None,
        "known_structures": None,
    }


def test_shipped_structure_its_supercell_and_a_strained_copy_match(
    client: TestClient, known: dict[str, int]
) -> None:
    nacl = shipped("mp-22862")
    # 3.5 % shorter than mp-22862: beyond the duplicate check's 3 %, but the same phase, as
    # known structures are compared at equal volume per atom
    smaller = nacl.copy()
    smaller.scale_lattice(nacl.volume * 0.965**3)
    assert_matches(upload_one(client, smaller, "NaCl_small.cif"), known, "mp-22862")

    m = upload_one(client, nacl, "NaCl.cif")  # the shipped structure itself, as CIF
    assert m["duplicate_of"] is None  # of the smaller one: 3.5 % apart
    assert_matches(m, known, "mp-22862")
    assert m["known_match"]["space_group_symbol"] == "Fm-3m"
    assert client.get(f"/api/v1/materials/{m['id']}").json()["known_match"] == m["known_match"]

    supercell = upload_one(client, nacl * (2, 2, 2), "NaCl_222.cif")
    assert supercell["nsites"] == 64
    assert_matches(supercell, known, "mp-22862")

    # an "experimental" copy: 1.5 % shorter in every direction plus a 0.6° shear
    strained = nacl.copy()
    strained.apply_strain(-0.015)
    shear = [[1, 0, 0], [0.01, 1, 0], [0, 0, 1]]
    strained.lattice = Lattice(strained.lattice.matrix @ shear)
    m = upload_one(client, strained, "POSCAR_strained")
    assert_matches(m, known, "mp-22862")

    # experimental lattice constants (Å); mp-573697 (CsCl in rock salt) is not it
    cscl = upload_one(client, cesium_chloride(4.12, "Cs", "Cl"), "CsCl.cif")
    assert_matches(cscl, known, "mp-22865")
    gaas = upload_one(client, zincblende(5.653, "Ga", "As"), "GaAs.cif")
    assert_matches(gaas, known, "mp-2534")


def test_other_polymorph_known_composition_and_new_compound(
    client: TestClient, known: dict[str, int]
) -> None:
    polymorph = upload_one(client, zincblende(5.9, "Na", "Cl"), "NaCl_zb.cif")
    assert polymorph["known_match"]["kind"] == "new_polymorph"
    assert polymorph["known_match"]["reduced_formula"] == "NaCl"
    assert polymorph["known_match"]["known_structures"] == 2  # prototype + mp-22862
    assert polymorph["known_match"]["source_id"] is None

    # a rock salt with a clearly different shape (tetragonal, c/a = 1.15) is not mp-22862
    stretched = shipped("mp-22862")
    stretched.apply_strain([0.0, 0.0, 0.15])
    assert upload_one(client, stretched)["known_match"]["kind"] == "new_polymorph"

    cdo = upload_one(client, rocksalt(4.70, "Cd", "O"), "CdO.cif")
    assert cdo["known_match"]["kind"] == "known_composition"
    assert cdo["known_match"]["reduced_formula"] == "CdO"

    # a hypothetical cation-ordered rock salt KNaCl2: no reference entry of that formula
    anions = [[(x + 0.5) % 1 for x in p] for p in FCC]
    made_up = Structure(Lattice.cubic(6.0), ["Na", "Na", "K", "K"] + ["Cl"] * 4, FCC + anions)
    new = upload_one(client, made_up, "KNaCl2.cif")
    assert new["reduced_formula"] == "KNaCl2"
    assert new["known_match"] == {
        "kind": "new_compound",
        **dict.fromkeys(
            [
                "material_id",
                "source_database",
                "source_id",
                "url",
                "space_group_symbol",
                "reduced_formula",
                "known_structures",
            ]
        ),
    }


def test_broken_reference_structure_never_fails_the_upload(
    client: TestClient, known: dict[str, int], session: Session
) -> None:
    broken = reference_row("materials_project", "mp-0", formula="", structure=rocksalt())
    broken.structure = {"lattice": "nonsense"}
    session.add(broken)
    session.commit()
    m = upload_one(client, zincblende(5.9, "Na", "Cl"))
    assert m["known_match"]["kind"] == "new_polymorph"  # the broken candidate was skipped
    disordered = rocksalt(cation={"Na": 0.5, "K": 0.5})
    d = upload_one(client, disordered, "NaKCl.cif")
    assert d["is_ordered"] is False and d["known_match"]["kind"] == "new_compound"


def test_known_match_is_computed_on_read_for_older_uploads(
    client: TestClient, known: dict[str, int], engine: Engine
) -> None:
    """Materials uploaded before matching existed have ``known_match`` NULL: the first
    ``GET /materials/{id}`` computes and stores it; reference rows stay untouched."""
    m = upload_one(client, rocksalt(5.64), "NaCl_exp.cif")
    with engine.begin() as conn:
        conn.execute(text("UPDATE materials SET known_match = NULL"))
    got = client.get(f"/api/v1/materials/{m['id']}")
    assert got.status_code == 200
    assert_matches(got.json(), known, "mp-22862")
    with engine.connect() as conn:
        stored = conn.execute(
            text("SELECT known_match FROM materials WHERE id = :id"), {"id": m["id"]}
        ).scalar_one()
        reference_matches = conn.execute(
            text(
                "SELECT count(*) FROM materials"
                " WHERE organization_id IS NULL AND known_match IS NOT NULL"
            )
        ).scalar_one()
    assert stored["source_id"] == "mp-22862"
    assert reference_matches == 0
    ref = client.get(f"/api/v1/materials/{known['mp-22862']}").json()
    assert ref["is_reference"] and ref["known_match"] is None


@pytest.fixture()
def cli(db_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[typer.Typer]:
    from matdiscover.settings import get_settings

    monkeypatch.setenv("MATDISCOVER_DATABASE_URL", db_url)
    monkeypatch.setattr(materials_commands.console, "width", 250)  # no folded cells
    get_settings.cache_clear()
    yield materials_commands.app
    get_settings.cache_clear()


def test_cli_add_and_show_print_the_match(
    cli: typer.Typer, known: dict[str, int], tmp_path: Path
) -> None:
    nacl = tmp_path / "NaCl.cif"
    nacl.write_text(write_structure(shipped("mp-22862"), "cif"))
    polymorph = tmp_path / "NaCl_zb.cif"
    polymorph.write_text(write_structure(zincblende(5.9, "Na", "Cl"), "cif"))
    again = tmp_path / "NaCl_again.cif"
    again.write_text(write_structure(shipped("mp-22862"), "cif"))
    r = CliRunner().invoke(cli, ["add", str(nacl), str(polymorph), str(again)])
    assert r.exit_code == 0, r.output
    assert "matches mp-22862" in r.output
    assert "new polymorph of a known compound (NaCl, 2 known structures)" in r.output
    assert "duplicate of" in r.output

    r = CliRunner().invoke(cli, ["add", "--json", str(nacl)])
    (m,) = json.loads(r.output)
    assert m["known_match"]["source_id"] == "mp-22862"
    r = CliRunner().invoke(cli, ["show", str(m["id"])])
    assert r.exit_code == 0, r.output
    assert "matches mp-22862 https://next-gen.materialsproject.org/materials/mp-22862" in r.output
