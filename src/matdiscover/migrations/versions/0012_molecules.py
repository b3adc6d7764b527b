"""molecules: an organisation's small molecules and their bioactivities

New tables ``molecules`` (unique per organisation and standard InChIKey; descriptors,
alerts, O[Q/P/L]A score columns, primary activity, ECFP4 fingerprint bytes) and
``molecule_activities`` (ChEMBL-style activities with pActivity, unique per molecule and
``dedupe_key``). No existing row is changed.

Revision ID: 0012
Revises: 0011
"""

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _common(table: str) -> list[Any]:
    return [
        sa.Column("id", sa.BigInteger(), autoincrement=True, nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("organization_id", sa.BigInteger(), nullable=False),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("created_by_id", sa.BigInteger(), nullable=True),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f(f"fk_{table}_organization_id_organizations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["users.id"],
            name=op.f(f"fk_{table}_created_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f(f"pk_{table}")),
    ]


def _json(name: str, default: str) -> sa.Column[Any]:
    return sa.Column(name, postgresql.JSONB(), server_default=default, nullable=False)


def upgrade() -> None:
    op.create_table(
        "molecules",
        *_common("molecules"),
        sa.Column("name", sa.String(length=200), nullable=True),
        sa.Column("input_smiles", sa.Text(), nullable=False),
        sa.Column("smiles", sa.Text(), nullable=False),
        sa.Column("inchikey", sa.String(length=27), nullable=False),
        _json("changes", "[]"),
        _json("descriptors", "{}"),
        sa.Column("mw", sa.Float(), nullable=False),
        sa.Column("clogp", sa.Float(), nullable=False),
        sa.Column("tpsa", sa.Float(), nullable=False),
        sa.Column("qed", sa.Float(), nullable=False),
        sa.Column("heavy_atoms", sa.Integer(), nullable=False),
        _json("alerts", "[]"),
        sa.Column("has_pains", sa.Boolean(), server_default="false", nullable=False),
        sa.Column("n_alerts", sa.Integer(), server_default="0", nullable=False),
        sa.Column("score_potency", sa.Float(), nullable=True),
        sa.Column("score_efficiency", sa.Float(), nullable=True),
        sa.Column("score_quality", sa.Float(), nullable=False),
        sa.Column("score_total", sa.Float(), nullable=True),
        sa.Column("classification", sa.String(length=16), nullable=False),
        _json("score", "{}"),
        sa.Column("primary_activity_id", sa.BigInteger(), nullable=True),
        sa.Column("p_activity", sa.Float(), nullable=True),
        _json("indices", "{}"),
        sa.Column("fingerprint", sa.LargeBinary(), nullable=False),
        sa.CheckConstraint(
            "source IN ('api', 'upload', 'batch')", name=op.f("ck_molecules_source")
        ),
        sa.UniqueConstraint(
            "organization_id", "inchikey", name=op.f("uq_molecules_organization_id_inchikey")
        ),
    )
    op.create_index(
        op.f("ix_molecules_organization_id"), "molecules", ["organization_id"], unique=False
    )
    op.create_index(
        op.f("ix_molecules_classification"), "molecules", ["classification"], unique=False
    )
    op.create_index(
        "ix_molecules_organization_id_score_total",
        "molecules",
        ["organization_id", "score_total"],
        unique=False,
    )
    op.create_table(
        "molecule_activities",
        *_common("molecule_activities"),
        sa.Column("molecule_id", sa.BigInteger(), nullable=False),
        sa.Column("target", sa.String(length=100), nullable=True),
        sa.Column("standard_type", sa.String(length=50), nullable=True),
        sa.Column("relation", sa.String(length=2), nullable=False),
        sa.Column("value", sa.Float(), nullable=False),
        sa.Column("unit", sa.String(length=20), nullable=False),
        sa.Column("p_activity", sa.Float(), nullable=False),
        sa.Column("p_relation", sa.String(length=2), nullable=False),
        sa.Column("assay_id", sa.String(length=100), nullable=True),
        sa.Column("document_id", sa.String(length=100), nullable=True),
        sa.Column("dedupe_key", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["molecule_id"],
            ["molecules.id"],
            name=op.f("fk_molecule_activities_molecule_id_molecules"),
            ondelete="CASCADE",
        ),
        sa.CheckConstraint(
            "source IN ('user', 'chembl-import')", name=op.f("ck_molecule_activities_source")
        ),
        sa.UniqueConstraint(
            "molecule_id",
            "dedupe_key",
            name=op.f("uq_molecule_activities_molecule_id_dedupe_key"),
        ),
    )
    for column in ("organization_id", "molecule_id"):
        op.create_index(op.f(f"ix_molecule_activities_{column}"), "molecule_activities", [column])


def downgrade() -> None:
    op.drop_table("molecule_activities")
    op.drop_table("molecules")
