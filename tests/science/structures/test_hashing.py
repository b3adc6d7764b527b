"""canonical_hash: one crystal, one hash, whatever the cell; different crystals differ."""

from __future__ import annotations

import numpy as np
import pytest
from pymatgen.core import Structure

from matdiscover.science.io import read_structures, write_structure
from matdiscover.science.structures import canonical_hash, conventional_cell, primitive_cell
from tests.science.structure_fixtures import REAL_DIR, nacl_conventional, rocksalt, rutile


def parsed_hash(name: str) -> str:
    return read_structures((REAL_DIR / name).read_bytes(), name).structures[0].canonical_hash


def shifted(s: Structure, shift: tuple[float, float, float]) -> Structure:
    out = s.copy()
    out.translate_sites(list(range(len(out))), shift, frac_coords=True, to_unit_cell=True)
    return out


def permuted(s: Structure, seed: int = 0) -> Structure:
    order = np.random.default_rng(seed).permutation(len(s))
    return Structure.from_sites([s[int(i)] for i in order])


def other_basis(s: Structure) -> Structure:
    """The same crystal described with a different (unimodular) set of lattice vectors."""
    matrix = np.array([[1, 1, 0], [0, 1, 0], [1, 0, 1]])  # det = 1
    return s.copy().make_supercell(matrix)


def test_nacl_conventional_cif_primitive_poscar_and_supercell_agree() -> None:
    conv = nacl_conventional()
    cif = read_structures(write_structure(conv, "cif").encode(), "NaCl.cif").structures[0]
    prim_poscar = write_structure(primitive_cell(conv), "poscar").encode()
    prim = read_structures(prim_poscar, "POSCAR").structures[0]
    supercell = conv * (2, 1, 1)
    assert len(cif.structure) == 8 and len(prim.structure) == 2 and len(supercell) == 16
    assert cif.canonical_hash == prim.canonical_hash == canonical_hash(supercell)


@pytest.mark.parametrize("name", ["Rutile.cif", "JVASP-47532.cif", "2242624.cif", "R-3c.cif"])
def test_invariant_to_cell_choice(name: str) -> None:
    s = read_structures((REAL_DIR / name).read_bytes(), name).structures[0].structure
    reference = canonical_hash(s)
    variants = [
        s * (1, 2, 1),
        permuted(s),
        shifted(s, (0.137, 0.29, 0.71)),
        other_basis(s),
        primitive_cell(s),
        conventional_cell(s),
        s.get_reduced_structure(),
    ]
    assert [canonical_hash(v) for v in variants] == [reference] * len(variants)


def test_real_files_of_the_same_crystal_agree() -> None:
    """The NaCl POSCAR from phonopy, as primitive cell and 1x2x2 supercell."""
    s = read_structures((REAL_DIR / "POSCAR_NaCl").read_bytes(), "POSCAR_NaCl").structures[0]
    assert canonical_hash(primitive_cell(s.structure)) == s.canonical_hash
    assert canonical_hash(s.structure * (1, 2, 2)) == s.canonical_hash


def test_polymorphs_differ() -> None:
    assert parsed_hash("Rutile.cif") != parsed_hash("POSCAR-anatase")
    assert parsed_hash("lt_quartz.cif") != parsed_hash("ht_quartz.cif")
    assert parsed_hash("cod_9004112.cif") != parsed_hash("cod_9004218.cif")  # CoAsS


def test_composition_differs() -> None:
    kcl = nacl_conventional().copy()
    kcl.replace_species({"Na": "K"})
    assert canonical_hash(kcl) != canonical_hash(nacl_conventional())


@pytest.mark.parametrize("factor", [1.02, 0.98, 1.05])
def test_lattice_constant_change_of_two_percent_differs(factor: float) -> None:
    assert canonical_hash(nacl_conventional(5.64 * factor)) != canonical_hash(nacl_conventional())
    strained = rutile().copy()
    strained.scale_lattice(rutile().volume * factor**3)
    assert canonical_hash(strained) != canonical_hash(rutile())


def test_tiny_noise_is_tolerated() -> None:
    s = rutile()
    noisy = s.copy()
    rng = np.random.default_rng(3)
    for i in range(len(noisy)):
        noisy.translate_sites([i], rng.normal(0, 0.002, 3), frac_coords=False)
    assert canonical_hash(noisy) == canonical_hash(s)


def test_disordered_structures_hash_by_occupancy() -> None:
    half = rocksalt(cation={"Na": 0.5, "K": 0.5})
    mostly = rocksalt(cation={"Na": 0.8, "K": 0.2})
    assert canonical_hash(half) == canonical_hash(primitive_cell(half))
    assert canonical_hash(half) == canonical_hash(half * (1, 1, 2))
    assert canonical_hash(half) != canonical_hash(mostly)
