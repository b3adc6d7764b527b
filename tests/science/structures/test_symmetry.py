"""Space-group analysis and standard cells."""

from __future__ import annotations

import pytest

import matdiscover.science.structures.symmetry as symmetry_module
from matdiscover.errors import InvalidStructure
from matdiscover.science.io import read_structures
from matdiscover.science.structures import (
    SymmetryInfo,
    analyze_symmetry,
    conventional_cell,
    primitive_cell,
)
from tests.science.structure_fixtures import REAL_DIR, nacl_conventional, rutile


def test_known_space_groups() -> None:
    assert analyze_symmetry(nacl_conventional()) == SymmetryInfo(225, "Fm-3m", "cubic", 0.1)
    info = analyze_symmetry(rutile(), symprec=0.01)
    assert (info.space_group_number, info.crystal_system, info.symprec) == (136, "tetragonal", 0.01)


def test_symprec_matters_for_distorted_cells() -> None:
    s = nacl_conventional()
    s.translate_sites([0], [0.03, 0.0, 0.0], frac_coords=False)  # 0.03 Å displacement
    assert analyze_symmetry(s, symprec=0.1).space_group_number == 225
    assert analyze_symmetry(s, symprec=0.001).space_group_number != 225


def test_standard_cells() -> None:
    conv = nacl_conventional()
    prim = primitive_cell(conv)
    assert len(prim) == 2
    assert len(conventional_cell(prim)) == 8
    assert conventional_cell(prim).lattice.abc == pytest.approx((5.64, 5.64, 5.64))


def test_spglib_failure_gives_none_and_a_warning(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("spglib exploded")

    monkeypatch.setattr(symmetry_module, "SpacegroupAnalyzer", broken)
    assert analyze_symmetry(rutile()) == SymmetryInfo(None, None, None, 0.1)
    with pytest.raises(InvalidStructure, match="conventional cell"):
        conventional_cell(rutile())
    with pytest.raises(InvalidStructure, match="primitive cell"):
        primitive_cell(rutile())
    parsed = read_structures((REAL_DIR / "Rutile.cif").read_bytes(), "Rutile.cif").structures[0]
    assert parsed.symmetry.space_group_number is None
    assert any("Symmetry analysis failed" in w for w in parsed.warnings)
    assert len(parsed.canonical_hash) == 64
