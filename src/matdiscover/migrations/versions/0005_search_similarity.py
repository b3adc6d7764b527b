"""search and similarity: anonymous formula, search indexes, composition embeddings

Revision ID: 0005
Revises: 0004

Adds ``materials.anonymous_formula`` (backfilled from ``reduced_formula``), b-tree
indexes for the search filters, partial expression indexes on the reference property
values, an HNSW index on structure embeddings, and the ``composition_embeddings`` table
(one 184-d mat2vec-slots vector per distinct reduced formula, HNSW cosine), backfilled for existing
materials.
"""

from collections.abc import Sequence

import pgvector.sqlalchemy
import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

PROPERTIES = (
    "band_gap",
    "formation_energy",
    "energy_above_hull",
    "bulk_modulus",
    "shear_modulus",
    "debye_temperature",
)
HNSW = {"m": 16, "ef_construction": 64}


def _backfill(conn: sa.Connection) -> None:
    from matdiscover.domains.similarity.derived import backfill_derived_columns

    backfill_derived_columns(conn)


def upgrade() -> None:
    op.add_column("materials", sa.Column("anonymous_formula", sa.String(length=100)))
    op.create_table(
        "composition_embeddings",
        sa.Column("reduced_formula", sa.String(length=200), nullable=False),
        sa.Column("embedding", pgvector.sqlalchemy.Vector(dim=184), nullable=False),
        sa.PrimaryKeyConstraint("reduced_formula", name=op.f("pk_composition_embeddings")),
    )
    _backfill(op.get_bind())
    op.create_index("ix_materials_reduced_formula_id", "materials", ["reduced_formula", "id"])
    op.create_index("ix_materials_formula", "materials", ["formula"])
    op.create_index("ix_materials_anonymous_formula_id", "materials", ["anonymous_formula", "id"])
    op.create_index("ix_materials_source_database_id", "materials", ["source_database", "id"])
    op.create_index("ix_materials_source_id_key", "materials", ["source", "id"])
    op.create_index("ix_materials_nelements_id", "materials", ["nelements", "id"])
    op.create_index(
        "ix_materials_crystal_system",
        "materials",
        ["crystal_system"],
        postgresql_where=sa.text("crystal_system IS NOT NULL"),
    )
    for prop in PROPERTIES:
        expr = f"((properties ->> '{prop}')::double precision)"
        op.execute(
            f"CREATE INDEX ix_materials_prop_{prop} ON materials ({expr}, id) "
            f"WHERE {expr} IS NOT NULL"
        )
        # partial-index expressions get no whole-table statistics: without these the
        # planner assumes a third of the table matches any range (autogenerate does not
        # compare statistics objects, so they live in the migration only)
        op.execute(f"CREATE STATISTICS st_materials_prop_{prop} ON ({expr}) FROM materials")
    op.execute("SET LOCAL maintenance_work_mem = '1GB'")
    op.create_index(
        "ix_materials_structure_embedding_hnsw",
        "materials",
        ["structure_embedding"],
        postgresql_using="hnsw",
        postgresql_with=HNSW,
        postgresql_ops={"structure_embedding": "vector_cosine_ops"},
    )
    op.create_index(
        "ix_composition_embeddings_hnsw",
        "composition_embeddings",
        ["embedding"],
        postgresql_using="hnsw",
        postgresql_with=HNSW,
        postgresql_ops={"embedding": "vector_cosine_ops"},
    )
    op.execute("ANALYZE materials")
    op.execute("ANALYZE composition_embeddings")


def downgrade() -> None:
    op.drop_index("ix_materials_structure_embedding_hnsw", table_name="materials")
    for prop in PROPERTIES:
        op.execute(f"DROP STATISTICS IF EXISTS st_materials_prop_{prop}")
        op.drop_index(f"ix_materials_prop_{prop}", table_name="materials")
    op.drop_index("ix_materials_crystal_system", table_name="materials")
    op.drop_index("ix_materials_source_id_key", table_name="materials")
    op.drop_index("ix_materials_nelements_id", table_name="materials")
    op.drop_index("ix_materials_source_database_id", table_name="materials")
    op.drop_index("ix_materials_anonymous_formula_id", table_name="materials")
    op.drop_index("ix_materials_formula", table_name="materials")
    op.drop_index("ix_materials_reduced_formula_id", table_name="materials")
    op.drop_table("composition_embeddings")
    op.drop_column("materials", "anonymous_formula")
