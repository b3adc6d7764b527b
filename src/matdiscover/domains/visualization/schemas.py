"""Pydantic schemas of the visualisation domain (the scene contract of the web viewer).

Lengths in ångström (Å); positions Cartesian (Å) in the frame whose rows of
``lattice`` are the cell vectors a, b, c.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

Vec3 = tuple[float, float, float]


class _Model(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class SceneNeighbour(_Model):
    element: str
    distance: float = Field(description="Å")
    position: Vec3 = Field(description="Cartesian, Å")
    atom: int | None = Field(description="Index of the drawn atom, or null if not drawn")


class SceneAtom(_Model):
    index: int
    site_index: int = Field(description="Index of the site in the stored unit cell")
    element: str
    label: str
    occupancy: float
    position: Vec3 = Field(description="Cartesian, Å")
    fractional: Vec3 = Field(description="Fractional, relative to the unit cell")
    radius: float = Field(description="Covalent radius, Å (ball-and-stick)")
    radius_space_filling: float = Field(description="Ionic/metallic/vdW radius, Å")
    colour: str = Field(description="#rrggbb")
    is_boundary_image: bool
    neighbours: list[SceneNeighbour]


class SceneBond(_Model):
    a: int
    b: int | None = Field(description="Partner atom, or null: half bond across the boundary")
    start: Vec3
    end: Vec3
    length: float = Field(description="Å")


class ScenePolyhedron(_Model):
    centre: int
    element: str
    colour: str
    vertices: list[Vec3]
    faces: list[tuple[int, int, int]]


class SceneLegendEntry(_Model):
    element: str
    colour: str
    radius: float = Field(description="Covalent radius, Å")
    radius_space_filling: float = Field(description="Å")


class SceneRead(_Model):
    """Everything the viewer draws; computed by ``science.structures.scene``."""

    material_id: int
    formula: str
    lattice: list[Vec3] = Field(description="Rows a, b, c in Å")
    supercell: tuple[int, int, int]
    bonding: Literal["crystalnn", "cutoff"]
    bonding_requested: Literal["crystalnn", "cutoff"]
    colour_scheme: Literal["jmol", "vesta"]
    atoms: list[SceneAtom]
    bonds: list[SceneBond]
    polyhedra: list[ScenePolyhedron]
    cell_edges: list[tuple[Vec3, Vec3]]
    unit_cell_edges: list[tuple[Vec3, Vec3]]
    legend: list[SceneLegendEntry]
    centre: Vec3
    extent: float = Field(description="Radius of the supercell box around its centre, Å")
    warnings: list[str]


class ParityPoint(BaseModel):
    formula: str
    true: float = Field(description="Reference value, in the model's unit")
    pred: float = Field(description="Predicted value, in the model's unit")
    std: float | None = None
    low95: float | None = None
    high95: float | None = None


class ParityRead(BaseModel):
    """A held-out sample of reference vs predicted values, for a parity plot."""

    name: str
    property: str
    unit: str
    points: list[ParityPoint]
