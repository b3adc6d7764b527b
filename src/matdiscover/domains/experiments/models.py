"""Tables of the experiments domain.

- ``experimental_results``: measured property values (in the catalogue unit, with
  uncertainty, conditions, method, sample id and when they were measured) recorded by an
  organisation, tied to a project item (``item_id``) and so to a material or a known
  compound. Edits bump ``version`` and keep the previous values in
  ``measurement_versions``; deletion is soft (``deleted_at``).
- ``measurement_versions``: the history of edits, one row per replaced version.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, DateTime, Float, ForeignKey, Integer, String, Text, func
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from matdiscover.db.base import Base, IdMixin, TimestampMixin


class ExperimentalResult(IdMixin, TimestampMixin, Base):
    __tablename__ = "experimental_results"

    organization_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("organizations.id", ondelete="CASCADE"), index=True
    )
    material_id: Mapped[int | None] = mapped_column(
        BigInteger, ForeignKey("materials.id", ondelete="SET NULL"), index=True
    )
    project_id: Mapped[int | None] = mapped_column(
        BigInteger, ForeignKey("projects.id", ondelete="SET NULL"), index=True
    )
    item_id: Mapped[int | None] = mapped_column(
        BigInteger, ForeignKey("project_items.id", ondelete="SET NULL"), index=True
    )
    formula: Mapped[str | None] = mapped_column(String(500))
    sample_id: Mapped[str | None] = mapped_column(String(200))
    property: Mapped[str] = mapped_column(String(64))
    value: Mapped[float] = mapped_column(Float)
    unit: Mapped[str] = mapped_column(String(32))
    uncertainty: Mapped[float | None] = mapped_column(Float)
    method: Mapped[str | None] = mapped_column(String(200))
    conditions: Mapped[dict[str, Any]] = mapped_column(JSONB, default=dict, server_default="{}")
    measured_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    notes: Mapped[str | None] = mapped_column(Text)
    #: row number in the uploaded file (1 = first data row under the header)
    source_row: Mapped[int | None] = mapped_column(Integer)
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    deleted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_by_id: Mapped[int | None] = mapped_column(
        BigInteger, ForeignKey("users.id", ondelete="SET NULL")
    )


class MeasurementVersion(IdMixin, Base):
    """A replaced version of a measurement: its values before an edit (or deletion)."""

    __tablename__ = "measurement_versions"

    organization_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("organizations.id", ondelete="CASCADE"), index=True
    )
    measurement_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("experimental_results.id", ondelete="CASCADE"), index=True
    )
    version: Mapped[int] = mapped_column(Integer)
    #: the measurement's editable fields as they were in ``version``
    values: Mapped[dict[str, Any]] = mapped_column(JSONB)
    edited_by_id: Mapped[int | None] = mapped_column(
        BigInteger, ForeignKey("users.id", ondelete="SET NULL")
    )
    edited_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), nullable=False
    )
