"""optimade: imported-entry provenance, the structures index, OPTIMADE formula functions

New table ``optimade_imports`` (one row per entry imported from an OPTIMADE provider,
unique per organisation, provider and the provider's id), a partial index over the
materials that have a structure (the OPTIMADE ``structures`` collection), and the SQL
function ``matdiscover_optimade_formula(formula, anonymous)``: the OPTIMADE
``chemical_formula_reduced`` (alphabetical, divided by the GCD) or
``chemical_formula_anonymous`` (``A2B``: proportions descending) of a pymatgen
``Composition.formula`` such as ``"Si1 O2"``; NULL for non-integer amounts. No existing
row is changed.

Revision ID: 0011
Revises: 0010
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

FORMULA_FUNCTION = r"""
CREATE OR REPLACE FUNCTION matdiscover_optimade_formula(formula text, anonymous boolean)
RETURNS text LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE AS $$
DECLARE
    part text[];
    symbols text[] := '{}';
    amounts bigint[] := '{}';
    divisor bigint := 0;
    result text := '';
    amount bigint;
    n int := 0;
    rec record;
BEGIN
    FOR part IN SELECT regexp_matches(formula, '([A-Z][a-z]*)([0-9.]*)', 'g') LOOP
        IF part[2] ~ '[.]' AND part[2] !~ '^[0-9]+[.]0*$' THEN
            RETURN NULL;
        END IF;
        amount := COALESCE(NULLIF(split_part(part[2], '.', 1), ''), '1')::bigint;
        IF amount <= 0 THEN
            RETURN NULL;
        END IF;
        symbols := symbols || part[1];
        amounts := amounts || amount;
        divisor := gcd(divisor, amount);
    END LOOP;
    IF divisor = 0 THEN
        RETURN NULL;
    END IF;
    IF anonymous THEN
        FOR rec IN SELECT a / divisor AS a FROM unnest(amounts) AS a ORDER BY a DESC LOOP
            result := result
                || CASE WHEN n < 26 THEN chr(65 + n)
                        ELSE chr(65 + n % 26) || chr(97 + n / 26 - 1) END
                || CASE WHEN rec.a = 1 THEN '' ELSE rec.a::text END;
            n := n + 1;
        END LOOP;
    ELSE
        FOR rec IN
            SELECT s, a / divisor AS a FROM unnest(symbols, amounts) AS t(s, a)
            ORDER BY s COLLATE "C"
        LOOP
            result := result || rec.s || CASE WHEN rec.a = 1 THEN '' ELSE rec.a::text END;
        END LOOP;
    END IF;
    RETURN result;
END $$;
"""


def upgrade() -> None:
    op.execute(FORMULA_FUNCTION)
    op.create_index(
        "ix_materials_with_structure",
        "materials",
        ["organization_id", "id"],
        postgresql_where=sa.text("structure IS NOT NULL"),
    )
    op.create_table(
        "optimade_imports",
        sa.Column("id", sa.BigInteger(), autoincrement=True, nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("organization_id", sa.BigInteger(), nullable=False),
        sa.Column("job_id", sa.BigInteger(), nullable=True),
        sa.Column("material_id", sa.BigInteger(), nullable=False),
        sa.Column("provider", sa.String(length=500), nullable=False),
        sa.Column("entry_id", sa.String(length=255), nullable=False),
        sa.Column("entry_url", sa.String(length=1000), nullable=False),
        sa.Column("retrieved_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["organization_id"], ["organizations.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["job_id"], ["jobs.id"], ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["material_id"], ["materials.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("organization_id", "provider", "entry_id"),
    )
    op.create_index("ix_optimade_imports_job_id", "optimade_imports", ["job_id"])
    op.create_index("ix_optimade_imports_material_id", "optimade_imports", ["material_id"])


def downgrade() -> None:
    op.drop_index("ix_optimade_imports_material_id", table_name="optimade_imports")
    op.drop_index("ix_optimade_imports_job_id", table_name="optimade_imports")
    op.drop_table("optimade_imports")
    op.drop_index("ix_materials_with_structure", table_name="materials")
    op.execute("DROP FUNCTION IF EXISTS matdiscover_optimade_formula(text, boolean)")
