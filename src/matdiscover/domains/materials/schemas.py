"""Pydantic schemas of the materials domain (API and CLI contracts)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import AliasChoices, BaseModel, ConfigDict, Field

from matdiscover.domains.materials.models import Material


class LatticeParameters(BaseModel):
    a: float = Field(description="Å")
    b: float = Field(description="Å")
    c: float = Field(description="Å")
    alpha: float = Field(description="degrees")
    beta: float = Field(description="degrees")
    gamma: float = Field(description="degrees")


class KnownMatch(BaseModel):
    """How an uploaded structure relates to the shipped known structures of its formula
    (matched with pymatgen's StructureMatcher at the duplicate check's tolerances, after
    scaling both to the same volume per atom, since known structures are DFT-relaxed)."""

    kind: Literal["match", "new_polymorph", "known_composition", "new_compound"] = Field(
        description="match: the same crystal as a known structure; new_polymorph: the "
        "formula has known structures but none matches; known_composition: the formula "
        "is a known compound without a shipped structure; new_compound: no reference "
        "entry has this formula"
    )
    material_id: int | None = Field(
        default=None, description="match: id of the known structure's reference material"
    )
    source_database: str | None = Field(
        default=None,
        description="match: materials_project, aflow_prototypes or ase_dcdft",
    )
    source_id: str | None = Field(
        default=None, description="match: citable id in the source, e.g. mp-22862"
    )
    url: str | None = Field(
        default=None, description="match: public page of the source entry, if it has one"
    )
    space_group_symbol: str | None = Field(
        default=None, description="match: space group of the known structure"
    )
    reduced_formula: str | None = Field(
        default=None, description="new_polymorph, known_composition: the compound"
    )
    known_structures: int | None = Field(
        default=None, description="new_polymorph: how many known structures were compared"
    )


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
    known_match: KnownMatch | None = Field(
        default=None,
        description="Your structures: the known structure it matches, or that it is a new "
        "polymorph / new compound; null for reference entries and composition-only rows",
    )
    is_reference: bool
    source_label: str | None = Field(
        default=None,
        description="Reference rows: a citable id (mp-22862) or a readable table row "
        "('Matbench mp_e_form, row 75208')",
    )
    source_url: str | None = Field(
        default=None, description="Reference rows: the entry's public page, when it has one"
    )
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
    return MaterialRead.model_validate({**attrs, **reference_fields(row)})


def reference_fields(row: Material) -> dict[str, Any]:
    """``is_reference``, ``source_label`` and ``source_url`` of a material's API view."""
    from matdiscover.science.known_structures import source_url
    from matdiscover.science.reference_sources import entry_label

    if row.organization_id is not None or not row.source_id:
        return {"is_reference": row.organization_id is None}
    return {
        "is_reference": True,
        "source_label": entry_label(row.source_id),
        "source_url": source_url(row.source_database or "", row.source_id),
    }
