"""Database access for task code running inside a worker process."""

from __future__ import annotations

from sqlalchemy.orm import Session, sessionmaker

from matdiscover.db.engine import create_db_engine, make_session_factory
from matdiscover.errors import ConfigurationError
from matdiscover.settings import get_settings

_factory: sessionmaker[Session] | None = None


def configure(database_url: str) -> None:
    """Bind task sessions to ``database_url`` (called once by the worker entry point)."""
    global _factory
    _factory = make_session_factory(create_db_engine(database_url, pool_size=2))


def session_factory() -> sessionmaker[Session]:
    if _factory is None:
        url = get_settings().database_url
        if not url:
            raise ConfigurationError("worker has no database configured")
        configure(url)
    assert _factory is not None
    return _factory
