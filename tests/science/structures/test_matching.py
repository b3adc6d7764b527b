"""same_crystal."""

from __future__ import annotations

from matdiscover.science.io import read_structures
from matdiscover.science.structures import primitive_cell, same_crystal
from tests.science.structure_fixtures import REAL_DIR, nacl_conventional, rocksalt, rutile


def test_same_crystal_in_different_cells() -> None:
    conv = nacl_conventional()
    assert same_crystal(conv, primitive_cell(conv))
    assert same_crystal(conv, conv * (1, 1, 2))
    assert same_crystal(conv, nacl_conventional(5.70))  # ~1 % relaxation difference


def test_different_crystals() -> None:
    assert not same_crystal(nacl_conventional(), rutile())
    anatase = read_structures((REAL_DIR / "POSCAR-anatase").read_bytes(), "POSCAR-anatase")
    assert not same_crystal(rutile(), anatase.structures[0].structure)
    assert not same_crystal(nacl_conventional(), nacl_conventional(7.0))  # no volume scaling


def test_disordered() -> None:
    half = rocksalt(cation={"Na": 0.5, "K": 0.5})
    assert same_crystal(half, primitive_cell(half))
    assert not same_crystal(half, nacl_conventional())
    other = rocksalt(cation={"Na": 0.8, "K": 0.2})
    assert not same_crystal(half, other)


def test_scale_normalises_volume_but_not_shape() -> None:
    """``scale=True``: an experimental cell matches its DFT-relaxed one (PBE lattices 1-3 %
    longer) under the tight duplicate tolerances; a different shape still does not."""
    tight = {"ltol": 0.03, "stol": 0.15, "angle_tol": 2.0}
    relaxed = nacl_conventional(5.64 * 1.04)  # 4 % longer: outside ltol without scaling
    assert not same_crystal(nacl_conventional(), relaxed, **tight)
    assert same_crystal(nacl_conventional(), relaxed, **tight, scale=True)
    assert same_crystal(nacl_conventional(), nacl_conventional(7.0), scale=True)
    stretched = nacl_conventional()
    stretched.apply_strain([0.0, 0.0, 0.12])  # tetragonal c/a = 1.12: another shape
    assert not same_crystal(nacl_conventional(), stretched, **tight, scale=True)
    assert not same_crystal(nacl_conventional(), rutile(), scale=True)
