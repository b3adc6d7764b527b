"""Written files read back to the same crystal."""

from __future__ import annotations

from typing import Literal

import pytest

from matdiscover.errors import InvalidInput, InvalidStructure
from matdiscover.science.io import read_structures, write_structure
from matdiscover.science.structures import same_crystal
from tests.science.structure_fixtures import REAL_DIR

ROUND_TRIP = [
    "Rutile.cif",
    "JVASP-47532.cif",
    "triclinic.cif",
    "POSCAR_P4_332",
    "POSCAR-MgB2",
    "LiFePO4.json",
    "ice.cif",
    "LaMnO3.mcif",
]
NAMES = {"cif": "out.cif", "poscar": "POSCAR", "json": "out.json"}


@pytest.mark.parametrize("fmt", ["cif", "poscar", "json"])
@pytest.mark.parametrize("name", ROUND_TRIP)
def test_round_trip(name: str, fmt: Literal["cif", "poscar", "json"]) -> None:
    original = read_structures((REAL_DIR / name).read_bytes(), name).structures[0]
    text = write_structure(original.structure, fmt)
    again = read_structures(text.encode(), NAMES[fmt]).structures[0]
    assert again.source_format == fmt
    assert again.formula == original.formula
    assert again.canonical_hash == original.canonical_hash
    assert same_crystal(again.structure, original.structure)
    assert again.volume == pytest.approx(original.volume, rel=1e-6)


@pytest.mark.parametrize("fmt", ["cif", "json"])
def test_disordered_round_trip(fmt: Literal["cif", "json"]) -> None:
    name = "Na0.8CoO2_P63mmc.cif"
    original = read_structures((REAL_DIR / name).read_bytes(), name).structures[0]
    again = read_structures(write_structure(original.structure, fmt).encode(), NAMES[fmt])
    parsed = again.structures[0]
    assert not parsed.is_ordered
    assert parsed.structure.composition.almost_equals(original.structure.composition)
    assert parsed.canonical_hash == original.canonical_hash
    assert same_crystal(parsed.structure, original.structure)


def test_disordered_poscar_refused() -> None:
    name = "Na0.8CoO2_P63mmc.cif"
    disordered = read_structures((REAL_DIR / name).read_bytes(), name).structures[0].structure
    with pytest.raises(InvalidStructure, match="partially occupied"):
        write_structure(disordered, "poscar")


def test_unknown_format() -> None:
    name = "Rutile.cif"
    s = read_structures((REAL_DIR / name).read_bytes(), name).structures[0].structure
    with pytest.raises(InvalidInput, match="Unknown output format"):
        write_structure(s, "pdb")  # type: ignore[arg-type]
