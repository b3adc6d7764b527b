"""campaigns: discovery campaigns in a project, their candidate pools, rounds and results

New tables ``campaigns`` (objectives, acquisition and its parameters, pool source and
specification, status), ``campaign_candidates`` (the pool, unique per campaign and key,
with origin and a prediction cache), ``campaign_rounds`` (ranked batch, model versions,
refit, unique per campaign and index) and ``campaign_results`` (measured or computed
values, unique per candidate and property). No existing row is changed.

Revision ID: 0013
Revises: 0012
"""

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ACQUISITIONS = ("greedy", "ucb", "lcb", "ei", "pi", "thompson", "stability", "window")
POOL_SOURCES = ("uploaded", "project", "enumeration", "generated")
CAMPAIGN_STATUSES = ("preparing", "ready", "running", "failed", "archived")
ROUND_STATUSES = ("queued", "running", "succeeded", "failed", "cancelled")
RESULT_SOURCES = ("measured", "computed")


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


def _fk(table: str, column: str, target: str, ondelete: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        [column],
        [f"{target}.id"],
        name=op.f(f"fk_{table}_{column}_{target}"),
        ondelete=ondelete,
    )


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
        _fk(table, "organization_id", "organizations", "CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f(f"pk_{table}")),
    ]


def _json(name: str, default: str) -> sa.Column[Any]:
    return sa.Column(name, postgresql.JSONB(), server_default=default, nullable=False)


def _created_by(table: str) -> list[Any]:
    return [
        sa.Column("created_by_id", sa.BigInteger(), nullable=True),
        _fk(table, "created_by_id", "users", "SET NULL"),
    ]


def upgrade() -> None:
    op.create_table(
        "campaigns",
        *_common("campaigns"),
        sa.Column("project_id", sa.BigInteger(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        _json("objectives", "[]"),
        sa.Column("acquisition", sa.String(length=16), nullable=False),
        sa.Column("kappa", sa.Float(), server_default="1.0", nullable=False),
        sa.Column("batch_size", sa.Integer(), nullable=False),
        sa.Column("diversity", sa.Float(), server_default="0.0", nullable=False),
        _json("constraints", "{}"),
        sa.Column("pool_source", sa.String(length=16), nullable=False),
        _json("pool", "{}"),
        sa.Column("status", sa.String(length=16), server_default="ready", nullable=False),
        *_created_by("campaigns"),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        _fk("campaigns", "project_id", "projects", "CASCADE"),
        sa.UniqueConstraint("project_id", "name", name=op.f("uq_campaigns_project_id_name")),
        sa.CheckConstraint(_in("acquisition", ACQUISITIONS), name=op.f("ck_campaigns_acquisition")),
        sa.CheckConstraint(_in("pool_source", POOL_SOURCES), name=op.f("ck_campaigns_pool_source")),
        sa.CheckConstraint(_in("status", CAMPAIGN_STATUSES), name=op.f("ck_campaigns_status")),
    )
    for column in ("organization_id", "project_id"):
        op.create_index(op.f(f"ix_campaigns_{column}"), "campaigns", [column])

    op.create_table(
        "campaign_candidates",
        *_common("campaign_candidates"),
        sa.Column("campaign_id", sa.BigInteger(), nullable=False),
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("formula", sa.String(length=200), nullable=False),
        sa.Column("material_id", sa.BigInteger(), nullable=True),
        _json("origin", "{}"),
        _json("predictions", "{}"),
        sa.Column("chosen_round", sa.Integer(), nullable=True),
        _fk("campaign_candidates", "campaign_id", "campaigns", "CASCADE"),
        _fk("campaign_candidates", "material_id", "materials", "SET NULL"),
        sa.UniqueConstraint(
            "campaign_id", "key", name=op.f("uq_campaign_candidates_campaign_id_key")
        ),
    )
    for column in ("organization_id", "campaign_id"):
        op.create_index(op.f(f"ix_campaign_candidates_{column}"), "campaign_candidates", [column])

    op.create_table(
        "campaign_rounds",
        *_common("campaign_rounds"),
        sa.Column("campaign_id", sa.BigInteger(), nullable=False),
        sa.Column("index", sa.Integer(), nullable=False),
        sa.Column("job_id", sa.BigInteger(), nullable=True),
        sa.Column("status", sa.String(length=16), server_default="queued", nullable=False),
        _json("batch", "[]"),
        _json("model_versions", "{}"),
        _json("refit", "{}"),
        _json("summary", "{}"),
        sa.Column("error", sa.Text(), nullable=True),
        *_created_by("campaign_rounds"),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        _fk("campaign_rounds", "campaign_id", "campaigns", "CASCADE"),
        _fk("campaign_rounds", "job_id", "jobs", "SET NULL"),
        sa.UniqueConstraint(
            "campaign_id", "index", name=op.f("uq_campaign_rounds_campaign_id_index")
        ),
        sa.CheckConstraint(_in("status", ROUND_STATUSES), name=op.f("ck_campaign_rounds_status")),
    )
    for column in ("organization_id", "campaign_id"):
        op.create_index(op.f(f"ix_campaign_rounds_{column}"), "campaign_rounds", [column])

    op.create_table(
        "campaign_results",
        *_common("campaign_results"),
        sa.Column("campaign_id", sa.BigInteger(), nullable=False),
        sa.Column("candidate_id", sa.BigInteger(), nullable=False),
        sa.Column("round_id", sa.BigInteger(), nullable=True),
        sa.Column("property", sa.String(length=64), nullable=False),
        sa.Column("value", sa.Float(), nullable=False),
        sa.Column("uncertainty", sa.Float(), nullable=True),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("measurement_id", sa.BigInteger(), nullable=True),
        _json("detail", "{}"),
        *_created_by("campaign_results"),
        _fk("campaign_results", "campaign_id", "campaigns", "CASCADE"),
        _fk("campaign_results", "candidate_id", "campaign_candidates", "CASCADE"),
        _fk("campaign_results", "round_id", "campaign_rounds", "SET NULL"),
        _fk("campaign_results", "measurement_id", "experimental_results", "SET NULL"),
        sa.UniqueConstraint(
            "candidate_id", "property", name=op.f("uq_campaign_results_candidate_id_property")
        ),
        sa.CheckConstraint(_in("source", RESULT_SOURCES), name=op.f("ck_campaign_results_source")),
    )
    for column in ("organization_id", "campaign_id"):
        op.create_index(op.f(f"ix_campaign_results_{column}"), "campaign_results", [column])


def downgrade() -> None:
    op.drop_table("campaign_results")
    op.drop_table("campaign_rounds")
    op.drop_table("campaign_candidates")
    op.drop_table("campaigns")
