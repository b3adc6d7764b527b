"""Tables of the projects domain.

- ``projects``: named groups of an organisation's work, unique by name within it.
- ``project_items``: what a project tracks: one of the organisation's uploaded materials
  or a known compound (by reduced formula), with a status, tags and, for compounds, the
  composition-model predictions made when it was added (a compound has no material row
  to hang predictions on).
- ``project_notes``: notes with author and time, on a project or on one of its items.
- ``recalibrations``: versioned corrections of one property's predictions fitted on a
  project's (or the organisation's) measurements; applied only while ``enabled``.
"""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    DateTime,
    Enum,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    func,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB
from sqlalchemy.orm import Mapped, mapped_column

from matdiscover.db.base import Base, IdMixin, TimestampMixin


class Project(IdMixin, TimestampMixin, Base):
    __tablename__ = "projects"
    __table_args__ = (UniqueConstraint("organization_id", "name"),)

    organization_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("organizations.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str | None] = mapped_column(Text)


class ItemStatus(enum.StrEnum):
    """Where a tracked material stands."""

    idea = "idea"
    selected = "selected"
    synthesised = "synthesised"
    measured = "measured"
    discarded = "discarded"


_status_enum = Enum(
    ItemStatus, name="project_item_status", values_callable=lambda e: [m.value for m in e]
)


class ProjectItem(IdMixin, TimestampMixin, Base):
    """A material the project tracks: an upload (``material_id``) or a known compound
    (``reduced_formula`` without a material)."""

    __tablename__ = "project_items"
    __table_args__ = (
        UniqueConstraint("project_id", "material_id"),
        Index(
            "uq_project_items_project_id_compound",
            "project_id",
            "reduced_formula",
            unique=True,
            postgresql_where="material_id IS NULL",
        ),
    )

    organization_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("organizations.id", ondelete="CASCADE"), index=True
    )
    project_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("projects.id", ondelete="CASCADE"), index=True
    )
    material_id: Mapped[int | None] = mapped_column(
        BigInteger, ForeignKey("materials.id", ondelete="CASCADE"), index=True
    )
    #: the material's reduced formula, or the known compound's
    reduced_formula: Mapped[str] = mapped_column(String(200))
    status: Mapped[ItemStatus] = mapped_column(
        _status_enum, default=ItemStatus.idea, server_default="idea"
    )
    tags: Mapped[list[str]] = mapped_column(ARRAY(String(64)), default=list, server_default="{}")
    #: compound items: {property: {value, std, model_name, model_version}} at adding time
    predicted: Mapped[dict[str, Any]] = mapped_column(JSONB, default=dict, server_default="{}")
    added_by_id: Mapped[int | None] = mapped_column(
        BigInteger, ForeignKey("users.id", ondelete="SET NULL")
    )
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), onupdate=func.now()
    )


class ProjectNote(IdMixin, TimestampMixin, Base):
    """A note on a project (``item_id`` NULL) or on one of its items."""

    __tablename__ = "project_notes"

    organization_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("organizations.id", ondelete="CASCADE"), index=True
    )
    project_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("projects.id", ondelete="CASCADE"), index=True
    )
    item_id: Mapped[int | None] = mapped_column(
        BigInteger, ForeignKey("project_items.id", ondelete="CASCADE"), index=True
    )
    author_id: Mapped[int | None] = mapped_column(
        BigInteger, ForeignKey("users.id", ondelete="SET NULL")
    )
    text: Mapped[str] = mapped_column(Text)


class Recalibration(IdMixin, TimestampMixin, Base):
    """One fitted correction (``params`` = ``science.recalibration.Recalibration.to_json``).
    ``version`` counts up per (organisation, project, property, model)."""

    __tablename__ = "recalibrations"
    __table_args__ = (
        UniqueConstraint("organization_id", "project_id", "property", "model_name", "version"),
    )

    organization_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("organizations.id", ondelete="CASCADE"), index=True
    )
    project_id: Mapped[int | None] = mapped_column(
        BigInteger, ForeignKey("projects.id", ondelete="CASCADE"), index=True
    )
    property: Mapped[str] = mapped_column(String(64))
    #: the model whose predictions it corrects ("" = whichever made them)
    model_name: Mapped[str] = mapped_column(String(200), server_default="")
    kind: Mapped[str] = mapped_column(String(32))
    n_measurements: Mapped[int] = mapped_column(Integer)
    params: Mapped[dict[str, Any]] = mapped_column(JSONB)
    enabled: Mapped[bool] = mapped_column(Boolean, default=False, server_default="false")
    version: Mapped[int] = mapped_column(Integer)
    created_by_id: Mapped[int | None] = mapped_column(
        BigInteger, ForeignKey("users.id", ondelete="SET NULL")
    )
