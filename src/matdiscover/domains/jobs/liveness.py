"""When a registered worker process counts as alive (shared by ``GET /workers`` and the
worker registry in ``matdiscover.worker.registry``, which heartbeats every
``HEARTBEAT_S`` seconds)."""

from __future__ import annotations

import os
import socket
from datetime import UTC, datetime, timedelta
from pathlib import Path

from matdiscover.domains.jobs.models import WorkerProcess

HEARTBEAT_S = 5.0
#: A worker that missed this many heartbeats in a row is shown as dead.
MISSED_HEARTBEATS = 3
DEAD_AFTER_S = MISSED_HEARTBEATS * HEARTBEAT_S
#: Rows of workers silent for longer than this are deleted when a worker starts.
PRUNE_AFTER = timedelta(hours=1)


def pid_running(pid: int) -> bool:
    """Whether process ``pid`` of this host is running (not gone, not a zombie)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return True  # no /proc (not Linux): the signal check is all there is
    return stat.rpartition(")")[2].split()[:1] != ["Z"]


def is_alive(row: WorkerProcess, *, now: datetime | None = None) -> bool:
    """A fresh heartbeat and, for a worker on this host, a running process (a SIGKILLed
    worker on this host is dead at once, one elsewhere after ``DEAD_AFTER_S``)."""
    age = ((now or datetime.now(UTC)) - row.last_heartbeat).total_seconds()
    if age > DEAD_AFTER_S:
        return False
    return row.host != socket.gethostname() or pid_running(row.pid)
