"""Molecule batch task bodies: the worker's side of :mod:`matdiscover.domains.molecules.batch`.

The chunk and reduce tasks are the batch job's (``matdiscover.batch_chunk`` and
``matdiscover.batch_reduce``, so the jobs service's cancel and retry work unchanged);
:mod:`matdiscover.worker.tasks` sends a molecule batch's chunks here by the job's kind.
"""

from __future__ import annotations

import time
from typing import Any

from matdiscover.db.engine import session_scope
from matdiscover.domains.molecules.batch import run
from matdiscover.observability import metrics
from matdiscover.worker import registry
from matdiscover.worker.batch import CHUNK_TASK, object_store, record_chunk
from matdiscover.worker.context import session_factory


def run_molecule_chunk(job_id: int, chunk_index: int) -> dict[str, Any]:
    """Profile one chunk of a molecule batch and store its molecules (exactly once)."""
    from matdiscover.domains.molecules.service import score_settings

    registry.set_current(f"molecule batch chunk {chunk_index}", job_id)
    metrics.CHUNKS_STARTED.labels(task=CHUNK_TASK).inc()
    started = time.perf_counter()
    try:
        out = run.run_chunk(
            session_factory(),
            object_store(),
            job_id,
            chunk_index,
            settings=score_settings(),
        )
    finally:
        registry.set_current(None)
    if "error" in out:
        metrics.CHUNKS_FAILED.labels(task=CHUNK_TASK).inc()
    elif "rows" in out:
        record_chunk(rows=int(out["rows"]), seconds=time.perf_counter() - started)
    return out


def run_molecule_reduce(job_id: int) -> dict[str, Any]:
    """Assemble a molecule batch's results and errors files."""
    registry.set_current("molecule batch reduce", job_id)
    try:
        with session_scope(session_factory()) as session:
            job = run.assemble(session, object_store(), job_id)
            status = job.status.value if job else "missing"
    finally:
        registry.set_current(None)
    return {"job_id": job_id, "status": status}
