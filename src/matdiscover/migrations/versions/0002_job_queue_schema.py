"""job queue schema (procrastinate 3.10.0)

Installs procrastinate's tables, types and functions from the verbatim copy in
``migrations/sql`` so that one ``upgrade`` sets up the whole database.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-26 11:40:00
"""

from collections.abc import Sequence
from pathlib import Path

from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SCHEMA_SQL = Path(__file__).resolve().parent.parent / "sql" / "procrastinate_3_10_0_schema.sql"


def upgrade() -> None:
    # many statements with $$-quoted bodies and literal '%': send the file as-is through
    # the driver (no parameters, so no placeholder parsing)
    _execute_script(SCHEMA_SQL.read_text(encoding="utf-8"))


def downgrade() -> None:
    _execute_script(
        """
        DO $$
        DECLARE r record;
        BEGIN
            FOR r IN SELECT event_object_table AS t, trigger_name AS n
                     FROM information_schema.triggers WHERE trigger_name LIKE 'procrastinate%'
            LOOP
                EXECUTE format('DROP TRIGGER IF EXISTS %I ON %I', r.n, r.t);
            END LOOP;
            FOR r IN SELECT p.oid::regprocedure AS sig FROM pg_proc p
                     JOIN pg_namespace ns ON ns.oid = p.pronamespace
                     WHERE ns.nspname = current_schema() AND p.proname LIKE 'procrastinate%'
            LOOP
                EXECUTE format('DROP FUNCTION IF EXISTS %s CASCADE', r.sig);
            END LOOP;
        END $$;
        DROP TABLE IF EXISTS procrastinate_events, procrastinate_periodic_defers,
            procrastinate_jobs, procrastinate_workers CASCADE;
        DROP TYPE IF EXISTS procrastinate_job_to_defer_v1, procrastinate_job_event_type,
            procrastinate_job_status CASCADE;
        """
    )


def _execute_script(sql: str) -> None:
    driver_conn = op.get_bind().connection.driver_connection
    with driver_conn.cursor() as cur:  # type: ignore[union-attr]
        cur.execute(sql)
