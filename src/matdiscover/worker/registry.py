"""Worker processes announce themselves in ``worker_processes`` and heartbeat there.

This complements procrastinate's own heartbeat table (which only stores an id)
with what operators want to see: host, pid, queues and the current task.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
from datetime import UTC, datetime

from sqlalchemy import delete, update
from sqlalchemy.orm import Session, sessionmaker

from matdiscover.db.engine import session_scope
from matdiscover.domains.jobs.models import WorkerProcess

logger = logging.getLogger(__name__)

HEARTBEAT_S = 5.0

_row_id: int | None = None
_factory: sessionmaker[Session] | None = None


def start(
    factory: sessionmaker[Session], *, queues: list[str], concurrency: int
) -> threading.Event:
    """Register this process and heartbeat in a daemon thread until the returned event is set."""
    global _row_id, _factory
    _factory = factory
    with session_scope(factory) as session:
        row = WorkerProcess(
            host=socket.gethostname(),
            pid=os.getpid(),
            queues=queues,
            concurrency=concurrency,
            last_heartbeat=datetime.now(UTC),
        )
        session.add(row)
        session.flush()
        _row_id = row.id
    stop = threading.Event()

    def beat() -> None:
        while not stop.wait(HEARTBEAT_S):
            try:
                with session_scope(factory) as session:
                    session.execute(
                        update(WorkerProcess)
                        .where(WorkerProcess.id == _row_id)
                        .values(last_heartbeat=datetime.now(UTC))
                    )
            except Exception:
                logger.warning("worker heartbeat failed", exc_info=True)

    threading.Thread(target=beat, name="matdiscover-heartbeat", daemon=True).start()
    return stop


def set_current(task: str | None, job_id: int | None = None) -> None:
    """Record what this worker is doing (best effort)."""
    if _factory is None or _row_id is None:
        return
    try:
        with session_scope(_factory) as session:
            session.execute(
                update(WorkerProcess)
                .where(WorkerProcess.id == _row_id)
                .values(current_task=task, current_job_id=job_id)
            )
    except Exception:
        logger.debug("could not record current task", exc_info=True)


def unregister() -> None:
    if _factory is None or _row_id is None:
        return
    with session_scope(_factory) as session:
        session.execute(delete(WorkerProcess).where(WorkerProcess.id == _row_id))
