"""The periodic cell: wrapping sites, choosing the drawn images, and the box outline.

A drawn atom is a site ``j`` of the wrapped unit cell shifted by an integer
translation ``t`` (in cells): the key ``(j, t)``. The supercell holds every
translation ``0 <= t[k] < n[k]``; a site lying on a face, edge or corner
(fractional coordinate within :data:`BOUNDARY_TOL` of 0) is also repeated at
``t[k] = n[k]``, on the opposite side, so that the box looks complete.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Any

import numpy as np
from pymatgen.core import Species, Structure

from matdiscover.errors import InputTooLarge
from matdiscover.science.structures.scene.model import Edge, rounded

#: Largest number of drawn atoms (after supercell and boundary repeats).
MAX_SCENE_ATOMS = 20_000
#: Fractional-coordinate tolerance for "on the cell boundary".
BOUNDARY_TOL = 1e-3

#: An integer translation, in cells.
Shift = tuple[int, int, int]
#: A drawn atom: (site index, translation).
Key = tuple[int, Shift]
#: What is drawn for a site: (element symbol, declared oxidation state, occupancy, label).
SiteInfo = tuple[str, float | None, float, str]


def shifted(t: Shift, image: Shift) -> Shift:
    """The translation ``t + image``."""
    return (t[0] + image[0], t[1] + image[1], t[2] + image[2])


def site_element(site: Any) -> SiteInfo:
    """(element symbol, declared oxidation state, occupancy, label) of the dominant species."""
    species, amount = max(site.species.items(), key=lambda kv: kv[1])
    symbol = species.symbol if hasattr(species, "symbol") else str(species)
    oxi = species.oxi_state if isinstance(species, Species) else None
    label = (
        symbol if site.is_ordered else "".join(f"{sp}{occ:g}" for sp, occ in site.species.items())
    )
    return symbol, oxi, float(amount), label


def wrapped(structure: Structure) -> Structure:
    """Copy with fractional coordinates in [0, 1), snapping values within tolerance of 1 to 0."""
    frac = np.mod(structure.frac_coords, 1.0)
    frac[frac > 1.0 - BOUNDARY_TOL] = 0.0
    frac[np.abs(frac) < 1e-9] = 0.0
    return Structure(
        structure.lattice,
        [site.species for site in structure],
        frac,
        site_properties=structure.site_properties or None,
    )


@dataclass(frozen=True)
class Images:
    """The drawn atoms of a supercell: their keys in drawing order and where they sit.

    ``frac_coords`` are the wrapped unit-cell coordinates, ``matrix`` the lattice
    (rows a, b, c; Å) and ``repeats`` the supercell size per axis.
    """

    frac_coords: np.ndarray
    matrix: np.ndarray
    repeats: np.ndarray
    keys: list[Key]
    index: dict[Key, int]

    @classmethod
    def of(
        cls,
        frac_coords: np.ndarray,
        matrix: np.ndarray,
        repeats: np.ndarray,
        *,
        repeat_boundary_atoms: bool,
        max_atoms: int,
    ) -> Images:
        """Enumerate the drawn atoms, site by site; raise InputTooLarge above ``max_atoms``."""
        keys: list[Key] = []
        for j, fc in enumerate(frac_coords):
            axes = []
            for k in range(3):
                ts = list(range(int(repeats[k])))
                if repeat_boundary_atoms and fc[k] < BOUNDARY_TOL:
                    ts.append(int(repeats[k]))
                axes.append(ts)
            keys.extend((j, (a, b, c)) for a, b, c in itertools.product(*axes))
        if len(keys) > max_atoms:
            raise InputTooLarge(
                f"the scene would have {len(keys)} atoms (limit {max_atoms}); "
                "use a smaller supercell"
            )
        index = {key: i for i, key in enumerate(keys)}
        return cls(frac_coords, matrix, repeats, keys, index)

    def position(self, j: int, t: Shift) -> np.ndarray:
        """Cartesian position (Å) of site ``j`` translated by ``t`` cells."""
        result: np.ndarray = (self.frac_coords[j] + np.array(t)) @ self.matrix
        return result

    def is_home(self, t: Shift) -> bool:
        """Whether translation ``t`` lies inside the supercell (not a boundary repeat)."""
        return all(0 <= t[k] < self.repeats[k] for k in range(3))


_CORNERS = [np.array(c, dtype=float) for c in itertools.product((0, 1), repeat=3)]
_EDGE_PAIRS = [
    (a, b)
    for a, b in itertools.combinations(range(8), 2)
    if np.abs(_CORNERS[a] - _CORNERS[b]).sum() == 1
]


def box_edges(matrix: np.ndarray, scale: np.ndarray) -> list[Edge]:
    """The 12 edges of the box spanned by the cell vectors scaled by ``scale`` per axis."""
    return [
        (
            rounded((_CORNERS[a] * scale) @ matrix),
            rounded((_CORNERS[b] * scale) @ matrix),
        )
        for a, b in _EDGE_PAIRS
    ]


def bounding_sphere(matrix: np.ndarray, repeats: np.ndarray) -> tuple[np.ndarray, float]:
    """Centre (Å) of the supercell box and the distance from it to the farthest corner."""
    box = [(np.array(c) * repeats) @ matrix for c in itertools.product((0, 1), repeat=3)]
    centre = np.mean(box, axis=0)
    extent = float(max(np.linalg.norm(p - centre) for p in box))
    return centre, extent
