"""Every real-world file in tests/data/real parses (or fails with its documented message)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from matdiscover.errors import InvalidStructure
from matdiscover.science.io import ParsedStructure, read_structures
from tests.science.structure_fixtures import REAL_DIR

REAL_FILES = sorted(p for p in REAL_DIR.iterdir() if p.is_file() and p.suffix != ".md")

# Genuinely unsupported real files and the specific message each must give.
UNSUPPORTED = {
    "POSCAR_example_1": "species names are missing",
    "nosites.cif": "contains no atoms",
    "bucky.xyz": "first line of an XYZ file must be the number of atoms",
}


def test_corpus_is_big_and_documented() -> None:
    assert len(REAL_FILES) >= 35
    provenance = (REAL_DIR / "PROVENANCE.md").read_text()
    for path in REAL_FILES:
        assert path.name in provenance, f"{path.name} has no provenance line"
    assert sum(p.stat().st_size for p in REAL_FILES) < 5 * 1024 * 1024


@pytest.mark.parametrize("path", REAL_FILES, ids=lambda p: p.name)
def test_real_file(path: Path) -> None:
    data = path.read_bytes()
    if path.name in UNSUPPORTED:
        with pytest.raises(InvalidStructure, match=re.escape(UNSUPPORTED[path.name])):
            read_structures(data, path.name)
        return
    result = read_structures(data, path.name)
    assert result.structures and not result.errors
    for parsed in result.structures:
        assert parsed.filename == path.name
        assert parsed.label.startswith(path.name)
        assert parsed.nsites == len(parsed.structure) > 0
        assert parsed.symmetry.space_group_number is not None
        assert 1 <= parsed.symmetry.space_group_number <= 230
        assert re.fullmatch(r"[0-9a-f]{64}", parsed.canonical_hash)
        assert parsed.volume > 0 and 0.1 < parsed.density < 25
        a, b, c, alpha, beta, gamma = parsed.lattice_parameters
        assert min(a, b, c) > 0 and 0 < min(alpha, beta, gamma) <= max(alpha, beta, gamma) < 180
        assert parsed.chemical_system == "-".join(sorted(parsed.chemical_system.split("-")))
        assert parsed.nelements == len(parsed.chemical_system.split("-"))
        assert parsed.is_ordered == parsed.structure.is_ordered
        json.dumps(parsed.structure.as_dict())  # storable as plain JSON


def test_success_rate() -> None:
    ok = len(REAL_FILES) - len(UNSUPPORTED)
    assert ok / len(REAL_FILES) >= 0.95


def test_known_answers() -> None:
    def one(name: str) -> ParsedStructure:
        return read_structures((REAL_DIR / name).read_bytes(), name).structures[0]

    rutile = one("Rutile.cif")
    assert (rutile.reduced_formula, rutile.symmetry.space_group_symbol) == ("TiO2", "P4_2/mnm")
    assert rutile.symmetry.crystal_system == "tetragonal"
    nacl = one("POSCAR_NaCl")
    assert (nacl.formula, nacl.chemical_system, nacl.symmetry.space_group_number) == (
        "Na4 Cl4",
        "Cl-Na",
        225,
    )
    assert nacl.density == pytest.approx(2.1, abs=0.1)  # g/cm^3 (expt. 2.16; DFT cell)
    assert one("FAU.cif").nsites == 576
    disordered = one("Na0.8CoO2_P63mmc.cif")
    assert not disordered.is_ordered
    assert one("triclinic.cif").symmetry.crystal_system in {"triclinic", "monoclinic"}
    assert one("LiCl-bad.cif").warnings, "pymatgen's parse warnings are surfaced"
