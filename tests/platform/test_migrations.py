"""Migrations: upgrading an empty database gives exactly the models' schema; downgrade works."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine, create_engine, inspect, text

from matdiscover.db.embedded import EmbeddedDatabase
from matdiscover.db.engine import create_db_engine
from matdiscover.db.migrate import current_revision, downgrade, head_revision, upgrade
from matdiscover.db.models import metadata
from tests.platform.conftest import database_url


@pytest.fixture()
def empty_engine(pg_server: EmbeddedDatabase) -> Iterator[Engine]:
    name = f"e_{uuid.uuid4().hex[:12]}"
    admin = create_engine(pg_server.url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    eng = create_db_engine(database_url(pg_server.url, name), pool_size=1)
    yield eng
    eng.dispose()
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def _include(obj, name, type_, reflected, compare_to):  # type: ignore[no-untyped-def]
    if name and name.startswith("procrastinate"):
        return False
    table = getattr(obj, "table", None)
    return not (table is not None and str(table.name).startswith("procrastinate"))


def test_upgrade_from_empty_matches_models(empty_engine: Engine) -> None:
    upgrade(empty_engine)
    assert current_revision(empty_engine) == head_revision()
    with empty_engine.connect() as conn:
        ctx = MigrationContext.configure(
            conn, opts={"compare_type": True, "include_object": _include}
        )
        diff = compare_metadata(ctx, metadata)
    assert diff == [], f"migrations and models differ: {diff}"


def test_job_queue_schema_installed_by_upgrade(empty_engine: Engine) -> None:
    upgrade(empty_engine)
    tables = set(inspect(empty_engine).get_table_names())
    assert {"procrastinate_jobs", "procrastinate_workers", "procrastinate_events"} <= tables
    assert set(metadata.tables) <= tables


def test_downgrade_one_step_and_back(empty_engine: Engine) -> None:
    upgrade(empty_engine)
    head = current_revision(empty_engine)
    downgrade(empty_engine, "-1")
    assert current_revision(empty_engine) != head
    upgrade(empty_engine)
    assert current_revision(empty_engine) == head


def test_full_downgrade_leaves_no_tables(empty_engine: Engine) -> None:
    upgrade(empty_engine)
    downgrade(empty_engine, "base")
    assert set(inspect(empty_engine).get_table_names()) == {"alembic_version"}
