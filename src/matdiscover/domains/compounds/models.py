"""The compounds table: one known compound per reduced formula.

A compound is derived data: :mod:`matdiscover.domains.compounds.build` recomputes it from
the shared reference rows of ``materials`` (``organization_id IS NULL``), which stay
as they are. Ids are stable across rebuilds (an upsert on ``reduced_formula``), so
compound pages keep their URLs when a new data version is loaded.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import DateTime, Float, Index, Integer, String, cast, func
from sqlalchemy.dialects.postgresql import ARRAY, JSONB
from sqlalchemy.orm import Mapped, mapped_column

from matdiscover.db.base import Base, IdMixin
from matdiscover.science.properties import PROPERTY_NAMES


class Compound(IdMixin, Base):
    """One known compound (a reduced formula with at least one shipped reference row).

    ``properties`` holds the headline value per property (see ``build.py`` for which
    entry it is); ``reference_values`` one summary per (property, source table): value,
    entry count, range and a few entry ids; the citations and licences are looked up
    from the source table when read.
    """

    __tablename__ = "compounds"
    __table_args__ = (
        Index("ix_compounds_reduced_formula", "reduced_formula", unique=True),
        Index(
            "ix_compounds_reduced_formula_trgm",
            "reduced_formula",
            postgresql_using="gin",
            postgresql_ops={"reduced_formula": "gin_trgm_ops"},
        ),
        Index("ix_compounds_chemical_system", "chemical_system"),
        Index("ix_compounds_elements_gin", "elements", postgresql_using="gin"),
        Index("ix_compounds_nelements_id", "nelements", "id"),
        Index("ix_compounds_anonymous_formula_id", "anonymous_formula", "id"),
        Index("ix_compounds_space_groups_gin", "space_group_numbers", postgresql_using="gin"),
        Index("ix_compounds_crystal_systems_gin", "crystal_systems", postgresql_using="gin"),
        Index("ix_compounds_n_structures_id", "n_structures", "id"),
    )

    reduced_formula: Mapped[str] = mapped_column(String(200))
    chemical_system: Mapped[str] = mapped_column(String(200))
    elements: Mapped[list[str]] = mapped_column(ARRAY(String(3)))
    nelements: Mapped[int] = mapped_column(Integer)
    anonymous_formula: Mapped[str | None] = mapped_column(String(100))
    #: headline value per property key
    properties: Mapped[dict[str, Any]] = mapped_column(JSONB, server_default="{}")
    #: one summary per (property, source table), see ``build.py``
    reference_values: Mapped[list[Any]] = mapped_column(JSONB, server_default="[]")
    n_entries: Mapped[int] = mapped_column(Integer)
    n_structures: Mapped[int] = mapped_column(Integer, server_default="0")
    space_group_numbers: Mapped[list[int]] = mapped_column(ARRAY(Integer), server_default="{}")
    crystal_systems: Mapped[list[str]] = mapped_column(ARRAY(String(16)), server_default="{}")
    #: citable ids of its structures (``mp-19770``, prototype labels), best first
    source_ids: Mapped[list[str]] = mapped_column(ARRAY(String(128)), server_default="{}")
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), onupdate=func.now()
    )


def _property_index(prop: str) -> None:
    value = cast(Compound.__table__.c.properties[prop].astext, Float)
    Index(
        f"ix_compounds_prop_{prop}",
        value,
        Compound.__table__.c.id,
        postgresql_where=value.is_not(None),
    )


for _prop in PROPERTY_NAMES:
    _property_index(_prop)
