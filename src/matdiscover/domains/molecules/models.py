"""Tables of the molecules domain.

- ``molecules``: an organisation's small molecules, unique by standard InChIKey within it,
  with what :func:`matdiscover.science.chemistry.profile_molecule` computed: descriptors
  (sortable columns for MW, cLogP, TPSA, QED and heavy atoms), alerts with matched atoms,
  the O[Q/P/L]A score components, total and class (columns, for sorting and filtering; the
  full components with their weights in ``score``), and the primary activity the indices
  and score use. ``fingerprint`` is the ECFP4 (Morgan radius 2, 2048 bits) bit vector in
  RDKit's binary form, so similarity over the organisation needs no re-parsing.
- ``molecule_activities``: measured bioactivities of a molecule (ChEMBL style), each with
  its pActivity; ``dedupe_key`` makes re-importing the same row a no-op.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from matdiscover.db.base import Base, IdMixin, TimestampMixin

MOLECULE_SOURCES = ("api", "upload", "batch")
ACTIVITY_SOURCES = ("user", "chembl-import")


class Molecule(IdMixin, TimestampMixin, Base):
    __tablename__ = "molecules"
    __table_args__ = (
        UniqueConstraint("organization_id", "inchikey"),
        CheckConstraint("source IN ('api', 'upload', 'batch')", name="source"),
        Index("ix_molecules_organization_id_score_total", "organization_id", "score_total"),
    )

    organization_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("organizations.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str | None] = mapped_column(String(200))
    #: the SMILES as given (for SDF/MOL input: the record's canonical SMILES)
    input_smiles: Mapped[str] = mapped_column(Text)
    #: canonical isomeric SMILES of the standardised parent
    smiles: Mapped[str] = mapped_column(Text)
    inchikey: Mapped[str] = mapped_column(String(27))
    #: standardisation steps that changed the molecule ("fragment", "uncharge"...)
    changes: Mapped[list[str]] = mapped_column(default=list, server_default="[]")
    #: MolecularDescriptors.as_dict()
    descriptors: Mapped[dict[str, Any]] = mapped_column(default=dict, server_default="{}")
    mw: Mapped[float] = mapped_column(Float)
    clogp: Mapped[float] = mapped_column(Float)
    tpsa: Mapped[float] = mapped_column(Float)
    qed: Mapped[float] = mapped_column(Float)
    heavy_atoms: Mapped[int] = mapped_column(Integer)
    #: [{catalog, name, family, description, atoms}]
    alerts: Mapped[list[Any]] = mapped_column(default=list, server_default="[]")
    has_pains: Mapped[bool] = mapped_column(Boolean, default=False, server_default="false")
    n_alerts: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    score_potency: Mapped[float | None] = mapped_column(Float)
    score_efficiency: Mapped[float | None] = mapped_column(Float)
    score_quality: Mapped[float] = mapped_column(Float)
    score_total: Mapped[float | None] = mapped_column(Float)
    classification: Mapped[str] = mapped_column(String(16), index=True)
    #: ScoreComponents.as_dict(): every component with the weights that made the total
    score: Mapped[dict[str, Any]] = mapped_column(default=dict, server_default="{}")
    #: the activity the indices and score use (see service.primary_activity), if any
    primary_activity_id: Mapped[int | None] = mapped_column(BigInteger)
    p_activity: Mapped[float | None] = mapped_column(Float)
    #: EfficiencyIndices of the primary activity (empty without one)
    indices: Mapped[dict[str, Any]] = mapped_column(default=dict, server_default="{}")
    fingerprint: Mapped[bytes] = mapped_column(LargeBinary)
    source: Mapped[str] = mapped_column(String(16))
    created_by_id: Mapped[int | None] = mapped_column(
        BigInteger, ForeignKey("users.id", ondelete="SET NULL")
    )


class MoleculeActivity(IdMixin, TimestampMixin, Base):
    """One measured activity of a molecule as reported, with its pActivity."""

    __tablename__ = "molecule_activities"
    __table_args__ = (
        UniqueConstraint("molecule_id", "dedupe_key"),
        CheckConstraint("source IN ('user', 'chembl-import')", name="source"),
    )

    organization_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("organizations.id", ondelete="CASCADE"), index=True
    )
    molecule_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("molecules.id", ondelete="CASCADE"), index=True
    )
    target: Mapped[str | None] = mapped_column(String(100))
    standard_type: Mapped[str | None] = mapped_column(String(50))
    relation: Mapped[str] = mapped_column(String(2))
    value: Mapped[float] = mapped_column(Float)
    unit: Mapped[str] = mapped_column(String(20))
    #: -log10(molar value); ``p_relation`` is its relation on the log scale
    p_activity: Mapped[float] = mapped_column(Float)
    p_relation: Mapped[str] = mapped_column(String(2))
    assay_id: Mapped[str | None] = mapped_column(String(100))
    document_id: Mapped[str | None] = mapped_column(String(100))
    source: Mapped[str] = mapped_column(String(16))
    #: sha256 of the reported fields: the same row imported twice is stored once
    dedupe_key: Mapped[str] = mapped_column(String(64))
    created_by_id: Mapped[int | None] = mapped_column(
        BigInteger, ForeignKey("users.id", ondelete="SET NULL")
    )
