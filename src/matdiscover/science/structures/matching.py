"""Deciding whether two structures are the same crystal (pymatgen ``StructureMatcher``)."""

from __future__ import annotations

import warnings

from pymatgen.analysis.structure_matcher import StructureMatcher
from pymatgen.core import Structure

LTOL = 0.2
"""Fractional tolerance on lattice vector lengths (dimensionless)."""
STOL = 0.3
"""Site tolerance, as a fraction of the average free length per atom ``(V/n)^(1/3)``."""
ANGLE_TOL = 5.0
"""Tolerance on lattice angles, in degrees."""


def same_crystal(
    a: Structure,
    b: Structure,
    *,
    ltol: float = LTOL,
    stol: float = STOL,
    angle_tol: float = ANGLE_TOL,
    scale: bool = False,
) -> bool:
    """Return True if ``a`` and ``b`` describe the same crystal.

    Uses pymatgen's ``StructureMatcher`` with its usual defaults (``ltol=0.2``,
    ``stol=0.3``, ``angle_tol=5°``), reduction to primitive cells, and by default *no* volume
    scaling: the same prototype with a clearly different volume is a different
    entry, but small relaxation differences (a few %) still match. Supercells,
    permuted sites, origin shifts and other cell choices match. Disordered
    structures are compared species-and-occupancy-wise (both must be disordered
    in the same way); an ordered structure never matches a disordered one.

    With ``scale=True`` both structures are first scaled to the same volume per atom,
    so only the *shape* of the lattice (``ltol``, ``angle_tol``) and the sites
    (``stol``) are compared: an experimental structure matches its DFT-relaxed
    counterpart (PBE lattices are typically 1-3 % longer) whatever the volume
    difference. Use it to recognise a known phase, not to find duplicate entries.

    Args:
        a: First structure.
        b: Second structure.
        ltol: Fractional length tolerance (dimensionless).
        stol: Site tolerance (fraction of ``(V/n)^(1/3)``).
        angle_tol: Angle tolerance in degrees.
        scale: Normalise the volumes before comparing (see above).

    Example:
        >>> from pymatgen.core import Lattice, Structure
        >>> s = Structure(Lattice.cubic(4.2), ["Cs", "Cl"], [[0, 0, 0], [0.5, 0.5, 0.5]])
        >>> same_crystal(s, s * (2, 1, 1))
        True
        >>> bigger = Structure(Lattice.cubic(4.4), ["Cs", "Cl"], [[0, 0, 0], [0.5, 0.5, 0.5]])
        >>> same_crystal(s, bigger, ltol=0.03), same_crystal(s, bigger, ltol=0.03, scale=True)
        (False, True)
    """
    if a.is_ordered != b.is_ordered:
        return False
    if not a.composition.fractional_composition.almost_equals(
        b.composition.fractional_composition, rtol=0.01, atol=1e-3
    ):
        return False
    ratio = (a.volume / len(a)) / (b.volume / len(b))
    if not scale and not (1 + ltol) ** -3 <= ratio <= (1 + ltol) ** 3:
        return False  # no lattice within ltol can match; saves StructureMatcher's search
    matcher = StructureMatcher(
        ltol=ltol,
        stol=stol,
        angle_tol=angle_tol,
        primitive_cell=True,
        scale=scale,
        attempt_supercell=True,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return bool(matcher.fit(a, b))


def same_structure_type(a: Structure, b: Structure) -> bool:
    """Return True if ``a`` and ``b`` are isostructural: the same arrangement of sites
    whatever the elements (NaCl and MgO are both rock salt), at any volume.

    pymatgen's ``StructureMatcher.fit_anonymous`` with its default tolerances, volume
    scaling and reduction to primitive cells; the element-to-element mapping is free.

    Example:
        >>> from pymatgen.core import Lattice, Structure
        >>> def rocksalt(a, x, y):
        ...     return Structure.from_spacegroup(
        ...         "Fm-3m", Lattice.cubic(a), [x, y], [[0, 0, 0], [0.5, 0.5, 0.5]])
        >>> same_structure_type(rocksalt(5.64, "Na", "Cl"), rocksalt(4.21, "Mg", "O"))
        True
        >>> cscl = Structure(Lattice.cubic(4.1), ["Cs", "Cl"], [[0, 0, 0], [0.5, 0.5, 0.5]])
        >>> same_structure_type(rocksalt(5.64, "Na", "Cl"), cscl)
        False
    """
    if len(a.composition.elements) != len(b.composition.elements):
        return False
    matcher = StructureMatcher(primitive_cell=True, scale=True, attempt_supercell=False)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            return bool(matcher.fit_anonymous(a, b))
        except Exception:
            return False
