"""Physical sanity checks for parsed structures."""

from __future__ import annotations

import numpy as np
from pymatgen.core import DummySpecies, Structure

from matdiscover.errors import InputTooLarge, InvalidStructure
from matdiscover.science.structures.limits import ParseLimits

MIN_VOLUME_PER_SITE = 0.1
"""Smallest accepted cell volume per site, in Å^3."""
MIN_SIN_ANGLE = 0.02
"""Smallest accepted sine of the angle between two lattice vectors (≈1.1°)."""
MIN_VECTOR_LENGTH = 1e-3
"""Shortest accepted lattice vector, in Å."""
MAX_VECTOR_LENGTH = 1e4
"""Longest accepted lattice vector, in Å (1 µm; slabs with vacuum need a few hundred)."""
MAX_FRACTIONAL_COORDINATE = 1e3
"""Largest accepted magnitude of a fractional coordinate (cells from the origin). Larger
values are typos or attacks; wrapped into the cell they would silently lose their digits."""
_CHUNK = 512


def site_name(structure: Structure, index: int) -> str:
    """Human-readable name of a site: its CIF label if any, its species and 1-based index."""
    site = structure[index]
    label = getattr(site, "label", None)
    species = site.species_string
    if label and label != species:
        return f"{label} ({species}, site {index + 1})"
    return f"{species} (site {index + 1})"


def _check_finite(structure: Structure) -> None:
    if not np.all(np.isfinite(structure.lattice.matrix)):
        raise InvalidStructure("The lattice contains NaN or infinite values.")
    bad = np.flatnonzero(~np.all(np.isfinite(structure.frac_coords), axis=1))
    if bad.size:
        raise InvalidStructure(
            f"Site {site_name(structure, int(bad[0]))} has NaN or infinite coordinates."
        )


def _check_range(structure: Structure) -> None:
    lengths = np.linalg.norm(np.asarray(structure.lattice.matrix, dtype=float), axis=1)
    for name, length in zip("abc", lengths, strict=True):
        if length > MAX_VECTOR_LENGTH:
            raise InvalidStructure(
                f"Lattice vector {name} is {length:.3g} Å long, more than the limit of "
                f"{MAX_VECTOR_LENGTH:.0f} Å."
            )
    far = np.flatnonzero(np.any(np.abs(structure.frac_coords) > MAX_FRACTIONAL_COORDINATE, axis=1))
    if far.size:
        raise InvalidStructure(
            f"Site {site_name(structure, int(far[0]))} has a fractional coordinate beyond "
            f"±{MAX_FRACTIONAL_COORDINATE:.0f} (cartesian coordinates that far out of the cell "
            "are out of range too)."
        )


def _check_lattice(structure: Structure) -> None:
    matrix = np.asarray(structure.lattice.matrix, dtype=float)
    lengths = np.linalg.norm(matrix, axis=1)
    names = "abc"
    for i, length in enumerate(lengths):
        if length < MIN_VECTOR_LENGTH:
            raise InvalidStructure(
                f"Lattice vector {names[i]} has zero length ({length:.3g} Å): "
                "the cell is degenerate."
            )
    for i, j in ((0, 1), (0, 2), (1, 2)):
        sin = np.linalg.norm(np.cross(matrix[i], matrix[j])) / (lengths[i] * lengths[j])
        if sin < MIN_SIN_ANGLE:
            angle = float(np.degrees(np.arcsin(min(sin, 1.0))))
            raise InvalidStructure(
                f"Lattice vectors {names[i]} and {names[j]} are (nearly) collinear "
                f"(angle {angle:.2f}° from parallel): the cell is degenerate."
            )
    volume = abs(float(np.linalg.det(matrix)))
    per_site = volume / max(len(structure), 1)
    if volume / float(np.prod(lengths)) < 1e-3 or per_site < MIN_VOLUME_PER_SITE:
        raise InvalidStructure(
            f"The cell volume is {volume:.4g} Å^3 ({per_site:.3g} Å^3 per atom): the lattice is "
            "zero-volume or degenerate (coplanar vectors)."
        )


def _check_species(structure: Structure, limits: ParseLimits) -> None:
    for i, site in enumerate(structure):
        for sp in site.species:
            if isinstance(sp, DummySpecies):
                raise InvalidStructure(
                    f"Site {site_name(structure, i)} holds the dummy species or vacancy "
                    f"'{sp.symbol}', not a chemical element; replace it with a real element "
                    "or remove the site."
                )
        total = float(site.species.num_atoms)
        if total > 1.0 + limits.occupancy_tolerance + 1e-9:
            raise InvalidStructure(
                f"Site {site_name(structure, i)} has a summed occupancy of {total:.3f}, more "
                f"than 1 + {limits.occupancy_tolerance} (occupancy tolerance)."
            )
        if total <= 0:
            raise InvalidStructure(f"Site {site_name(structure, i)} has zero occupancy.")


def _check_distances(structure: Structure, limits: ParseLimits) -> list[str]:
    """Pairs closer than ``limits.min_distance`` Å; split (partially occupied) sites warn."""
    warnings: list[str] = []
    n = len(structure)
    r = limits.min_distance
    occupancies = np.array([float(site.species.num_atoms) for site in structure])
    for start in range(0, n, _CHUNK):
        sites = structure.sites[start : start + _CHUNK]
        centers, points, offsets, dists = structure.get_neighbor_list(
            r, sites=sites, exclude_self=False
        )
        centers = centers + start
        self_image = (centers == points) & np.all(offsets == 0, axis=1)
        keep = ~self_image
        for ci, pj, d in zip(centers[keep], points[keep], dists[keep], strict=True):
            i, j = int(ci), int(pj)
            if i == j:
                raise InvalidStructure(
                    f"Atom {site_name(structure, i)} is only {d:.3f} Å from its own periodic "
                    f"image (minimum {r} Å): a lattice vector is too short."
                )
            if j < i:
                continue
            if occupancies[i] + occupancies[j] <= 1.0 + limits.occupancy_tolerance + 1e-9:
                warnings.append(
                    f"Partially occupied sites {site_name(structure, i)} and "
                    f"{site_name(structure, j)} are {d:.3f} Å apart (split-site disorder)."
                )
                continue
            raise InvalidStructure(
                f"Atoms {site_name(structure, i)} and {site_name(structure, j)} are only "
                f"{d:.3f} Å apart (minimum {r} Å); check for duplicated or overlapping sites."
            )
    return sorted(set(warnings))[:20]


def validate_structure(structure: Structure, limits: ParseLimits) -> list[str]:
    """Check that ``structure`` is a physically sensible crystal.

    Hard errors (raised): no atoms; more than ``limits.max_sites`` sites; NaN
    coordinates or lattice; a lattice vector longer than ``MAX_VECTOR_LENGTH`` Å or a
    fractional coordinate beyond ``±MAX_FRACTIONAL_COORDINATE``; dummy species/vacancies;
    a zero, negative, coplanar or nearly collinear lattice (volume below 0.1 Å^3 per atom
    or two vectors within ~1.1° of parallel); summed site occupancy above
    ``1 + limits.occupancy_tolerance``; two atoms closer than ``limits.min_distance`` Å
    (found with a cell-list neighbour search, fast for thousands of sites). Partially
    occupied sites that are close but whose occupancies sum to at most 1 are split-site
    disorder and only warn.

    Args:
        structure: The structure to check (ordered or disordered).
        limits: Limits to apply.

    Returns:
        Warnings (may be empty).

    Raises:
        InvalidStructure: for the hard errors above.
        InputTooLarge: if the structure has more than ``limits.max_sites`` sites.

    Example:
        >>> from pymatgen.core import Lattice, Structure
        >>> s = Structure(Lattice.cubic(4.2), ["Cs", "Cl"], [[0, 0, 0], [0.5, 0.5, 0.5]])
        >>> validate_structure(s, ParseLimits())
        []
    """
    n = len(structure)
    if n == 0:
        raise InvalidStructure("The structure contains no atoms.")
    if n > limits.max_sites:
        raise InputTooLarge(
            f"The structure has {n} sites, more than the limit of {limits.max_sites} sites."
        )
    _check_finite(structure)
    _check_range(structure)
    _check_species(structure, limits)
    _check_lattice(structure)
    return _check_distances(structure, limits)
