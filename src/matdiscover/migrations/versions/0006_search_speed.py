"""search speed: distinct-formula table for fuzzy/wildcard search, id-ordered property indexes

Revision ID: 0006
Revises: 0005

* ``material_formulas``: every distinct ``materials.reduced_formula`` with a trigram GIN
  index (moved here from ``materials``). Fuzzy (``%``) and wildcard (``LIKE``) formula
  search match ~400 k distinct formulas instead of ~1.1 M rows, then join back through
  ``ix_materials_reduced_formula_id``. A statement-level trigger (transition table, so a
  COPY of a million rows costs one ``INSERT ... SELECT DISTINCT``) keeps it filled; a
  row-level trigger covers the (unused) case of a changed formula. Formulas of deleted
  materials linger harmlessly: matches always join back to live rows.
* ``ix_materials_prop_<p>_by_id``: ``(id, (properties->>p)::float8)`` partial indexes, so
  a property range in id order (the default sort) walks the rows that have the property
  and checks the value inside the index, instead of sorting every match.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
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

SYNC_FUNCTION = """
CREATE FUNCTION material_formulas_sync() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO material_formulas (reduced_formula)
    SELECT DISTINCT reduced_formula FROM new_materials WHERE reduced_formula IS NOT NULL
    ON CONFLICT DO NOTHING;
    RETURN NULL;
END
$$
"""
SYNC_ROW_FUNCTION = """
CREATE FUNCTION material_formulas_sync_row() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO material_formulas (reduced_formula) VALUES (NEW.reduced_formula)
    ON CONFLICT DO NOTHING;
    RETURN NULL;
END
$$
"""


def upgrade() -> None:
    op.create_table(
        "material_formulas",
        sa.Column("reduced_formula", sa.String(length=200), nullable=False),
        sa.PrimaryKeyConstraint("reduced_formula", name=op.f("pk_material_formulas")),
    )
    op.execute(
        "INSERT INTO material_formulas (reduced_formula) "
        "SELECT DISTINCT reduced_formula FROM materials WHERE reduced_formula IS NOT NULL"
    )
    op.execute(SYNC_FUNCTION)
    op.execute(SYNC_ROW_FUNCTION)
    op.execute(
        "CREATE TRIGGER trg_materials_formulas_insert AFTER INSERT ON materials "
        "REFERENCING NEW TABLE AS new_materials FOR EACH STATEMENT "
        "EXECUTE FUNCTION material_formulas_sync()"
    )
    op.execute(
        "CREATE TRIGGER trg_materials_formulas_update AFTER UPDATE OF reduced_formula "
        "ON materials FOR EACH ROW "
        "WHEN (OLD.reduced_formula IS DISTINCT FROM NEW.reduced_formula) "
        "EXECUTE FUNCTION material_formulas_sync_row()"
    )
    op.execute("SET LOCAL maintenance_work_mem = '512MB'")
    op.create_index(
        "ix_material_formulas_trgm",
        "material_formulas",
        ["reduced_formula"],
        postgresql_using="gin",
        postgresql_ops={"reduced_formula": "gin_trgm_ops"},
    )
    op.drop_index("ix_materials_reduced_formula_trgm", table_name="materials")
    for prop in PROPERTIES:
        expr = f"((properties ->> '{prop}')::double precision)"
        op.execute(
            f"CREATE INDEX ix_materials_prop_{prop}_by_id ON materials (id, {expr}) "
            f"WHERE {expr} IS NOT NULL"
        )
    op.execute("ANALYZE material_formulas")


def downgrade() -> None:
    for prop in PROPERTIES:
        op.drop_index(f"ix_materials_prop_{prop}_by_id", table_name="materials")
    op.create_index(
        "ix_materials_reduced_formula_trgm",
        "materials",
        ["reduced_formula"],
        postgresql_using="gin",
        postgresql_ops={"reduced_formula": "gin_trgm_ops"},
    )
    op.execute("DROP TRIGGER trg_materials_formulas_update ON materials")
    op.execute("DROP TRIGGER trg_materials_formulas_insert ON materials")
    op.execute("DROP FUNCTION material_formulas_sync_row()")
    op.execute("DROP FUNCTION material_formulas_sync()")
    op.drop_index("ix_material_formulas_trgm", table_name="material_formulas")
    op.drop_table("material_formulas")
