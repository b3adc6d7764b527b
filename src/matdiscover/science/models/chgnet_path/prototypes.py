"""Builders for standard crystal prototypes (used by reference fitting, benchmarks, tests).

Every builder takes the species and lattice parameters in Å and returns a pymatgen
:class:`~pymatgen.core.Structure` in the primitive cell (``primitive=False`` for the
conventional cell).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from pymatgen.core import Lattice, Structure


def _build(
    spacegroup: str,
    lattice: Lattice,
    species: list[str],
    coords: list[list[float]],
    primitive: bool,
) -> Structure:
    s = Structure.from_spacegroup(spacegroup, lattice, species, coords)
    return s.get_primitive_structure() if primitive else s


def _fcc_primitive(lattice_a: float, species: list[str], coords: list[list[float]]) -> Structure:
    """Structure on the fcc primitive lattice (coords fractional in that lattice)."""
    h = lattice_a / 2
    return Structure(Lattice([[0, h, h], [h, 0, h], [h, h, 0]]), species, coords)


def rocksalt(a: str, b: str, lattice_a: float, *, primitive: bool = True) -> Structure:
    """Rock salt (B1, Fm-3m) AB with cubic lattice constant ``lattice_a`` in Å."""
    if primitive:
        return _fcc_primitive(lattice_a, [a, b], [[0, 0, 0], [0.5, 0.5, 0.5]])
    return _build("Fm-3m", Lattice.cubic(lattice_a), [a, b], [[0, 0, 0], [0.5, 0.5, 0.5]], False)


def cscl(a: str, b: str, lattice_a: float, *, primitive: bool = True) -> Structure:
    """CsCl (B2, Pm-3m) AB with cubic lattice constant ``lattice_a`` in Å."""
    if primitive:
        coords: list[list[float]] = [[0.0, 0.0, 0.0], [0.5, 0.5, 0.5]]
        return Structure(Lattice.cubic(lattice_a), [a, b], coords)
    return _build(
        "Pm-3m", Lattice.cubic(lattice_a), [a, b], [[0, 0, 0], [0.5, 0.5, 0.5]], primitive
    )


def zincblende(a: str, b: str, lattice_a: float, *, primitive: bool = True) -> Structure:
    """Zinc blende (B3, F-43m) AB with cubic lattice constant ``lattice_a`` in Å."""
    if primitive:
        return _fcc_primitive(lattice_a, [a, b], [[0, 0, 0], [0.25, 0.25, 0.25]])
    return _build(
        "F-43m", Lattice.cubic(lattice_a), [a, b], [[0, 0, 0], [0.25, 0.25, 0.25]], primitive
    )


def wurtzite(
    a: str, b: str, lattice_a: float, lattice_c: float, u: float = 0.375, *, primitive: bool = True
) -> Structure:
    """Wurtzite (B4, P6_3mc) AB; ``u`` is the internal parameter of the anion."""
    lattice = Lattice.hexagonal(lattice_a, lattice_c)
    return _build("P6_3mc", lattice, [a, b], [[1 / 3, 2 / 3, 0], [1 / 3, 2 / 3, u]], primitive)


def nias(
    a: str, b: str, lattice_a: float, lattice_c: float, *, primitive: bool = True
) -> Structure:
    """NiAs (B8_1, P6_3/mmc) AB: A on 2a, B on 2c."""
    lattice = Lattice.hexagonal(lattice_a, lattice_c)
    return _build("P6_3/mmc", lattice, [a, b], [[0, 0, 0], [1 / 3, 2 / 3, 0.25]], primitive)


def fluorite(a: str, b: str, lattice_a: float, *, primitive: bool = True) -> Structure:
    """Fluorite (C1, Fm-3m) AB2 (``antifluorite`` for A2B)."""
    if primitive:
        coords: list[list[float]] = [[0.0, 0.0, 0.0], [0.25, 0.25, 0.25], [0.75, 0.75, 0.75]]
        return _fcc_primitive(lattice_a, [a, b, b], coords)
    return _build(
        "Fm-3m", Lattice.cubic(lattice_a), [a, b], [[0, 0, 0], [0.25, 0.25, 0.25]], primitive
    )


def antifluorite(a: str, b: str, lattice_a: float, *, primitive: bool = True) -> Structure:
    """Antifluorite (Fm-3m) A2B: A on 8c, B on 4a."""
    return fluorite(b, a, lattice_a, primitive=primitive)


def rutile(
    a: str, b: str, lattice_a: float, lattice_c: float, u: float = 0.305, *, primitive: bool = True
) -> Structure:
    """Rutile (C4, P4_2/mnm) AB2: A on 2a, B on 4f (u, u, 0)."""
    lattice = Lattice.tetragonal(lattice_a, lattice_c)
    return _build("P4_2/mnm", lattice, [a, b], [[0, 0, 0], [u, u, 0]], primitive)


def corundum(
    a: str,
    b: str,
    lattice_a: float,
    lattice_c: float,
    z: float = 0.3522,
    x: float = 0.3062,
    *,
    primitive: bool = True,
) -> Structure:
    """Corundum (D5_1, R-3c, hexagonal axes) A2B3: A on 12c (0,0,z), B on 18e (x,0,1/4)."""
    lattice = Lattice.hexagonal(lattice_a, lattice_c)
    return _build("R-3c", lattice, [a, b], [[0, 0, z], [x, 0, 0.25]], primitive)


def perovskite(a: str, b: str, x: str, lattice_a: float, *, primitive: bool = True) -> Structure:
    """Cubic perovskite (E2_1, Pm-3m) ABX3: B at the origin, A at the body centre."""
    lattice = Lattice.cubic(lattice_a)
    return _build("Pm-3m", lattice, [a, b, x], [[0.5, 0.5, 0.5], [0, 0, 0], [0.5, 0, 0]], primitive)


def l12(a: str, b: str, lattice_a: float, *, primitive: bool = True) -> Structure:
    """Cu3Au-type (L1_2, Pm-3m) A3B: B at the origin, A on the face centres."""
    return _build("Pm-3m", Lattice.cubic(lattice_a), [b, a], [[0, 0, 0], [0, 0.5, 0.5]], primitive)


def scale_to_bond(structure: Structure, bond: float) -> Structure:
    """Scale ``structure`` isotropically so its shortest interatomic distance is ``bond`` Å."""
    dm = structure.distance_matrix
    shortest = float(np.min(dm[dm > 1e-6]))
    s = structure.copy()
    s.scale_lattice(structure.volume * (bond / shortest) ** 3)
    return s


#: Prototype name → builder with reference-like parameters (scale with :func:`scale_to_bond`).
GENERIC_PROTOTYPES: dict[str, Callable[[list[str]], Structure]] = {
    "rocksalt": lambda el: rocksalt(el[0], el[1], 5.0),
    "cscl": lambda el: cscl(el[0], el[1], 3.5),
    "zincblende": lambda el: zincblende(el[0], el[1], 5.5),
    "wurtzite": lambda el: wurtzite(el[0], el[1], 3.8, 3.8 * 1.633, 0.375),
    "nias": lambda el: nias(el[0], el[1], 3.6, 3.6 * 1.39),
    "fluorite": lambda el: fluorite(el[0], el[1], 5.5),
    "antifluorite": lambda el: antifluorite(el[0], el[1], 5.5),
    "rutile": lambda el: rutile(el[0], el[1], 4.6, 2.96, 0.305),
    "corundum": lambda el: corundum(el[0], el[1], 4.76, 12.99),
    "perovskite": lambda el: perovskite(el[0], el[1], el[2], 4.0),
    "l12": lambda el: l12(el[0], el[1], 3.7),
}
