"""Build a JSON-able 3D scene of a crystal for the web viewer.

The browser only draws: every atom position, bond, coordination polyhedron and
cell edge is computed here, from a pymatgen ``Structure``, with pymatgen's
near-neighbour analysis (``CrystalNN`` by default; a fast covalent-radius
cutoff for large cells).

Conventions (all lengths in ångström, Å; all positions Cartesian, Å, in the
frame of the lattice matrix whose rows are the cell vectors a, b, c):

* the structure is wrapped into the unit cell and repeated ``supercell`` times;
* atoms lying on a face, edge or corner of the supercell box are repeated on the
  opposite side (``is_boundary_image``) so that the box looks complete;
* a bond joins two drawn atoms (``b`` is an atom index) or, when the partner lies
  outside the drawn region — a bond that crosses the periodic boundary — it ends at
  the partner's true position with ``b = None`` and is drawn as a half bond;
* polyhedra are built around every drawn cation (every neighbour more electronegative
  than the centre) with at least four neighbours; faces are triangles of the convex hull.

Modules, one job each: :mod:`.model` (the dataclasses), :mod:`.elements` (colours
and radii), :mod:`.cell` (wrapping, drawn images, box), :mod:`.neighbours`
(CrystalNN or cutoff), :mod:`.bonds`, :mod:`.polyhedra` and :mod:`.build` (assembly).

Example:
    >>> from pymatgen.core import Lattice, Structure
    >>> s = Structure(Lattice.cubic(4.2), ["Cs", "Cl"], [[0, 0, 0], [0.5, 0.5, 0.5]])
    >>> scene = build_scene(s, supercell=(1, 1, 1))
    >>> len(scene.atoms)  # 8 corner Cs images + 1 Cl
    9
    >>> scene.atoms[-1].neighbours[0].distance  # Cs-Cl in Å
    3.637
"""

from matdiscover.science.structures.scene.build import build_scene, parse_supercell
from matdiscover.science.structures.scene.cell import BOUNDARY_TOL, MAX_SCENE_ATOMS
from matdiscover.science.structures.scene.elements import (
    covalent_radius,
    element_colour,
    space_filling_radius,
)
from matdiscover.science.structures.scene.model import (
    Bond,
    Bonding,
    ColourScheme,
    LegendEntry,
    Neighbour,
    Polyhedron,
    Scene,
    SceneAtom,
)
from matdiscover.science.structures.scene.neighbours import (
    CRYSTALNN_MAX_SITES,
    CUTOFF_SCALE,
)
from matdiscover.science.structures.scene.polyhedra import MIN_POLYHEDRON_CN

__all__ = [
    "BOUNDARY_TOL",
    "CRYSTALNN_MAX_SITES",
    "CUTOFF_SCALE",
    "MAX_SCENE_ATOMS",
    "MIN_POLYHEDRON_CN",
    "Bond",
    "Bonding",
    "ColourScheme",
    "LegendEntry",
    "Neighbour",
    "Polyhedron",
    "Scene",
    "SceneAtom",
    "build_scene",
    "covalent_radius",
    "element_colour",
    "parse_supercell",
    "space_filling_radius",
]
