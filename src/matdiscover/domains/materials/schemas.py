"""Pydantic schemas of the materials domain (API and CLI contracts)."""

from __future__ import annotations

from datetime import datetime

from pydantic import AliasChoices, BaseModel, ConfigDict, Field

from matdiscover.domains.materials.models import Material


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


def material_read(row: Material) -> MaterialRead:
    """The API/CLI view of a stored material."""
    attrs = {c.key: getattr(row, c.key) for c in Material.__mapper__.column_attrs}
    return MaterialRead.model_validate({**attrs, "is_reference": row.organization_id is None})
