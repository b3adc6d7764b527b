"""Alembic environment: migrates the database given by the caller or the settings."""

from __future__ import annotations

from typing import Any

from alembic import context
from sqlalchemy import create_engine, pool

from matdiscover.db.models import metadata

config = context.config


def include_object(
    obj: Any, name: str | None, type_: str, reflected: bool, compare_to: Any
) -> bool:
    """Ignore objects owned by the job queue (procrastinate) in autogenerate comparisons."""
    if name and name.startswith("procrastinate"):
        return False
    table = getattr(obj, "table", None)
    return not (table is not None and str(table.name).startswith("procrastinate"))


def _url() -> str:
    url = config.attributes.get("url") or config.get_main_option("sqlalchemy.url")
    if not url:
        from matdiscover.settings import get_settings

        url = get_settings().database_url
    if not url:
        raise RuntimeError("no database URL: run through `matdiscover db upgrade`")
    return str(url)


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    engine = create_engine(_url(), poolclass=pool.NullPool)
    with engine.connect() as conn:
        _run(conn)
    engine.dispose()


def _run(connection: Any) -> None:
    context.configure(
        connection=connection,
        target_metadata=metadata,
        include_object=include_object,
        compare_type=True,
        compare_server_default=False,
    )
    with context.begin_transaction():
        context.run_migrations()


run_migrations_online()
