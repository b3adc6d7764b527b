"""Pydantic schemas of the materials domain (API and CLI contracts)."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import AliasChoices, BaseModel, ConfigDict, Field

SortField = Literal[
    "id",
    "created_at",
    "formula",
    "reduced_formula",
    "nsites",
    "nelements",
    "space_group_number",
    "volume",
    "density",
]


class LatticeParameters(BaseModel):
    a: float = Field(description="Å")
    b: float = Field(description="Å")
    c: float = Field(description="Å")
    alpha: float = Field(description="degrees")
    beta: float = Field(description="degrees")
    gamma: float = Field(description="degrees")


class MaterialRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    formula: str
    reduced_formula: str
    chemical_system: str
    elements: list[str]
    nsites: int | None
    nelements: int
    space_group_number: int | None
    space_group_symbol: str | None
    crystal_system: str | None
    volume: float | None = Field(description="Cell volume, Å^3")
    density: float | None = Field(description="g/cm^3")
    lattice: LatticeParameters | None
    is_ordered: bool
    source: str
    source_database: str | None
    source_id: str | None
    filename: str | None
    duplicate_of: int | None = Field(
        default=None, validation_alias=AliasChoices("duplicate_of", "duplicate_of_id")
    )
    warnings: list[str]
    is_reference: bool
    created_at: datetime


class UploadedMaterial(MaterialRead):
    """One structure read from an uploaded file and stored."""

    label: str


class UploadError(BaseModel):
    filename: str
    error: str


class MaterialPage(BaseModel):
    items: list[MaterialRead]
    total: int
    next_cursor: str | None


class MaterialFilters(BaseModel):
    """Filters of ``GET /api/v1/materials`` (all optional, combined with AND)."""

    formula: str | None = Field(
        default=None, description="Exact cell or reduced formula, e.g. Fe2O3"
    )
    reduced_formula: str | None = None
    elements: list[str] | None = Field(default=None, description="Must contain all of these")
    elements_any: list[str] | None = Field(default=None, description="Contains at least one")
    elements_exclude: list[str] | None = Field(default=None, description="Contains none")
    chemical_system: str | None = Field(default=None, description="Exactly these elements: Fe-O")
    space_group_number: int | None = Field(default=None, ge=1, le=230)
    crystal_system: str | None = None
    source: str | None = None
    include_reference: bool = True
