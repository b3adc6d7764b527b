"""projects: project items, notes, recalibrations; measurement versions and provenance

New tables ``project_items`` (uploads and known compounds a project tracks, with status
and tags), ``project_notes``, ``measurement_versions`` (edit history of measurements)
and ``recalibrations``. ``experimental_results`` gains ``item_id``, ``sample_id``,
``method``, ``source_row``, ``version`` (existing rows: 1) and ``deleted_at``. No
existing row is changed otherwise.

Revision ID: 0010
Revises: 0009
"""

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

STATUSES = ("idea", "selected", "synthesised", "measured", "discarded")


def _id_and_created() -> list[Any]:
    return [
        sa.Column("id", sa.BigInteger(), autoincrement=True, nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
    ]


def _fk(table: str, column: str, target: str, ondelete: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        [column],
        [f"{target}.id"],
        name=op.f(f"fk_{table}_{column}_{target}"),
        ondelete=ondelete,
    )


def _org(table: str) -> list[Any]:
    return [
        sa.Column("organization_id", sa.BigInteger(), nullable=False),
        _fk(table, "organization_id", "organizations", "CASCADE"),
    ]


def upgrade() -> None:
    status = postgresql.ENUM(*STATUSES, name="project_item_status", create_type=False)
    status.create(op.get_bind(), checkfirst=True)
    op.create_table(
        "project_items",
        *_org("project_items"),
        sa.Column("project_id", sa.BigInteger(), nullable=False),
        sa.Column("material_id", sa.BigInteger(), nullable=True),
        sa.Column("reduced_formula", sa.String(length=200), nullable=False),
        sa.Column("status", status, server_default="idea", nullable=False),
        sa.Column(
            "tags", postgresql.ARRAY(sa.String(length=64)), server_default="{}", nullable=False
        ),
        sa.Column("predicted", postgresql.JSONB(), server_default="{}", nullable=False),
        sa.Column("added_by_id", sa.BigInteger(), nullable=True),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        *_id_and_created(),
        _fk("project_items", "project_id", "projects", "CASCADE"),
        _fk("project_items", "material_id", "materials", "CASCADE"),
        _fk("project_items", "added_by_id", "users", "SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_project_items")),
        sa.UniqueConstraint(
            "project_id", "material_id", name=op.f("uq_project_items_project_id_material_id")
        ),
    )
    for column in ("organization_id", "project_id", "material_id"):
        op.create_index(op.f(f"ix_project_items_{column}"), "project_items", [column])
    op.create_index(
        "uq_project_items_project_id_compound",
        "project_items",
        ["project_id", "reduced_formula"],
        unique=True,
        postgresql_where=sa.text("material_id IS NULL"),
    )

    op.create_table(
        "project_notes",
        *_org("project_notes"),
        sa.Column("project_id", sa.BigInteger(), nullable=False),
        sa.Column("item_id", sa.BigInteger(), nullable=True),
        sa.Column("author_id", sa.BigInteger(), nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
        *_id_and_created(),
        _fk("project_notes", "project_id", "projects", "CASCADE"),
        _fk("project_notes", "item_id", "project_items", "CASCADE"),
        _fk("project_notes", "author_id", "users", "SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_project_notes")),
    )
    for column in ("organization_id", "project_id", "item_id"):
        op.create_index(op.f(f"ix_project_notes_{column}"), "project_notes", [column])

    op.create_table(
        "recalibrations",
        *_org("recalibrations"),
        sa.Column("project_id", sa.BigInteger(), nullable=True),
        sa.Column("property", sa.String(length=64), nullable=False),
        sa.Column("model_name", sa.String(length=200), server_default="", nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("n_measurements", sa.Integer(), nullable=False),
        sa.Column("params", postgresql.JSONB(), nullable=False),
        sa.Column("enabled", sa.Boolean(), server_default="false", nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_by_id", sa.BigInteger(), nullable=True),
        *_id_and_created(),
        _fk("recalibrations", "project_id", "projects", "CASCADE"),
        _fk("recalibrations", "created_by_id", "users", "SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_recalibrations")),
        sa.UniqueConstraint(
            "organization_id",
            "project_id",
            "property",
            "model_name",
            "version",
            name=op.f("uq_recalibrations_organization_id_project_id_property_model_name_version"),
        ),
    )
    for column in ("organization_id", "project_id"):
        op.create_index(op.f(f"ix_recalibrations_{column}"), "recalibrations", [column])

    op.add_column("experimental_results", sa.Column("item_id", sa.BigInteger(), nullable=True))
    op.add_column(
        "experimental_results", sa.Column("sample_id", sa.String(length=200), nullable=True)
    )
    op.add_column("experimental_results", sa.Column("method", sa.String(length=200), nullable=True))
    op.add_column("experimental_results", sa.Column("source_row", sa.Integer(), nullable=True))
    op.add_column(
        "experimental_results",
        sa.Column("version", sa.Integer(), server_default="1", nullable=False),
    )
    op.add_column(
        "experimental_results",
        sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True),
    )
    op.create_foreign_key(
        op.f("fk_experimental_results_item_id_project_items"),
        "experimental_results",
        "project_items",
        ["item_id"],
        ["id"],
        ondelete="SET NULL",
    )
    op.create_index(op.f("ix_experimental_results_item_id"), "experimental_results", ["item_id"])

    op.create_table(
        "measurement_versions",
        *_org("measurement_versions"),
        sa.Column("measurement_id", sa.BigInteger(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("values", postgresql.JSONB(), nullable=False),
        sa.Column("edited_by_id", sa.BigInteger(), nullable=True),
        sa.Column(
            "edited_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("id", sa.BigInteger(), autoincrement=True, nullable=False),
        _fk("measurement_versions", "measurement_id", "experimental_results", "CASCADE"),
        _fk("measurement_versions", "edited_by_id", "users", "SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_measurement_versions")),
    )
    for column in ("organization_id", "measurement_id"):
        op.create_index(op.f(f"ix_measurement_versions_{column}"), "measurement_versions", [column])


def downgrade() -> None:
    op.drop_table("measurement_versions")
    op.drop_index(op.f("ix_experimental_results_item_id"), table_name="experimental_results")
    op.drop_constraint(
        op.f("fk_experimental_results_item_id_project_items"),
        "experimental_results",
        type_="foreignkey",
    )
    for column in ("deleted_at", "version", "source_row", "method", "sample_id", "item_id"):
        op.drop_column("experimental_results", column)
    op.drop_table("recalibrations")
    op.drop_table("project_notes")
    op.drop_table("project_items")
    op.execute("DROP TYPE IF EXISTS project_item_status")
