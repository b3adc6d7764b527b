"""Registered ML models and the predictions they made."""

from __future__ import annotations

from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    Float,
    ForeignKey,
    Index,
    String,
    UniqueConstraint,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from matdiscover.db.base import Base, IdMixin, TimestampMixin


class MLModel(IdMixin, TimestampMixin, Base):
    """A model artifact with its card (data provenance, held-out metrics, calibration)."""

    __tablename__ = "ml_models"
    __table_args__ = (UniqueConstraint("name", "version"),)

    name: Mapped[str] = mapped_column(String(200))
    version: Mapped[str] = mapped_column(String(64))
    property: Mapped[str] = mapped_column(String(64), index=True)
    method: Mapped[str] = mapped_column(String(32))  # composition | structure
    unit: Mapped[str] = mapped_column(String(32))
    artifact_uri: Mapped[str | None] = mapped_column(String(1000))
    card: Mapped[dict[str, Any]] = mapped_column(JSONB, default=dict, server_default="{}")
    is_active: Mapped[bool] = mapped_column(Boolean, default=True, server_default="true")


class Prediction(IdMixin, TimestampMixin, Base):
    """One predicted property value of one material; history is kept (latest wins)."""

    __tablename__ = "predictions"
    __table_args__ = (Index("ix_predictions_material_property", "material_id", "property"),)

    organization_id: Mapped[int | None] = mapped_column(
        BigInteger, ForeignKey("organizations.id", ondelete="CASCADE"), index=True
    )
    material_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("materials.id", ondelete="CASCADE")
    )
    ml_model_id: Mapped[int | None] = mapped_column(
        BigInteger, ForeignKey("ml_models.id", ondelete="SET NULL")
    )
    property: Mapped[str] = mapped_column(String(64))
    value: Mapped[float] = mapped_column(Float)
    std: Mapped[float | None] = mapped_column(Float)
    interval_low: Mapped[float | None] = mapped_column(Float)
    interval_high: Mapped[float | None] = mapped_column(Float)
    unit: Mapped[str] = mapped_column(String(32))
    method: Mapped[str] = mapped_column(String(32))
    model_name: Mapped[str] = mapped_column(String(200))
    model_version: Mapped[str] = mapped_column(String(64))
    in_domain: Mapped[bool] = mapped_column(Boolean, default=True, server_default="true")
    warnings: Mapped[list[Any]] = mapped_column(JSONB, default=list, server_default="[]")
    details: Mapped[dict[str, Any]] = mapped_column(JSONB, default=dict, server_default="{}")
    job_id: Mapped[int | None] = mapped_column(
        BigInteger, ForeignKey("jobs.id", ondelete="SET NULL"), index=True
    )
