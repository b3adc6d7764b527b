"""The shipped table of known structures (data/reference/known_structures.parquet)."""

from __future__ import annotations

import json
import random
import warnings

import numpy as np
import pytest
from pymatgen.core import Structure

from matdiscover.science.known_structures import (
    CITATIONS,
    COLUMNS,
    EMBEDDING_DIM,
    LICENCES,
    MP_TABLES,
    KnownStructure,
    known_structure_entries,
    known_structures_sha256,
    load_known_structures,
    source_url,
)
from matdiscover.science.structures.symmetry import DEFAULT_SYMPREC, analyze_symmetry


@pytest.fixture(scope="module")
def entries() -> list[KnownStructure]:
    return list(known_structure_entries())


@pytest.fixture(scope="module")
def by_id(entries: list[KnownStructure]) -> dict[str, KnownStructure]:
    return {e.source_id: e for e in entries}


def test_table_shape_and_sources(entries: list[KnownStructure]) -> None:
    df = load_known_structures()
    assert tuple(df.columns) == COLUMNS
    assert len(df) == len(entries)
    ids = [e.source_id for e in entries]
    assert len(set(ids)) == len(ids)
    assert ids == [
        e.source_id for e in sorted(entries, key=lambda e: (e.source_database, e.source_id))
    ]
    mp = [e for e in entries if e.source_database == "materials_project"]
    assert len(mp) >= 6_000
    assert all(e.source_id.startswith("mp-") for e in mp)
    assert all(set(e.source_tables) <= set(MP_TABLES) for e in mp)
    assert len({e.reduced_formula for e in entries}) >= 5_500
    assert {e.source_database for e in entries} == set(LICENCES)
    for e in entries:
        assert set(e.source_tables) <= set(CITATIONS)
    assert len(known_structures_sha256()) == 64


def test_structures_round_trip(entries: list[KnownStructure]) -> None:
    for e in entries:
        structure = Structure.from_dict(e.structure)
        with warnings.catch_warnings():  # noble gases: "No Pauling electronegativity"
            warnings.simplefilter("ignore", UserWarning)
            assert structure.composition.reduced_formula == e.reduced_formula, e.source_id
            assert structure.composition.formula == e.formula
        assert len(structure) == e.nsites
        assert e.elements == tuple(sorted(el.symbol for el in structure.composition.elements))


def test_nacl(by_id: dict[str, KnownStructure]) -> None:
    nacl = by_id["mp-22862"]
    assert nacl.reduced_formula == "NaCl"
    assert nacl.space_group_number == 225
    assert nacl.crystal_system == "cubic"
    assert nacl.source_tables == ("elastic_tensor",)
    assert 20 < nacl.properties["bulk_modulus"] < 25  # GPa (K_VRH 22.59)
    # mp-22862 is not in the dielectric table: no band gap is invented for it
    assert "band_gap" not in nacl.properties
    assert source_url(nacl.source_database, nacl.source_id) == (
        "https://next-gen.materialsproject.org/materials/mp-22862"
    )


def test_rocksalt_with_gap_and_modulus(by_id: dict[str, KnownStructure]) -> None:
    bas = by_id["mp-1500"]  # BaS, in both the elastic and the dielectric table
    assert (bas.reduced_formula, bas.space_group_number) == ("BaS", 225)
    assert bas.source_tables == ("elastic_tensor", "dielectric_constant")
    assert bas.properties["band_gap"] == pytest.approx(2.15)  # eV
    assert bas.properties["bulk_modulus"] == pytest.approx(41.390191)  # GPa
    assert bas.properties["refractive_index"] == pytest.approx(2.19)


def test_properties_are_physical(entries: list[KnownStructure]) -> None:
    allowed = {
        "formation_energy",
        "energy_above_hull",
        "bulk_modulus",
        "shear_modulus",
        "band_gap",
        "refractive_index",
        "dielectric_constant",
        "piezoelectric_modulus",
    }
    for e in entries:
        assert set(e.properties) <= allowed
        assert all(np.isfinite(v) for v in e.properties.values())
        for key in ("bulk_modulus", "shear_modulus"):
            assert e.properties.get(key, 1.0) > 0
        if e.source_database != "materials_project":
            assert e.properties == {}
    with_gap = [e for e in entries if "band_gap" in e.properties]
    assert len(with_gap) >= 1_000


def test_space_groups_recompute(entries: list[KnownStructure]) -> None:
    sample = random.Random(12).sample(entries, 20)
    for e in sample:
        sym = analyze_symmetry(Structure.from_dict(e.structure), symprec=DEFAULT_SYMPREC)
        assert sym.space_group_number == e.space_group_number, e.source_id
        assert sym.crystal_system == e.crystal_system


def test_embeddings_match_chgnet(entries: list[KnownStructure]) -> None:
    from matdiscover.science.models.chgnet_path import evaluate_structures

    embedded = [e for e in entries if e.structure_embedding is not None]
    assert len(embedded) >= 6_000
    assert all(len(e.structure_embedding or ()) == EMBEDDING_DIM for e in embedded)
    small = [e for e in embedded if e.nsites <= 4 and e.source_database == "materials_project"]
    picks = random.Random(3).sample(small, 3)
    results = evaluate_structures([Structure.from_dict(e.structure) for e in picks], forces=False)
    for e, res in zip(picks, results, strict=True):
        stored = np.asarray(e.structure_embedding)
        fresh = np.asarray(res.crystal_features)
        cosine = stored @ fresh / (np.linalg.norm(stored) * np.linalg.norm(fresh))
        assert cosine > 0.999, (e.source_id, cosine)


def test_prototypes(entries: list[KnownStructure], by_id: dict[str, KnownStructure]) -> None:
    prototypes = [e for e in entries if e.source_database == "aflow_prototypes"]
    assert len(prototypes) == 288
    rocksalt = by_id["AB_cF8_225_a_b"]
    assert rocksalt.space_group_number == 225
    assert rocksalt.reduced_formula == "NaCl"
    assert rocksalt.label.startswith("NaCl") and "(B1)" in rocksalt.label
    assert rocksalt.source_tables == ("aflow_prototypes",)
    # labels shared by several prototypes are disambiguated by formula, and get no link
    assert {"AB2_oP6_58_a_g.FeS2", "AB2_oP6_58_a_g.CaCl2"} <= set(by_id)
    assert source_url("aflow_prototypes", "AB2_oP6_58_a_g.FeS2") is None


def test_dcdft(by_id: dict[str, KnownStructure]) -> None:
    fe = by_id["dcdft:Fe"]
    assert fe.source_database == "ase_dcdft"
    assert fe.reduced_formula == "Fe"
    assert fe.space_group_number == 229  # bcc
    assert source_url("ase_dcdft", "dcdft:Fe") is None


def test_structure_json_is_compact() -> None:
    df = load_known_structures()
    site = json.loads(df["structure"].iloc[0])["sites"][0]
    assert "xyz" not in site
