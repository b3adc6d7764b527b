"""The job queue: a procrastinate app on the same PostgreSQL as everything else.

Queues: ``default`` (CPU work) and ``gpu`` (work that wants an accelerator).
Tasks are thin adapters registered in :mod:`matdiscover.worker.tasks`.
"""

from __future__ import annotations

import procrastinate

QUEUES = ("default", "gpu")


def libpq_url(sqlalchemy_url: str) -> str:
    """``postgresql+psycopg://...`` → ``postgresql://...`` (what libpq/psycopg expect)."""
    return sqlalchemy_url.replace("postgresql+psycopg://", "postgresql://", 1)


def build_queue_app(database_url: str) -> procrastinate.App:
    """A procrastinate app bound to ``database_url`` with MatDiscover's tasks registered."""
    from matdiscover.worker import tasks

    connector = procrastinate.PsycopgConnector(conninfo=libpq_url(database_url))
    app = procrastinate.App(connector=connector)
    tasks.register(app)
    return app
