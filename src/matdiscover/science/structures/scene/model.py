"""The scene data model: what the viewer receives, as frozen dataclasses.

Every class here is plain data (``dataclasses.asdict`` turns a :class:`Scene` into
the JSON the API serves). Lengths are in ångström (Å) and positions are Cartesian,
in the frame of the lattice matrix whose rows are the cell vectors a, b, c. Numbers
are rounded with :func:`rounded` so that the JSON stays small and stable.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, Literal

Bonding = Literal["crystalnn", "cutoff"]
ColourScheme = Literal["jmol", "vesta"]

#: A Cartesian position or vector, Å.
Vec3 = tuple[float, float, float]
#: A cell edge: its two end points, Å.
Edge = tuple[Vec3, Vec3]

_ROUND = 4  # decimals of Å in the JSON (0.1 pm)


def rounded(values: Iterable[Any]) -> Vec3:
    """Three numbers as a tuple of floats rounded to 0.1 pm (4 decimals of Å)."""
    x, y, z = (round(float(v), _ROUND) for v in values)
    return (x, y, z)


@dataclass(frozen=True)
class Neighbour:
    """One neighbour of an atom: element, distance (Å), its position (Å) and drawn index."""

    element: str
    distance: float
    position: Vec3
    atom: int | None


@dataclass(frozen=True)
class SceneAtom:
    """One drawn atom.

    ``radius`` is the covalent radius (Å, ball-and-stick); ``radius_space_filling``
    the ionic (or metallic / van der Waals, see ``space_filling_radius``) radius (Å).
    ``fractional`` is relative to the unit cell (so ranges to the supercell size).
    """

    index: int
    site_index: int
    element: str
    label: str
    occupancy: float
    position: Vec3
    fractional: Vec3
    radius: float
    radius_space_filling: float
    colour: str
    is_boundary_image: bool
    neighbours: list[Neighbour] = field(default_factory=list)


@dataclass(frozen=True)
class Bond:
    """A bond from atom ``a`` to atom ``b`` (or to ``end`` outside the drawn region); Å."""

    a: int
    b: int | None
    start: Vec3
    end: Vec3
    length: float


@dataclass(frozen=True)
class Polyhedron:
    """Coordination polyhedron: centre atom, vertex positions (Å) and triangular faces."""

    centre: int
    element: str
    colour: str
    vertices: list[Vec3]
    faces: list[tuple[int, int, int]]


@dataclass(frozen=True)
class LegendEntry:
    """Element colour legend; radii in Å."""

    element: str
    colour: str
    radius: float
    radius_space_filling: float


@dataclass(frozen=True)
class Scene:
    """Everything the viewer draws. ``lattice`` rows are a, b, c (Å)."""

    formula: str
    lattice: list[Vec3]
    supercell: tuple[int, int, int]
    bonding: Bonding
    bonding_requested: Bonding
    colour_scheme: ColourScheme
    atoms: list[SceneAtom]
    bonds: list[Bond]
    polyhedra: list[Polyhedron]
    cell_edges: list[Edge]
    unit_cell_edges: list[Edge]
    legend: list[LegendEntry]
    centre: Vec3
    extent: float
    warnings: list[str]
