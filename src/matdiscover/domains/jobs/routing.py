"""Which queue a job's work goes to: ``gpu`` when a GPU worker is live, else ``default``.

Policy (decided once per job, when it is submitted, and recorded in ``Job.params["queue"]``):

* Work that runs a structure model (batch jobs whose input is structures; training jobs
  when they exist) goes to the ``gpu`` queue if at least one *GPU worker* is live, and to
  ``default`` otherwise, so it never waits for a GPU that is not there.
* Composition work (formula tables) always goes to ``default``: its models are small
  tree ensembles that gain nothing from an accelerator.
* A GPU worker is a registered worker process (``worker_processes``) with a fresh heartbeat
  (:func:`matdiscover.domains.jobs.liveness.is_alive`) whose queues include ``gpu`` but
  not all of the queues: one started with ``matdiscover worker --queue gpu`` (optionally
  with further queues). A worker started without ``--queue`` (as ``matdiscover serve``
  starts them) listens on every queue and is a general worker: sending work to ``gpu``
  would change nothing for it and would take the work away from ``default``-only workers.
* Only the queue entries are routed: the reduce step of a batch job and the stalled-job
  recovery stay on ``default``. A chunk re-queued after its worker died keeps its queue;
  ``POST /jobs/{id}/retry`` decides again (the GPU worker may be gone by then).

If every GPU worker dies after a job was routed to ``gpu``, its chunks wait in that queue
until a GPU worker (or a worker on all queues) starts; ``GET /api/v1/workers`` shows which
queues the live workers claim.

>>> queue_for("formulas", gpu_worker_live=True)
'default'
>>> queue_for("structures", gpu_worker_live=True)
'gpu'
>>> queue_for("structures", gpu_worker_live=False)
'default'
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Literal

from sqlalchemy import select
from sqlalchemy.orm import Session

from matdiscover.domains.jobs.liveness import DEAD_AFTER_S, is_alive
from matdiscover.domains.jobs.models import WorkerProcess

__all__ = ["CPU_QUEUE", "GPU_QUEUE", "Queue", "choose_queue", "gpu_worker_live", "queue_for"]

CPU_QUEUE: Literal["default"] = "default"
GPU_QUEUE: Literal["gpu"] = "gpu"
Queue = Literal["default", "gpu"]
#: Every queue a worker may claim; one claiming all of them is a general worker.
ALL_QUEUES = frozenset({CPU_QUEUE, GPU_QUEUE})
#: Kinds of work that run a structure model and so benefit from a GPU.
GPU_WORK = frozenset({"structures", "training"})


def is_gpu_worker(queues: list[object]) -> bool:
    """A worker claiming ``gpu`` explicitly (not a general worker listening on every queue)."""
    claimed = {str(q) for q in queues}
    return GPU_QUEUE in claimed and not ALL_QUEUES.issubset(claimed)


def gpu_worker_live(session: Session, *, now: datetime | None = None) -> bool:
    """Whether at least one live worker process claims the ``gpu`` queue (see module doc)."""
    now = now or datetime.now(UTC)
    fresh = session.scalars(
        select(WorkerProcess).where(
            WorkerProcess.last_heartbeat >= now - timedelta(seconds=DEAD_AFTER_S)
        )
    ).all()
    return any(is_gpu_worker(list(w.queues)) and is_alive(w, now=now) for w in fresh)


def queue_for(kind: str, *, gpu_worker_live: bool) -> Queue:
    """The queue for work of ``kind`` (``formulas``, ``structures`` or ``training``)."""
    return GPU_QUEUE if kind in GPU_WORK and gpu_worker_live else CPU_QUEUE


def choose_queue(session: Session, kind: str) -> Queue:
    """:func:`queue_for` with the live workers read from the worker registry (composition
    work never looks at the registry)."""
    if kind not in GPU_WORK:
        return CPU_QUEUE
    return queue_for(kind, gpu_worker_live=gpu_worker_live(session))
