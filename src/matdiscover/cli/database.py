"""Open the configured database for a CLI command (embedded started on demand)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from matdiscover.db.embedded import EmbeddedDatabase, start_embedded
from matdiscover.db.engine import check_database, create_db_engine, make_session_factory
from matdiscover.db.migrate import current_revision, head_revision, upgrade
from matdiscover.errors import DatabaseUnavailable
from matdiscover.settings import Settings


@dataclass
class OpenDatabase:
    url: str
    engine: Engine
    session_factory: sessionmaker[Session]
    embedded: EmbeddedDatabase | None


@contextmanager
def open_database(settings: Settings, *, migrate: bool | None = None) -> Iterator[OpenDatabase]:
    """Connect (starting the embedded server if configured) and make sure the schema is current.

    ``migrate=None`` upgrades the embedded database automatically but requires an
    explicit ``matdiscover db upgrade`` for an external one.
    """
    embedded = None
    url = settings.database_url
    if url is None:
        embedded = start_embedded(settings.resolved_data_dir)
        url = embedded.url
    engine = create_db_engine(url, pool_size=2)
    try:
        check_database(engine)
        if migrate or (migrate is None and embedded is not None):
            upgrade(engine)
        elif migrate is None and current_revision(engine) != head_revision():
            raise DatabaseUnavailable(
                "the database schema is not up to date: run `matdiscover db upgrade`"
            )
        yield OpenDatabase(url, engine, make_session_factory(engine), embedded)
    finally:
        engine.dispose()
        if embedded is not None:
            embedded.stop()
