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


class StructureTrainingOptions(BaseModel):
    """How to fine-tune CHGNet on structures with energies (defaults suit a few hundred
    frames of small cells)."""

    model_config = ConfigDict(extra="forbid")

    epochs: int = Field(default=20, ge=1, le=200, description="Passes over the training frames")
    freeze_backbone: bool = Field(
        default=True,
        description="Train only the energy head and per-element reference energies "
        "(small data); false: every weight at a small learning rate",
    )
    holdout_fraction: float = Field(
        default=0.2, ge=0.05, le=0.5, description="Share of the structures held out"
    )
    seed: int = Field(default=0, ge=0, le=2**31 - 1)
