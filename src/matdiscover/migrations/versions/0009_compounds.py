"""compounds: known compounds (one per reduced formula) and upload matches to them

The ``compounds`` table is derived from the shared reference rows; an existing
installation gets it filled by the next reference load (``serve`` starts it when the
compounds are missing). ``materials.known_match`` records, per upload, the known
structure it matches (or that it is a new polymorph of a known compound). No user row
or prediction is touched.

Revision ID: 0009
Revises: 0008
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

#: the catalogue's property keys when this revision was written (frozen here on purpose)
PROPERTIES = (
    "formation_energy",
    "band_gap",
    "bulk_modulus",
    "shear_modulus",
    "debye_temperature",
    "energy_above_hull",
)


def upgrade() -> None:
    op.add_column("materials", sa.Column("known_match", postgresql.JSONB(), nullable=True))
    op.create_table(
        "compounds",
        sa.Column("id", sa.BigInteger(), autoincrement=True, nullable=False),
        sa.Column("reduced_formula", sa.String(length=200), nullable=False),
        sa.Column("chemical_system", sa.String(length=200), nullable=False),
        sa.Column("elements", postgresql.ARRAY(sa.String(length=3)), nullable=False),
        sa.Column("nelements", sa.Integer(), nullable=False),
        sa.Column("anonymous_formula", sa.String(length=100), nullable=True),
        sa.Column("properties", postgresql.JSONB(), server_default="{}", nullable=False),
        sa.Column("reference_values", postgresql.JSONB(), server_default="[]", nullable=False),
        sa.Column("n_entries", sa.Integer(), nullable=False),
        sa.Column("n_structures", sa.Integer(), server_default="0", nullable=False),
        sa.Column(
            "space_group_numbers",
            postgresql.ARRAY(sa.Integer()),
            server_default="{}",
            nullable=False,
        ),
        sa.Column(
            "crystal_systems",
            postgresql.ARRAY(sa.String(length=16)),
            server_default="{}",
            nullable=False,
        ),
        sa.Column(
            "source_ids",
            postgresql.ARRAY(sa.String(length=128)),
            server_default="{}",
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_compounds_reduced_formula", "compounds", ["reduced_formula"], unique=True)
    op.create_index(
        "ix_compounds_reduced_formula_trgm",
        "compounds",
        ["reduced_formula"],
        postgresql_using="gin",
        postgresql_ops={"reduced_formula": "gin_trgm_ops"},
    )
    op.create_index("ix_compounds_chemical_system", "compounds", ["chemical_system"])
    op.create_index("ix_compounds_elements_gin", "compounds", ["elements"], postgresql_using="gin")
    op.create_index("ix_compounds_nelements_id", "compounds", ["nelements", "id"])
    op.create_index("ix_compounds_anonymous_formula_id", "compounds", ["anonymous_formula", "id"])
    op.create_index(
        "ix_compounds_space_groups_gin",
        "compounds",
        ["space_group_numbers"],
        postgresql_using="gin",
    )
    op.create_index(
        "ix_compounds_crystal_systems_gin", "compounds", ["crystal_systems"], postgresql_using="gin"
    )
    op.create_index("ix_compounds_n_structures_id", "compounds", ["n_structures", "id"])
    for prop in PROPERTIES:
        op.execute(
            f"CREATE INDEX ix_compounds_prop_{prop} ON compounds "
            f"(((properties ->> '{prop}')::float8), id) "
            f"WHERE ((properties ->> '{prop}')::float8) IS NOT NULL"
        )


def downgrade() -> None:
    op.drop_table("compounds")
    op.drop_column("materials", "known_match")
