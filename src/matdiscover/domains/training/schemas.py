"""Schemas of training jobs."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class TrainingOptions(BaseModel):
    """How to fine-tune (defaults suit a few hundred measurements)."""

    model_config = ConfigDict(extra="forbid")

    epochs: int = Field(default=12, ge=1, le=200, description="Passes over the mixed rows")
    user_weight: float = Field(
        default=10.0, gt=0, le=1000, description="Weight of one of your rows vs one reference row"
    )
    holdout_fraction: float = Field(
        default=0.2,
        ge=0.05,
        le=0.5,
        description="Share of your formulas held out for the comparison",
    )
    replay_rows: int = Field(
        default=3000, ge=0, le=50_000, description="Rows replayed from the shipped training split"
    )
    seed: int = Field(default=0, ge=0, le=2**31 - 1)


class TrainingRequest(TrainingOptions):
    """Fine-tune the shipped composition model of ``property`` with the measurements of
    ``property`` in project ``project_id`` (values in the property's catalogue unit)."""

    project_id: int
    property: str = Field(description="e.g. band_gap")
