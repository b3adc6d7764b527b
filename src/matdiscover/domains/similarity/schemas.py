"""Schemas of the similarity endpoints."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field, model_validator

from matdiscover.domains.compounds.schemas import CompoundHit, KnownStructure
from matdiscover.domains.materials.schemas import MaterialRead

SimilarBy = Literal["composition", "structure"]


class InlineStructure(BaseModel):
    content: str = Field(description="File content (CIF, POSCAR, extended XYZ, pymatgen JSON)")
    filename: str = Field(description="Name deciding the format, e.g. NaCl.cif or POSCAR")


class SimilarRequest(BaseModel):
    """``POST /api/v1/similar``: exactly one of ``formula`` or ``structure``."""

    formula: str | None = Field(default=None, max_length=200, examples=["SrTiO3"])
    structure: InlineStructure | None = None
    k: int = Field(default=20, ge=1, le=200)
    by: SimilarBy = "composition"

    @model_validator(mode="after")
    def _one_input(self) -> SimilarRequest:
        if (self.formula is None) == (self.structure is None):
            raise ValueError("give exactly one of formula or structure")
        if self.by == "structure" and self.structure is None:
            raise ValueError("by=structure needs a structure")
        return self


class SimilarMaterial(BaseModel):
    material: MaterialRead
    distance: float = Field(description="Cosine distance of the embeddings (0 = identical)")
    similarity: float = Field(description="1 - distance")
    entries: int = Field(
        description="Visible entries with this reduced formula (composition search returns "
        "one representative per formula: your own material first, else the lowest id)"
    )
    compound: CompoundHit | None = Field(
        default=None, description="The known compound of this formula, if there is one"
    )
    isostructural: bool | None = Field(
        default=None,
        description="Structure search: true when this material has the query's structure "
        "type (same sites whatever the elements, checked with StructureMatcher); these come "
        "first. null: not checked (a neighbour by CHGNet embedding only)",
    )


class SimilarPage(BaseModel):
    by: SimilarBy
    query: str = Field(description="The material id, formula or file searched for")
    items: list[SimilarMaterial]
    query_compound: CompoundHit | None = Field(
        default=None,
        description="The known compound of the query's own formula (composition search "
        "lists other formulas; the query's own compound is reported here, not dropped)",
    )
    other_structures: list[KnownStructure] = Field(
        default_factory=list,
        description="Known structures of the query's compound other than the query itself "
        "(its polymorphs)",
    )
