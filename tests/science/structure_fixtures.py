"""Corpora paths and small reference crystals shared by the io and structures tests."""

from __future__ import annotations

from pathlib import Path

from pymatgen.core import Lattice, Structure

DATA = Path(__file__).resolve().parent.parent / "data"
REAL_DIR = DATA / "real"
MALFORMED_DIR = DATA / "malformed"


FCC = [[0, 0, 0], [0, 0.5, 0.5], [0.5, 0, 0.5], [0.5, 0.5, 0]]


def rocksalt(
    a: float = 5.64, cation: str | dict[str, float] = "Na", anion: str = "Cl"
) -> Structure:
    """Rock-salt AB, conventional cubic cell (8 sites), lattice constant ``a`` in Å.

    Built from explicit coordinates: ``Structure.from_spacegroup("Fm-3m")`` costs ~2 s in
    pymatgen (it deduplicates 192 symmetry operations pairwise).
    """
    anion_sites = [[(x + 0.5) % 1 for x in p] for p in FCC]
    return Structure(Lattice.cubic(a), [cation] * 4 + [anion] * 4, FCC + anion_sites)


def nacl_conventional(a: float = 5.64) -> Structure:
    """Rock-salt NaCl, conventional cubic cell (8 sites), lattice constant ``a`` in Å."""
    return rocksalt(a)


def rutile() -> Structure:
    """TiO2 rutile (P4_2/mnm), a = 4.594 Å, c = 2.959 Å, x(O) = 0.3048."""
    x = 0.3048
    coords = [[0, 0, 0], [0.5, 0.5, 0.5], [x, x, 0], [-x, -x, 0]]
    coords += [[0.5 + x, 0.5 - x, 0.5], [0.5 - x, 0.5 + x, 0.5]]
    return Structure(Lattice.tetragonal(4.594, 2.959), ["Ti", "Ti", "O", "O", "O", "O"], coords)


_CSCL_CIF = """data_CsCl
_cell_length_a {a}
_cell_length_b 4.12
_cell_length_c 4.12
_cell_angle_alpha 90
_cell_angle_beta 90
_cell_angle_gamma 90
_symmetry_space_group_name_H-M 'P 1'
loop_
 _atom_site_label
 _atom_site_type_symbol
 _atom_site_{kind}_x
 _atom_site_{kind}_y
 _atom_site_{kind}_z
 Cs1 Cs {x} 0 0
 Cl1 Cl {half} {half} {half}
"""


def cscl_cif(*, x: str = "0", a: str = "4.12", kind: str = "fract", half: str = "0.5") -> str:
    """A P1 CsCl CIF with Cs at (``x``, 0, 0), for tests of coordinate and cell bounds
    (``kind``: ``fract`` or ``Cartn``, with ``half`` the matching body-centre value)."""
    return _CSCL_CIF.format(x=x, a=a, kind=kind, half=half)
