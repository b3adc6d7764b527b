"""A setting-independent fingerprint of a crystal for duplicate detection."""

from __future__ import annotations

import hashlib
import json
import math
import warnings
from collections import Counter

import spglib
from pymatgen.core import Composition, Lattice, Structure

from matdiscover.science.structures.symmetry import DEFAULT_SYMPREC

LENGTH_BIN = 0.01
"""Width of the bins of ``ln(length)``: lattice lengths are compared to ~1 % (relative)."""
ANGLE_BIN = 0.5
"""Width of the bins of lattice angles, in degrees."""
OCCUPANCY_DECIMALS = 2
"""Site occupancies are rounded to this many decimals."""
HASH_VERSION = 1
"""Bumped whenever the recipe changes, so stored hashes can be recomputed."""


def _species_key(composition: Composition) -> str:
    items = sorted((str(sp), float(amt)) for sp, amt in composition.items())
    return ",".join(f"{sp}:{amt:.{OCCUPANCY_DECIMALS}f}" for sp, amt in items)


def _bin_length(x: float) -> int:
    return round(math.log(max(x, 1e-6)) / LENGTH_BIN)


def _bin_angle(x: float) -> int:
    return round(x / ANGLE_BIN)


def _formula_key(structure: Structure) -> str:
    frac = structure.composition.fractional_composition
    return _species_key(frac)


def _symmetric_descriptor(structure: Structure, symprec: float) -> list[object]:
    keys = [_species_key(site.species) for site in structure]
    kinds = sorted(set(keys))
    numbers = [kinds.index(k) + 1 for k in keys]
    cell = (structure.lattice.matrix.tolist(), structure.frac_coords.tolist(), numbers)
    dataset = spglib.get_symmetry_dataset(cell, symprec=symprec)
    if dataset is None:
        raise ValueError("spglib found no symmetry")
    # Orbits are counted in the standardised conventional cell, which every operation of
    # the space group maps onto itself (an arbitrary supercell need not).
    std_cell = (
        dataset.std_lattice.tolist(),
        dataset.std_positions.tolist(),
        [int(t) for t in dataset.std_types],
    )
    std = spglib.get_symmetry_dataset(std_cell, symprec=symprec)
    if std is None:
        raise ValueError("spglib failed on its own standard cell")
    n_primitive = len({int(i) for i in dataset.mapping_to_primitive})
    lattice_points = len(dataset.std_types) / n_primitive
    orbit_sizes = Counter(int(i) for i in std.equivalent_atoms)
    orbits = sorted(
        (kinds[int(dataset.std_types[i]) - 1], round(size / lattice_points))
        for i, size in orbit_sizes.items()
    )
    lattice = Lattice(dataset.std_lattice)
    return [
        int(dataset.number),
        [_bin_length(x) for x in lattice.abc],
        [_bin_angle(x) for x in lattice.angles],
        n_primitive,
        orbits,
    ]


def _fallback_descriptor(structure: Structure) -> list[object]:
    try:
        cell = structure.get_primitive_structure().get_reduced_structure()
    except Exception:
        cell = structure.get_reduced_structure()
    lat = cell.lattice
    return [
        None,
        sorted(_bin_length(x) for x in lat.abc),
        sorted(_bin_angle(x) for x in lat.angles),
        len(cell),
    ]


def canonical_hash(structure: Structure, *, symprec: float = DEFAULT_SYMPREC) -> str:
    """Return a hex SHA-256 fingerprint that does not depend on the cell choice.

    Recipe (version :data:`HASH_VERSION`): spglib at ``symprec`` (Å) gives the space
    group number, the standardised conventional cell and the standardised primitive
    cell. The hash covers the fractional composition (occupancies rounded to 0.01),
    the space-group number, the standardised conventional lattice lengths binned by 1 % of their
    value (``round(ln(a)/0.01)``), the angles binned by 0.5°, the number of sites in the
    primitive cell and the sorted multiset of (species, orbit size) of the symmetry-
    distinct sites, which does not depend on Wyckoff letters or the origin choice.

    The same crystal given as a supercell, primitive or conventional cell, with
    permuted sites, a shifted origin or another equivalent lattice basis gets the same
    hash. A different composition, a different space group (polymorph) or lattice
    lengths that differ by ~2 % or more give a different hash.

    Limits:
        * Values close to a bin edge can fall on either side for tiny numerical
          differences; structures relaxed with different settings may therefore
          differ. Confirm duplicates with :func:`same_crystal` - the hash is meant to
          be stable, not perfect.
        * Two polymorphs with the same space group, nearly the same lattice and the
          same orbit multiplicities (e.g. some stacking variants) collide.
        * For monoclinic/triclinic cells spglib's standard setting is used; rare
          tolerance-dependent setting changes give different hashes.
        * If spglib fails, a fallback based on the Niggli-reduced primitive cell is
          used (marked by a ``null`` space group inside the hashed payload).

    Args:
        structure: The crystal (ordered or disordered).
        symprec: Symmetry tolerance in Å.

    Example:
        >>> from pymatgen.core import Lattice, Structure
        >>> s = Structure(Lattice.cubic(4.2), ["Cs", "Cl"], [[0, 0, 0], [0.5, 0.5, 0.5]])
        >>> canonical_hash(s) == canonical_hash(s * (1, 2, 3))
        True
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            descriptor = _symmetric_descriptor(structure, symprec)
        except Exception:
            descriptor = _fallback_descriptor(structure)
    payload = json.dumps([HASH_VERSION, _formula_key(structure), descriptor], separators=(",", ":"))
    return hashlib.sha256(payload.encode()).hexdigest()
