"""Pydantic schemas of the predictions domain."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from matdiscover.science.properties import PropertyName


class PropertyInfoRead(BaseModel):
    """A catalogued property: key, name for people, unit and the paths that predict it."""

    key: PropertyName
    display_name: str
    unit: str
    description: str
    methods: list[Literal["composition", "structure"]]


class PredictionRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int | None = None
    material_id: int | None = None
    property: str
    value: float
    unit: str
    std: float | None
    interval_low: float | None = Field(description="Lower end of the calibrated 95 % interval")
    interval_high: float | None = Field(description="Upper end of the calibrated 95 % interval")
    method: str = Field(description="composition | structure")
    model_name: str
    model_version: str
    in_domain: bool
    warnings: list[str]
    details: dict[str, Any] = Field(default_factory=dict)
    created_at: datetime | None = None


class InlineStructure(BaseModel):
    """A structure file's text sent inside the JSON body."""

    content: str = Field(max_length=10 * 1024 * 1024, description="File content (CIF, POSCAR...)")
    filename: str = Field(
        default="structure.cif",
        max_length=255,
        description="Name used to detect the format (.cif, POSCAR, .vasp, .xyz, .json)",
    )


#: Selectable structure models (``matdiscover.science.models.structure_models``).
StructureModelName = Literal["chgnet", "7net-0", "7net-l3i5"]


class PredictionRequest(BaseModel):
    """Exactly one of ``material_id``, ``structure`` or ``formula``."""

    material_id: int | None = Field(default=None, ge=1)
    structure: InlineStructure | None = None
    formula: str | None = Field(default=None, min_length=1, max_length=200, examples=["Fe2O3"])
    properties: list[PropertyName] | None = Field(
        default=None, description="Subset of properties; all six when omitted"
    )
    relax: bool = Field(
        default=False, description="Relax the structure with the structure model first"
    )
    structure_model: StructureModelName | None = Field(
        default=None,
        description="Structure model for formation energy and energy above hull: chgnet "
        "(fast), 7net-0 (SevenNet-0) or 7net-l3i5 (accurate); the server's "
        "MATDISCOVER_STRUCTURE_MODEL (default 7net-0) when omitted",
    )

    @model_validator(mode="after")
    def _exactly_one_input(self) -> PredictionRequest:
        given = [x is not None for x in (self.material_id, self.structure, self.formula)]
        if sum(given) != 1:
            raise ValueError("give exactly one of material_id, structure or formula")
        return self


class RelaxationRead(BaseModel):
    converged: bool
    steps: int
    max_force: float = Field(description="Final max force, eV/Å")
    message: str | None = None


class PredictionResponse(BaseModel):
    input: str
    formula: str
    material_id: int | None
    predictions: list[PredictionRead]
    relaxation: RelaxationRead | None = None
    warnings: list[str] = Field(default_factory=list)


class MaterialPredictions(BaseModel):
    material_id: int
    latest: list[PredictionRead] = Field(description="Newest prediction per property")
    history: list[PredictionRead] = Field(description="All predictions, newest first")
    pending: bool = Field(
        default=False,
        description="An automatic prediction of this material is queued or running",
    )


class MLModelRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    name: str
    version: str
    property: str
    method: str
    unit: str
    card: dict[str, Any]
