"""Coordination polyhedra: the convex hull of a cation's neighbours.

An atom gets a polyhedron when it has at least :data:`MIN_POLYHEDRON_CN`
neighbours and every one of them is more electronegative than it (a cation among
anions, e.g. Ti in TiO6 octahedra); its faces are the triangles of the convex hull.
Coplanar neighbours (square-planar coordination) give no solid, so no polyhedron.
"""

from __future__ import annotations

import numpy as np

from matdiscover.science.structures.scene.model import Polyhedron, rounded

#: Smallest coordination number that gets a polyhedron.
MIN_POLYHEDRON_CN = 4


def convex_faces(points: np.ndarray) -> list[tuple[int, int, int]]:
    """Triangular faces (indices into ``points``) of their convex hull; [] if flat or < 4."""
    from scipy.spatial import ConvexHull, QhullError

    if len(points) < 4:
        return []
    try:
        hull = ConvexHull(points)
    except (QhullError, ValueError):
        return []  # coplanar neighbours (e.g. square-planar): no solid polyhedron
    return [(int(a), int(b), int(c)) for a, b, c in hull.simplices]


def coordination_polyhedron(
    centre: int,
    element: str,
    colour: str,
    vertices: list[np.ndarray],
    neighbour_electronegativities: list[float],
    electronegativity: float,
) -> Polyhedron | None:
    """The polyhedron of drawn atom ``centre`` with neighbours at ``vertices`` (Å), if any.

    ``electronegativity`` is the centre's; the neighbours' are given in the order
    of ``vertices``.
    """
    if len(vertices) < MIN_POLYHEDRON_CN or not all(
        x > electronegativity for x in neighbour_electronegativities
    ):
        return None
    pts = np.array(vertices)
    faces = convex_faces(pts)
    if not faces:
        return None
    return Polyhedron(centre, element, colour, [rounded(p) for p in pts], faces)
