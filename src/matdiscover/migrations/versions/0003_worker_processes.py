"""worker processes

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-26 11:43:19.217549
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "worker_processes",
        sa.Column("host", sa.String(length=255), nullable=False),
        sa.Column("pid", sa.Integer(), nullable=False),
        sa.Column(
            "queues", postgresql.JSONB(astext_type=sa.Text()), server_default="[]", nullable=False
        ),
        sa.Column("concurrency", sa.Integer(), server_default="1", nullable=False),
        sa.Column("last_heartbeat", sa.DateTime(timezone=True), nullable=False),
        sa.Column("current_task", sa.String(length=255), nullable=True),
        sa.Column("current_job_id", sa.BigInteger(), nullable=True),
        sa.Column("id", sa.BigInteger(), autoincrement=True, nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_worker_processes")),
    )
    op.create_index(
        op.f("ix_worker_processes_last_heartbeat"),
        "worker_processes",
        ["last_heartbeat"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_worker_processes_last_heartbeat"), table_name="worker_processes")
    op.drop_table("worker_processes")
