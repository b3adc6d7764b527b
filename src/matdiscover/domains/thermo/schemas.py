"""Schemas of the phase-diagram and stability endpoints (energies in eV/atom)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field


class HullProvenanceRead(BaseModel):
    dataset: str = Field(description="Reference table of the hull phases, e.g. mp_e_form")
    convention: str = Field(description="Energy convention of every energy on this hull")
    n_formulas: int


class DecompositionPart(BaseModel):
    formula: str
    fraction: float = Field(description="Molar fraction of atoms")


class PhaseEntry(BaseModel):
    name: str
    formula: str = Field(description="Reduced formula")
    source: Literal["reference", "predicted"]
    material_id: int | None = Field(
        default=None, description="Your material, for predicted entries"
    )
    formation_energy_per_atom: float = Field(description="eV/atom")
    e_above_hull: float = Field(description="eV/atom, 0 on the hull")
    is_stable: bool
    decomposition: list[DecompositionPart]
    fractions: dict[str, float] = Field(description="Atomic fraction of each component")
    x: float | None = Field(
        default=None,
        description="Plot x: binary = fraction of the 2nd component; ternary = triangle x",
    )
    y: float | None = Field(
        default=None, description="Plot y: binary = formation energy; ternary = triangle y"
    )
    z: float | None = Field(default=None, description="Quaternary: tetrahedron z")


class PhaseDiagramRead(BaseModel):
    chemsys: str
    elements: list[str] = Field(description="Components, sorted; plot axes follow this order")
    stable: list[str] = Field(description="Reduced formulas of the stable phases")
    entries: list[PhaseEntry]
    tie_lines: list[tuple[str, str]] = Field(
        description="Pairs of stable entry names joined by hull edges (for drawing)"
    )
    provenance: HullProvenanceRead


class StabilityRead(BaseModel):
    material_id: int
    formula: str
    formation_energy_per_atom: float = Field(description="eV/atom")
    energy_source: Literal["reference", "predicted"]
    e_above_hull: float = Field(description="eV/atom")
    hull_energy_per_atom: float = Field(description="eV/atom")
    below_hull_by: float = Field(description="eV/atom below the current hull (new phase)")
    is_stable: bool
    decomposition: list[DecompositionPart]
    provenance: HullProvenanceRead
