"""Provenance of structures imported from OPTIMADE providers; the index of served entries."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    BigInteger,
    DateTime,
    ForeignKey,
    Index,
    String,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from matdiscover.db.base import Base, IdMixin, TimestampMixin
from matdiscover.domains.materials.models import Material

#: The OPTIMADE ``structures`` collection is every material with a structure: a partial
#: index keeps it apart from the ~1.15 M composition-only reference rows.
Index(
    "ix_materials_with_structure",
    Material.__table__.c.organization_id,
    Material.__table__.c.id,
    postgresql_where=text("structure IS NOT NULL"),
)


class OptimadeImport(IdMixin, TimestampMixin, Base):
    """One entry imported from an OPTIMADE provider into an organisation's materials.

    Unique per (organisation, provider, provider's id): an interrupted import that is run
    again skips what it already stored.
    """

    __tablename__ = "optimade_imports"
    __table_args__ = (UniqueConstraint("organization_id", "provider", "entry_id"),)

    organization_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("organizations.id", ondelete="CASCADE")
    )
    job_id: Mapped[int | None] = mapped_column(
        BigInteger, ForeignKey("jobs.id", ondelete="SET NULL"), index=True
    )
    material_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("materials.id", ondelete="CASCADE"), index=True
    )
    provider: Mapped[str] = mapped_column(String(500))  # the base URL queried
    entry_id: Mapped[str] = mapped_column(String(255))
    entry_url: Mapped[str] = mapped_column(String(1000))
    retrieved_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
