"""POSCAR/CONTCAR, extended XYZ and JSON readers."""

from __future__ import annotations

import json

import pytest

from matdiscover.errors import InputTooLarge, InvalidStructure
from matdiscover.science.io import ParseLimits, read_structures
from tests.science.structure_fixtures import REAL_DIR, nacl_conventional

VASP4 = "Na Cl rock salt\n1.0\n5.64 0 0\n0 5.64 0\n0 0 5.64\n1 1\nDirect\n0 0 0\n0.5 0.5 0.5\n"


def test_vasp4_species_derived_from_comment_line() -> None:
    parsed = read_structures(VASP4.encode(), "POSCAR").structures[0]
    assert parsed.reduced_formula == "NaCl"
    real = (REAL_DIR / "POSCAR_NaCl").read_bytes()  # a real VASP 4 file: "Na Cl" comment
    assert read_structures(real, "POSCAR_NaCl").structures[0].formula == "Na4 Cl4"


def test_contcar_with_selective_dynamics_and_velocities() -> None:
    lines = (REAL_DIR / "POSCAR-SnO2").read_text().rstrip("\n").split("\n")
    counts = sum(int(x) for x in lines[6].split())
    body = [*lines[:7], "Selective dynamics", lines[7]]
    body += [f"{line}  T T F" for line in lines[8 : 8 + counts]]
    body += ["", *["  0.001 0.002 0.003"] * counts]
    parsed = read_structures(("\n".join(body) + "\n").encode(), "CONTCAR").structures[0]
    assert parsed.formula == "Sn2 O4" and parsed.source_format == "poscar"


def test_poscar_species_and_count_mismatch() -> None:
    text = VASP4.replace("1 1\n", "Na Cl K\n1 1\n")
    with pytest.raises(InvalidStructure, match="names 3 elements .* gives 2 atom counts"):
        read_structures(text.encode(), "POSCAR")


def test_poscar_too_short_and_bad_lattice_line() -> None:
    with pytest.raises(InvalidStructure, match="POSCAR is too short"):
        read_structures(b"x\n1.0\n1 0 0\n", "POSCAR")
    bad = VASP4.replace("0 5.64 0", "0 five 0")
    with pytest.raises(InvalidStructure, match="line 4 should be a lattice vector"):
        read_structures(bad.encode(), "POSCAR")


def test_poscar_more_coordinates_than_declared() -> None:
    text = VASP4 + "0.25 0.25 0.25\n"
    with pytest.raises(InvalidStructure, match="more coordinate lines follow"):
        read_structures(text.encode(), "POSCAR")


EXTXYZ = (
    '2\nLattice="4.2 0 0 0 4.2 0 0 0 4.2" Properties=species:S:1:pos:R:3 pbc="T T T"\n'
    "Cs 0 0 0\nCl 2.1 2.1 2.1\n"
)


def test_extxyz_single_and_multi_frame() -> None:
    single = read_structures(EXTXYZ.encode(), "CsCl.xyz")
    assert [s.label for s in single.structures] == ["CsCl.xyz"]
    assert single.structures[0].symmetry.space_group_symbol == "Pm-3m"
    two = read_structures((EXTXYZ + EXTXYZ.replace("4.2", "4.3")).encode(), "traj.extxyz")
    assert [s.label for s in two.structures] == ["traj.extxyz#0", "traj.extxyz#1"]


def test_extxyz_frame_without_cell_is_a_per_frame_error() -> None:
    molecule = "2\nProperties=species:S:1:pos:R:3\nH 0 0 0\nH 0 0 0.74\n"
    result = read_structures((EXTXYZ + molecule).encode(), "mixed.xyz")
    assert [s.label for s in result.structures] == ["mixed.xyz#0"]
    assert result.errors[0][0] == "mixed.xyz#1"
    assert "periodic cell is needed" in result.errors[0][1]


def test_real_extxyz() -> None:
    parsed = read_structures(
        (REAL_DIR / "opls_structure_ext.xyz").read_bytes(), "opls_structure_ext.xyz"
    ).structures[0]
    assert parsed.nsites == 3 and parsed.volume > 0


def test_xyz_atom_count_limit() -> None:
    with pytest.raises(InputTooLarge, match="declares 6 atoms"):
        read_structures(b"6\nx\n", "a.xyz", limits=ParseLimits(max_sites=5))


def test_json_single_list_and_entry() -> None:
    d = nacl_conventional().as_dict()
    assert read_structures(json.dumps(d).encode(), "a.json").structures[0].formula == "Na4 Cl4"
    listed = read_structures(json.dumps([d, {"x": 1}]).encode(), "many.json")
    assert [s.label for s in listed.structures] == ["many.json#0"]
    assert listed.errors[0][0] == "many.json#1"
    entry = {"@class": "ComputedStructureEntry", "energy": -1.0, "structure": d}
    assert read_structures(json.dumps(entry).encode(), "e.json").structures


def test_json_unknown_element() -> None:
    d = nacl_conventional().as_dict()
    d["sites"][0]["species"][0]["element"] = "Qq"
    with pytest.raises(InvalidStructure, match="Qq"):
        read_structures(json.dumps(d).encode(), "a.json")
