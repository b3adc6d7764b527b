"""API shapes of measurements (``experimental_results``)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class MeasurementRead(BaseModel):
    """One measurement (its latest version), in the catalogue unit of its property."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    project_id: int | None
    item_id: int | None
    material_id: int | None
    formula: str | None
    sample_id: str | None
    property: str
    value: float
    unit: str
    uncertainty: float | None = Field(description="One standard uncertainty, in ``unit``")
    method: str | None
    conditions: dict[str, Any] = Field(description="e.g. {'temperature': 300.0} (K)")
    measured_at: datetime | None
    notes: str | None
    source_row: int | None = Field(description="Row of the uploaded file (header = row 1)")
    version: int
    created_at: datetime
    created_by_id: int | None


class MeasurementEdit(BaseModel):
    """Fields to change (omitted ones stay); values in the property's catalogue unit."""

    model_config = ConfigDict(extra="forbid")

    value: float | None = Field(default=None, allow_inf_nan=False)
    uncertainty: float | None = Field(default=None, ge=0, allow_inf_nan=False)
    method: str | None = Field(default=None, max_length=200)
    conditions: dict[str, float | str] | None = Field(default=None, max_length=50)
    measured_at: datetime | None = None
    notes: str | None = Field(default=None, max_length=2000)
    sample_id: str | None = Field(default=None, max_length=200)


class MeasurementVersionRead(BaseModel):
    """A version of a measurement: ``values`` as they were in ``version``; the current
    version is listed first with ``edited_at`` = its last change."""

    version: int
    values: dict[str, Any]
    edited_by_id: int | None
    edited_at: datetime
    current: bool


class MeasurementHistory(BaseModel):
    measurement_id: int
    deleted_at: datetime | None
    versions: list[MeasurementVersionRead]
