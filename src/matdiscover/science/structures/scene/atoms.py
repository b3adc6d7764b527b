"""The drawn atoms: position, radii, colour, neighbour list and coordination polyhedron.

Each drawn atom (a key of :class:`~.cell.Images`) becomes a :class:`~.model.SceneAtom`
whose neighbours -- the partners of its site from :mod:`.neighbours`, nearest first
-- carry their true position (Å) and, when drawn, their atom index, so that the
viewer can show them on click. Boundary images get their polyhedra too, so that
the box looks complete (as in VESTA).
"""

from __future__ import annotations

import numpy as np

from matdiscover.science.structures.scene.cell import Images, SiteInfo, shifted
from matdiscover.science.structures.scene.elements import covalent_radius
from matdiscover.science.structures.scene.model import Neighbour, Polyhedron, SceneAtom, rounded
from matdiscover.science.structures.scene.neighbours import Pairs
from matdiscover.science.structures.scene.polyhedra import coordination_polyhedron


def draw_atoms(
    images: Images,
    info: list[SiteInfo],
    pairs: Pairs,
    *,
    colours: dict[str, str],
    radius_sf: dict[str, float],
    electroneg: dict[str, float],
) -> tuple[list[SceneAtom], list[Polyhedron]]:
    """Every drawn atom, in key order, and the polyhedra of those that get one.

    ``info`` is :func:`~.cell.site_element` per site; ``colours``, ``radius_sf``
    (space-filling radius, Å) and ``electroneg`` are per element symbol.
    """
    elements = [e for e, _, _, _ in info]
    atoms: list[SceneAtom] = []
    polyhedra: list[Polyhedron] = []
    for ai, (j, t) in enumerate(images.keys):
        el, _oxi, occ, label = info[j]
        neighbours: list[Neighbour] = []
        ends: list[np.ndarray] = []
        for jj, img, d in pairs[j]:
            tt = shifted(t, img)
            end = images.position(jj, tt)
            atom = images.index.get((jj, tt))
            neighbours.append(Neighbour(elements[jj], round(d, 3), rounded(end), atom))
            ends.append(end)
        neighbours.sort(key=lambda nb: nb.distance)
        # boundary images get their polyhedra too, so the box looks complete (as in VESTA)
        around = [electroneg[elements[jj]] for jj, _, _ in pairs[j]]
        poly = coordination_polyhedron(ai, el, colours[el], ends, around, electroneg[el])
        if poly is not None:
            polyhedra.append(poly)
        atoms.append(
            SceneAtom(
                index=ai,
                site_index=j,
                element=el,
                label=label,
                occupancy=round(occ, 4),
                position=rounded(images.position(j, t)),
                fractional=rounded(images.frac_coords[j] + np.array(t)),
                radius=covalent_radius(el),
                radius_space_filling=round(radius_sf[el], 3),
                colour=colours[el],
                is_boundary_image=not images.is_home(t),
                neighbours=neighbours,
            )
        )
    return atoms, polyhedra
