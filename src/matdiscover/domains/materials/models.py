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
    cast,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB
from sqlalchemy.orm import Mapped, mapped_column

from matdiscover.db.base import Base, IdMixin, TimestampMixin, hnsw_cosine_index
from matdiscover.science.properties import PROPERTY_NAMES

STRUCTURE_EMBEDDING_DIM = 64  # CHGNet crystal feature vector
COMPOSITION_EMBEDDING_DIM = 200  # fraction-weighted mat2vec element embedding
#: Reference properties with partial expression indexes ``((properties->>p)::float8, id)``
#: (ranges and sorting by value) and ``(id, (properties->>p)::float8)`` (ranges in id order).
INDEXED_PROPERTIES = PROPERTY_NAMES


def _anonymous_formula_default(context: Any) -> str | None:
    """Column default: the prototype formula (``ABC3``) of the row's reduced formula."""
    from matdiscover.science.embeddings import anonymous_formula

    reduced = context.get_current_parameters().get("reduced_formula")
    if not reduced:
        return None
    try:
        return anonymous_formula(reduced)
    except Exception:
        return None


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
        Index("ix_materials_reduced_formula_id", "reduced_formula", "id"),
        Index("ix_materials_formula", "formula"),
        Index("ix_materials_anonymous_formula_id", "anonymous_formula", "id"),
        Index("ix_materials_source_database_id", "source_database", "id"),
        Index("ix_materials_source_id_key", "source", "id"),
        Index("ix_materials_nelements_id", "nelements", "id"),
        hnsw_cosine_index("ix_materials_structure_embedding_hnsw", "structure_embedding"),
        Index(
            "ix_materials_crystal_system",
            "crystal_system",
            postgresql_where=text("crystal_system IS NOT NULL"),
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
    # prototype formula as pymatgen's Composition.anonymized_formula, e.g. "ABC3"
    anonymous_formula: Mapped[str | None] = mapped_column(
        String(100), default=_anonymous_formula_default
    )
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
    #: the known structure an uploaded one matches, or that it is a new polymorph of a
    #: known compound (``matdiscover.domains.materials.known``); NULL: not checked/unknown
    known_match: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
    properties: Mapped[dict[str, Any]] = mapped_column(JSONB, default=dict, server_default="{}")
    structure_embedding: Mapped[Any | None] = mapped_column(Vector(STRUCTURE_EMBEDDING_DIM))
    composition_embedding: Mapped[Any | None] = mapped_column(Vector(COMPOSITION_EMBEDDING_DIM))
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), onupdate=func.now()
    )


def _property_indexes(prop: str) -> None:
    value = cast(Material.__table__.c.properties[prop].astext, Float)
    row_id = Material.__table__.c.id
    Index(f"ix_materials_prop_{prop}", value, row_id, postgresql_where=value.is_not(None))
    Index(f"ix_materials_prop_{prop}_by_id", row_id, value, postgresql_where=value.is_not(None))


for _prop in INDEXED_PROPERTIES:
    _property_indexes(_prop)


class MaterialFormula(Base):
    """Every distinct ``materials.reduced_formula`` (~400 k for 1.1 M materials), with a
    trigram index: fuzzy and wildcard formula search match here and join back to
    materials by formula. Filled by a trigger on ``materials`` (migration 0006); formulas
    of deleted materials may linger, which is harmless since matches join back."""

    __tablename__ = "material_formulas"
    __table_args__ = (
        Index(
            "ix_material_formulas_trgm",
            "reduced_formula",
            postgresql_using="gin",
            postgresql_ops={"reduced_formula": "gin_trgm_ops"},
        ),
    )

    reduced_formula: Mapped[str] = mapped_column(String(200), primary_key=True)
