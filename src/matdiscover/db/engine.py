"""Engine and session factories. Nothing is created at import time."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Engine, create_engine, text
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker

from matdiscover.errors import DatabaseUnavailable

REQUIRED_EXTENSIONS = ("vector", "pg_trgm")


def create_db_engine(url: str, *, pool_size: int = 5) -> Engine:
    """A SQLAlchemy engine for ``url`` (psycopg 3 driver)."""
    return create_engine(
        url,
        pool_size=pool_size,
        max_overflow=10,
        pool_pre_ping=True,
        future=True,
    )


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    """Sessions bound to ``engine``; every ORM model is registered first, so foreign keys
    resolve in any process (API, worker, CLI) whatever it imported before."""
    import matdiscover.db.models  # noqa: F401
    from matdiscover.db.tenancy import install_tenant_guards

    factory = sessionmaker(bind=engine, expire_on_commit=False, autoflush=False)
    install_tenant_guards(factory)
    return factory


@contextmanager
def session_scope(factory: sessionmaker[Session]) -> Iterator[Session]:
    """A session that commits on success and rolls back on error (the task/request boundary)."""
    with transaction(factory()) as session:
        yield session


@contextmanager
def transaction(session: Session) -> Iterator[Session]:
    """Commit ``session`` when the block ends, roll it back on error; close it either way."""
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


def check_database(engine: Engine) -> None:
    """Fail with a clear message if the database is unreachable or lacks required extensions."""
    try:
        with engine.connect() as conn:
            available = {
                row[0]
                for row in conn.execute(
                    text("SELECT name FROM pg_available_extensions WHERE name = ANY(:names)"),
                    {"names": list(REQUIRED_EXTENSIONS)},
                )
            }
    except OperationalError as exc:
        raise DatabaseUnavailable(f"cannot connect to the database: {exc.orig}") from exc
    missing = [name for name in REQUIRED_EXTENSIONS if name not in available]
    if missing:
        raise DatabaseUnavailable(
            "the database lacks required PostgreSQL extension(s): "
            + ", ".join(missing)
            + ". Install pgvector and pg_trgm on the server (e.g. the postgresql-NN-pgvector "
            "package) or unset MATDISCOVER_DATABASE_URL to use the embedded database."
        )
