"""The materials table: user structures and reference entries side by side."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pgvector.sqlalchemy import Vector
from sqlalchemy import (
    BigInteger,
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    func,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB
from sqlalchemy.orm import Mapped, mapped_column

from matdiscover.db.base import Base, IdMixin, TimestampMixin

STRUCTURE_EMBEDDING_DIM = 64  # CHGNet crystal feature vector
COMPOSITION_EMBEDDING_DIM = 200  # fraction-weighted mat2vec element embedding


class Material(IdMixin, TimestampMixin, Base):
    """A crystal structure (or, for reference entries, possibly only a composition).

    ``organization_id`` is NULL for reference entries shipped with MatDiscover,
    which every organisation can read.
    """

    __tablename__ = "materials"
    __table_args__ = (
        Index("ix_materials_org_reduced_formula", "organization_id", "reduced_formula"),
        Index("ix_materials_org_content_hash", "organization_id", "content_hash"),
        Index("ix_materials_elements_gin", "elements", postgresql_using="gin"),
        Index(
            "ix_materials_reduced_formula_trgm",
            "reduced_formula",
            postgresql_using="gin",
            postgresql_ops={"reduced_formula": "gin_trgm_ops"},
        ),
    )

    organization_id: Mapped[int | None] = mapped_column(
        BigInteger, ForeignKey("organizations.id", ondelete="CASCADE")
    )
    project_id: Mapped[int | None] = mapped_column(
        BigInteger, ForeignKey("projects.id", ondelete="SET NULL"), index=True
    )
    formula: Mapped[str] = mapped_column(String(500))
    reduced_formula: Mapped[str] = mapped_column(String(200))
    chemical_system: Mapped[str] = mapped_column(String(200), index=True)
    elements: Mapped[list[str]] = mapped_column(ARRAY(String(3)))
    nsites: Mapped[int | None] = mapped_column(Integer)
    nelements: Mapped[int] = mapped_column(Integer)
    space_group_number: Mapped[int | None] = mapped_column(Integer, index=True)
    space_group_symbol: Mapped[str | None] = mapped_column(String(32))
    crystal_system: Mapped[str | None] = mapped_column(String(16))
    volume: Mapped[float | None] = mapped_column(Float)  # Å^3 per cell
    density: Mapped[float | None] = mapped_column(Float)  # g/cm^3
    lattice: Mapped[dict[str, Any] | None] = mapped_column(JSONB)  # a,b,c (Å), alpha,beta,gamma (°)
    is_ordered: Mapped[bool] = mapped_column(Boolean, default=True, server_default="true")
    structure: Mapped[dict[str, Any] | None] = mapped_column(JSONB)  # pymatgen Structure.as_dict()
    source: Mapped[str] = mapped_column(String(32), default="upload", server_default="upload")
    source_database: Mapped[str | None] = mapped_column(String(64))
    source_id: Mapped[str | None] = mapped_column(String(128))
    filename: Mapped[str | None] = mapped_column(String(255))
    content_hash: Mapped[str | None] = mapped_column(String(64))
    duplicate_of_id: Mapped[int | None] = mapped_column(
        BigInteger, ForeignKey("materials.id", ondelete="SET NULL")
    )
    warnings: Mapped[list[Any]] = mapped_column(JSONB, default=list, server_default="[]")
    properties: Mapped[dict[str, Any]] = mapped_column(JSONB, default=dict, server_default="{}")
    structure_embedding: Mapped[Any | None] = mapped_column(Vector(STRUCTURE_EMBEDDING_DIM))
    composition_embedding: Mapped[Any | None] = mapped_column(Vector(COMPOSITION_EMBEDDING_DIM))
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), onupdate=func.now()
    )
