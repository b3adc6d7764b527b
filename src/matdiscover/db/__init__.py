"""Database access: embedded PostgreSQL lifecycle, engine and session factories."""

from matdiscover.db.base import Base
from matdiscover.db.engine import create_db_engine, make_session_factory, session_scope

__all__ = ["Base", "create_db_engine", "make_session_factory", "session_scope"]
