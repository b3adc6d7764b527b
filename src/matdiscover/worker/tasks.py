"""Task adapters: a payload in, a call into a domain service, results persisted.

Each task opens its own session and commits at the end (the task boundary), so a
task's writes become visible together with the queue marking it done.
"""

from __future__ import annotations

import logging
import os
import socket
import time
from typing import Any

import procrastinate

from matdiscover.db.engine import session_scope
from matdiscover.errors import MatDiscoverError
from matdiscover.worker.context import session_factory

logger = logging.getLogger(__name__)

BATCH_CHUNK = "matdiscover.batch_chunk"
BATCH_REDUCE = "matdiscover.batch_reduce"


def queue_self_test(*, sent_at: float) -> dict[str, Any]:
    """Round-trip check of the queue: which worker ran it, and how long after it was sent."""
    return {
        "host": socket.gethostname(),
        "pid": os.getpid(),
        "latency_s": round(time.time() - sent_at, 3),
    }


def predict_material(
    *, material_id: int, organization_id: int, properties: list[str] | None = None
) -> dict[str, Any]:
    """Predict and store all (or the given) properties of one stored material."""
    from matdiscover.domains.predictions import service

    try:
        with session_scope(session_factory()) as session:
            report, rows = service.predict_material(
                session, material_id, organization_id=organization_id, properties=properties
            )
    except MatDiscoverError as exc:
        # bad input will not get better with retries: record and finish
        logger.warning("prediction of material %s failed: %s", material_id, exc.message)
        return {"material_id": material_id, "error": exc.message}
    return {"material_id": material_id, "stored": len(rows)}


def batch_chunk(*, job_id: int, chunk_index: int) -> dict[str, Any]:
    """Map step of a batch prediction job."""
    from matdiscover.worker.batch import run_chunk

    return run_chunk(job_id, chunk_index)


def batch_reduce(*, job_id: int) -> dict[str, Any]:
    """Reduce step: assemble the results files."""
    from matdiscover.worker.batch import run_reduce

    return run_reduce(job_id)


#: A worker whose procrastinate heartbeat is older than this is considered dead (s).
STALLED_AFTER_S = 20.0


async def recover_stalled_jobs(context: procrastinate.JobContext, timestamp: int) -> dict[str, Any]:
    """Re-queue jobs held by dead workers (no heartbeat for ``STALLED_AFTER_S``)."""
    manager = context.app.job_manager
    stalled = list(await manager.get_stalled_jobs(seconds_since_heartbeat=STALLED_AFTER_S))
    for job in stalled:
        await manager.retry_job(job)
        logger.warning("re-queued job %s (%s) of a dead worker", job.id, job.task_name)
    pruned = await manager.prune_stalled_workers(STALLED_AFTER_S)
    return {"requeued": [j.id for j in stalled], "pruned_workers": pruned}


def register(app: procrastinate.App) -> None:
    app.task(name="matdiscover.queue_self_test", queue="default", pass_context=False)(
        queue_self_test
    )
    app.task(
        name="matdiscover.predict_material",
        queue="default",
        pass_context=False,
        retry=procrastinate.RetryStrategy(max_attempts=3, wait=5),
    )(predict_material)
    app.task(name=BATCH_CHUNK, queue="default", pass_context=False)(batch_chunk)
    app.task(name=BATCH_REDUCE, queue="default", pass_context=False)(batch_reduce)
    # croniter's optional sixth field is seconds: "* * * * * */10" = every 10 s. Top priority,
    # so the check never waits behind queued chunks.
    app.periodic(cron="* * * * * */10", periodic_id="recover-stalled", priority=100)(
        app.task(name="matdiscover.recover_stalled_jobs", queue="default", pass_context=True)(
            recover_stalled_jobs
        )
    )
