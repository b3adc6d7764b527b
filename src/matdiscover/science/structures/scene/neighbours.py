"""Who bonds to whom in the unit cell: CrystalNN, or a covalent-radius cutoff.

Both methods return :data:`Pairs`: for each site ``i`` of the unit cell, a list of
``(j, image, distance)`` meaning that site ``j`` translated by the integer ``image``
(in cells) is a neighbour of ``i`` at ``distance`` Å. :func:`find_neighbours`
chooses the method: CrystalNN (pymatgen's default near-neighbour analysis) unless
the cell is large or partially occupied, then the cutoff, noting why.
"""

from __future__ import annotations

import logging
import warnings

import numpy as np
from pymatgen.core import Element, Structure

from matdiscover.science.structures.scene.elements import covalent_radius
from matdiscover.science.structures.scene.model import Bonding

logger = logging.getLogger(__name__)

#: Above this many sites per unit cell CrystalNN is replaced by the cutoff method
#: (CrystalNN costs ~10-50 ms per site; the cutoff method handles 500 sites in < 1 s).
CRYSTALNN_MAX_SITES = 120
#: Cutoff bonding: a bond when d <= CUTOFF_SCALE * (r_cov(i) + r_cov(j)).
CUTOFF_SCALE = 1.2

Pairs = list[list[tuple[int, tuple[int, int, int], float]]]


def neighbours_crystalnn(structure: Structure) -> Pairs:
    """The CrystalNN neighbours of every site (slow: ~10-50 ms per site)."""
    from pymatgen.analysis.local_env import CrystalNN

    nn = CrystalNN()
    out: Pairs = []
    frac = structure.frac_coords
    for i in range(len(structure)):
        with warnings.catch_warnings():
            # "no oxidation states" / "cannot locate an appropriate radius": expected
            warnings.simplefilter("ignore", UserWarning)
            entries = nn.get_nn_info(structure, i)
        row = []
        for e in entries:
            image = tuple(int(round(v)) for v in e["image"])
            j = int(e["site_index"])
            d = float(
                np.linalg.norm(
                    structure.lattice.get_cartesian_coords(frac[j] + np.array(image) - frac[i])
                )
            )
            row.append((j, (image[0], image[1], image[2]), d))
        out.append(row)
    return out


def neighbours_cutoff(structure: Structure, elements: list[str], *, ionic: bool) -> Pairs:
    """Pairs closer than CUTOFF_SCALE x (sum of covalent radii); in an ionic compound
    (metals and non-metals) metal-metal contacts are not bonds."""
    radii = np.array([covalent_radius(e) for e in elements])
    metal = np.array([bool(Element(e).is_metal) for e in elements])
    rmax = float(CUTOFF_SCALE * 2 * radii.max())
    centres, points, images, dists = structure.get_neighbor_list(r=rmax)
    out: Pairs = [[] for _ in range(len(structure))]
    for i, j, img, d in zip(centres, points, images, dists, strict=True):
        if d < 1e-6 or d > CUTOFF_SCALE * (radii[i] + radii[j]):
            continue
        if ionic and metal[i] and metal[j]:
            continue
        ii = (int(round(img[0])), int(round(img[1])), int(round(img[2])))
        out[int(i)].append((int(j), ii, float(d)))
    return out


def find_neighbours(
    structure: Structure, elements: list[str], *, bonding: Bonding, ionic: bool
) -> tuple[Pairs, Bonding, list[str]]:
    """The neighbours of every site, the method actually used and notes for the user.

    ``"crystalnn"`` falls back to ``"cutoff"`` above :data:`CRYSTALNN_MAX_SITES`
    sites, for partially occupied sites, and if CrystalNN fails.
    """
    notes: list[str] = []
    used: Bonding = bonding
    if bonding == "crystalnn" and len(structure) > CRYSTALNN_MAX_SITES:
        used = "cutoff"
        notes.append(
            f"{len(structure)} sites: bonds from covalent-radius cutoffs instead of CrystalNN "
            f"(used up to {CRYSTALNN_MAX_SITES} sites)"
        )
    if used == "crystalnn" and not structure.is_ordered:
        used = "cutoff"
        notes.append("partially occupied sites: bonds from covalent-radius cutoffs")
    if used == "crystalnn":
        try:
            return neighbours_crystalnn(structure), used, notes
        except (ValueError, RuntimeError, AttributeError) as exc:  # pragma: no cover
            logger.warning("CrystalNN failed (%s); using cutoff bonds", exc)
            notes.append("CrystalNN failed on this structure; bonds from cutoffs")
            used = "cutoff"
    return neighbours_cutoff(structure, elements, ionic=ionic), used, notes
