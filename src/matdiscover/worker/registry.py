"""Worker processes announce themselves in ``worker_processes`` and heartbeat there.

This complements procrastinate's own heartbeat table (which only stores an id)
with what operators want to see: host, pid, queues and the current task. A worker is
listed as alive while its heartbeat is fresh (``domains.jobs.liveness.is_alive``); a
starting worker removes the rows of dead workers (same host, process gone; or silent for
an hour).
"""

from __future__ import annotations

import logging
import os
import socket
import threading
from datetime import UTC, datetime

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session, sessionmaker

from matdiscover.db.engine import session_scope
from matdiscover.domains.jobs.liveness import HEARTBEAT_S, PRUNE_AFTER, pid_running
from matdiscover.domains.jobs.models import WorkerProcess

__all__ = ["prune", "set_current", "start"]

logger = logging.getLogger(__name__)

_row_id: int | None = None
_factory: sessionmaker[Session] | None = None


def start(
    factory: sessionmaker[Session], *, queues: list[str], concurrency: int
) -> threading.Event:
    """Register this process and heartbeat in a daemon thread until the returned event is set."""
    global _row_id, _factory
    _factory = factory
    with session_scope(factory) as session:
        prune(session)
        _row_id = _insert(session, queues=queues, concurrency=concurrency)
    stop = threading.Event()

    def beat() -> None:
        global _row_id
        while not stop.wait(HEARTBEAT_S):
            try:
                with session_scope(factory) as session:
                    found = session.execute(
                        update(WorkerProcess)
                        .where(WorkerProcess.id == _row_id)
                        .values(last_heartbeat=datetime.now(UTC))
                        .returning(WorkerProcess.id)
                    ).first()
                    if found is None:  # pruned while this process was suspended
                        _row_id = _insert(session, queues=queues, concurrency=concurrency)
            except Exception:
                logger.warning("worker heartbeat failed", exc_info=True)

    threading.Thread(target=beat, name="matdiscover-heartbeat", daemon=True).start()
    return stop


def _insert(session: Session, *, queues: list[str], concurrency: int) -> int:
    row = WorkerProcess(
        host=socket.gethostname(),
        pid=os.getpid(),
        queues=queues,
        concurrency=concurrency,
        last_heartbeat=datetime.now(UTC),
    )
    session.add(row)
    session.flush()
    return row.id


def prune(session: Session) -> int:
    """Delete the rows of dead workers: on this host, those whose process is gone; on any
    host, those silent for ``PRUNE_AFTER``. Returns how many were deleted."""
    host, me = socket.gethostname(), os.getpid()
    cutoff = datetime.now(UTC) - PRUNE_AFTER
    w = WorkerProcess
    rows = session.execute(select(w.id, w.host, w.pid, w.last_heartbeat)).all()
    dead = [
        row_id
        for row_id, row_host, pid, beat in rows
        if beat < cutoff or (row_host == host and pid != me and not pid_running(pid))
    ]
    if dead:
        session.execute(delete(WorkerProcess).where(WorkerProcess.id.in_(dead)))
        logger.info("removed %d dead worker(s) from the registry", len(dead))
    return len(dead)


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
