"""API shapes of projects, their items, notes, parity data and recalibrations.

Values are in the property catalogue's units (``GET /api/v1/properties``): eV, eV/atom,
GPa, K.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from matdiscover.domains.experiments.schemas import MeasurementRead
from matdiscover.domains.projects.models import ItemStatus
from matdiscover.science.properties import PropertyName

Tag = str


class ProjectCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=200)
    description: str | None = Field(default=None, max_length=5000)


class ProjectUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str | None = Field(default=None, min_length=1, max_length=200)
    description: str | None = Field(default=None, max_length=5000)


class ProjectRead(BaseModel):
    id: int
    name: str
    description: str | None
    created_at: datetime
    n_items: int = Field(description="Materials and compounds the project tracks")
    n_measurements: int = Field(description="Live (not deleted) measurements")


class ProjectList(BaseModel):
    items: list[ProjectRead]


class ItemCreate(BaseModel):
    """Exactly one of ``material_id`` (one of your uploads) and ``formula`` (a known
    compound)."""

    model_config = ConfigDict(extra="forbid")

    material_id: int | None = Field(default=None, ge=1)
    formula: str | None = Field(default=None, min_length=1, max_length=200)
    status: ItemStatus = ItemStatus.idea
    tags: list[Tag] = Field(default_factory=list, max_length=20)

    @model_validator(mode="after")
    def _one_of(self) -> ItemCreate:
        if (self.material_id is None) == (self.formula is None):
            raise ValueError("give exactly one of material_id and formula")
        return self


class ItemUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    status: ItemStatus | None = None
    tags: list[Tag] | None = Field(default=None, max_length=20)


class NoteCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    text: str = Field(min_length=1, max_length=5000)
    item_id: int | None = Field(default=None, ge=1, description="Omit for a project note")


class NoteRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    project_id: int
    item_id: int | None
    author_id: int | None
    text: str
    created_at: datetime


class NoteList(BaseModel):
    items: list[NoteRead]


class RecalibratedValue(BaseModel):
    value: float
    std: float
    recalibration_id: int
    version: int
    n_measurements: int
    label: str = Field(description="'recalibrated on N measurements'")


class PredictedValue(BaseModel):
    """The latest prediction (raw, never changed) and, when a recalibration of the
    property is enabled, the recalibrated value beside it."""

    value: float
    std: float | None
    model_name: str
    model_version: str
    recalibrated: RecalibratedValue | None = None


class MeasuredValue(BaseModel):
    measurement_id: int
    value: float
    uncertainty: float | None
    version: int
    method: str | None
    sample_id: str | None


class ItemRead(BaseModel):
    id: int
    project_id: int
    kind: Literal["material", "compound"]
    material_id: int | None
    reduced_formula: str
    status: ItemStatus
    tags: list[str]
    added_by_id: int | None
    created_at: datetime
    updated_at: datetime
    predicted: dict[str, PredictedValue] = Field(description="Latest prediction per property")
    measured: dict[str, list[MeasuredValue]] = Field(
        description="Live measurements per property (latest version each), newest first"
    )
    reference: dict[str, float] = Field(
        description="The known compound's headline reference value per property"
    )
    notes: list[NoteRead]


class ItemList(BaseModel):
    items: list[ItemRead]
    sort: str
    order: Literal["asc", "desc"]


class MeasurementList(BaseModel):
    items: list[MeasurementRead]


class RowErrorRead(BaseModel):
    row: int = Field(description="Row in the file as a spreadsheet shows it (header = 1)")
    column: str | None
    message: str


class MeasurementImport(BaseModel):
    """What an upload stored; ``errors`` lists every bad row (empty unless
    ``store_valid_rows`` was set, since otherwise a bad row stores nothing and is a 422)."""

    stored: int
    measurement_ids: list[int]
    items_added: list[int] = Field(description="Compound items added for new formulas")
    errors: list[RowErrorRead]
    ignored_columns: list[str]


class MeasurementRejected(BaseModel):
    """The 422 body of an upload with bad rows: nothing was stored. A request that does
    not match the schema (e.g. without a file) has FastAPI's 422 body instead: ``detail``
    lists the invalid fields and there are no ``errors``."""

    detail: str | list[dict[str, Any]]
    errors: list[RowErrorRead] = Field(
        default_factory=list, description="Every bad row: row number, column, message"
    )


class ParityPoint(BaseModel):
    item_id: int
    measurement_id: int
    formula: str
    predicted: float
    sigma: float | None
    model_name: str
    model_version: str
    measured: float
    uncertainty: float | None
    recalibrated: float | None = None
    recalibrated_sigma: float | None = None
    family: str = Field(description="Chemical family (oxides, nitrides, halides...)")


class Metrics(BaseModel):
    n: int
    mae: float
    rmse: float
    bias: float = Field(description="Mean of predicted - measured")
    coverage95: float | None = Field(description="Share inside the predicted 95 % interval")
    spearman: float | None


class ModelMetrics(BaseModel):
    model_name: str
    model_version: str
    metrics: Metrics


class FamilyResiduals(BaseModel):
    family: str
    n: int
    mean_residual: float = Field(description="Mean of predicted - measured")
    mae: float
    residuals: list[float]


class Parity(BaseModel):
    property: PropertyName
    unit: str
    points: list[ParityPoint]
    metrics: Metrics | None = Field(description="Over every point (None: no points)")
    per_model: list[ModelMetrics]
    recalibrated_metrics: Metrics | None = None
    recalibration: RecalibrationRead | None = None
    by_chemistry: list[FamilyResiduals] | None = Field(
        default=None, description="With ?by=chemistry: residuals grouped by family"
    )
    skipped: int = Field(description="Measurements without a prediction of the property")


class RecalibrationCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    property: PropertyName
    model_name: str | None = Field(
        default=None, max_length=200, description="Only this model's predictions"
    )


class RecalibrationUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    enabled: bool


class RecalibrationRead(BaseModel):
    id: int
    project_id: int | None
    property: str
    model_name: str
    kind: str
    n_measurements: int
    enabled: bool
    version: int
    created_at: datetime
    created_by_id: int | None
    cv_mae_raw: float | None
    cv_mae: float | None
    cv_coverage95: float | None
    label: str


class RecalibrationList(BaseModel):
    items: list[RecalibrationRead]


Parity.model_rebuild()
